using System.ComponentModel;
using System.Security.Claims;
using Community.AiCompanion.Sessions;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.AiCompanion.Limits;

/// <summary>Today's use of the companion.</summary>
public sealed record UsageDto(
    [property: Description(
        "Messages counted today (UTC) against the daily limit; messages a session carried past it count in the session."
    )]
        long UsedToday,
    [property: Description("The tier's daily limit; null: unlimited.")] long? DailyLimit,
    [property: ValuesOf(typeof(Tiers))] string Tier,
    [property: Description("The open session (pending or active), if any.")] SessionDto? Session,
    [property: Description("The next midnight UTC, when the count starts again.")] DateTimeOffset ResetsAt
);

public static class UsageApi
{
    public static RouteGroupBuilder MapUsageApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/companion/usage")
            .WithTags("Companion limits")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", Get)
            .WithName("GetCompanionUsage")
            .WithSummary(
                "My messages with the companion today, my tier's daily limit (null: unlimited), my open session and "
                    + "when the count resets"
            );
        return group;
    }

    private static async Task<Ok<UsageDto>> Get(
        ClaimsPrincipal principal,
        AllowanceAccess allowance,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            await allowance.UsageAsync(principal.UserId(), principal.FindFirstValue(ClaimNames.Tier), cancellationToken)
        );
}
