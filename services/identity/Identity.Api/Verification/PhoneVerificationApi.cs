using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.Identity.Users;
using Community.ServiceDefaults;

namespace Community.Identity.Verification;

public sealed record PhoneVerificationSent(string Message, DateTimeOffset ExpiresAt);

public sealed record ConfirmPhoneRequest([Required] string? Code);

/// <summary>The signed-in member proves their phone: a code by SMS, then the code back.</summary>
public static class PhoneVerificationApi
{
    public static RouteGroupBuilder MapPhoneVerificationApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/users/me/phone/verification")
            .WithTags("Users")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Send)
            .WithName("SendPhoneVerificationCode")
            .WithSummary("Text a 6-digit code to my phone (valid 10 minutes, 5 attempts)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group
            .MapPost("/confirm", Confirm)
            .WithName("ConfirmPhoneVerification")
            .WithSummary("Verify my phone with the texted code")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Accepted<PhoneVerificationSent>> Send(
        ClaimsPrincipal principal,
        HttpContext http,
        PhoneVerifications verifications,
        CancellationToken cancellationToken
    )
    {
        var expiresAt = await verifications.SendCodeAsync(
            principal.UserId(),
            ClientAddress.Of(http),
            ClientAddress.NetworkOf(http),
            cancellationToken
        );
        return TypedResults.Accepted(
            (string?)null,
            new PhoneVerificationSent("A code is on its way to your phone.", expiresAt)
        );
    }

    private static async Task<Ok<UserDto>> Confirm(
        ConfirmPhoneRequest request,
        ClaimsPrincipal principal,
        PhoneVerifications verifications,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var code = request.Code?.Trim();
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit))
            throw new RequestValidationException("code", "code must be the 6 digits from the text message.");
        var user = await verifications.ConfirmAsync(principal.UserId(), code, cancellationToken);
        return TypedResults.Ok(UserDto.From(user, Rules.Today(clock)));
    }
}
