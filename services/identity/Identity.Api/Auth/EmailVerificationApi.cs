using System.Security.Claims;
using Community.ServiceDefaults;

namespace Community.Identity.Auth;

public sealed record EmailVerificationSent(string Message)
{
    public static readonly EmailVerificationSent CheckYourEmail = new(
        "If the address can be confirmed for this account, a link is on its way."
    );
}

/// <summary>
/// The signed-in member asks for a new link proving their e-mail (the registration mailed the first).
/// </summary>
public static class EmailVerificationApi
{
    public static RouteGroupBuilder MapEmailVerificationApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/users/me/email/verification")
            .WithTags("Users")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Send)
            .WithName("SendEmailVerificationLink")
            .WithSummary(
                "Mail a new link that confirms my e-mail (202 whether or not another account holds the address)"
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    private static async Task<Accepted<EmailVerificationSent>> Send(
        ClaimsPrincipal principal,
        HttpContext http,
        IdentityDbContext db,
        EmailVerifications verifications,
        RegistrationThrottle throttle,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var user =
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        // The caller's own state, so saying so reveals nothing about anyone else.
        if (user.Email is null)
            throw new ConflictException("The account has no e-mail address to confirm.");
        if (user.EmailVerifiedAt is not null)
            throw new ConflictException("The e-mail address is already confirmed.");
        // Its own counter: registrations naming the address from elsewhere never use up the owner's links, nor (per
        // client address) the mails to it.
        await throttle.CountLinkRequestAsync(user.Id, cancellationToken);
        await verifications.SendAsync(user, ClientAddress.Of(http), ClientAddress.NetworkOf(http), cancellationToken);
        return TypedResults.Accepted((string?)null, EmailVerificationSent.CheckYourEmail);
    }
}
