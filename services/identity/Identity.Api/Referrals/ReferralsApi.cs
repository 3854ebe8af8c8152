using System.Security.Claims;
using Community.Contracts;

namespace Community.Identity.Referrals;

/// <param name="ReferralsCount">Everyone who registered with my code.</param>
/// <param name="Conversions">
/// Those whose first paid purchase converted the referral (a conversion refunded in full no longer counts).
/// </param>
/// <param name="Pending">Those who registered with my code and have not paid for anything yet.</param>
/// <param name="CreditsEarned">
/// My side of those conversions: 50 credits each (the credits ledger in payments shows them).
/// </param>
public sealed record ReferralSummary(
    string ReferralCode,
    int ReferralsCount,
    int Conversions,
    int Pending,
    long CreditsEarned
);

public static class ReferralsApi
{
    public static RouteGroupBuilder MapReferralsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/referrals")
            .WithTags("Referrals")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("/me", GetMine)
            .WithName("GetMyReferrals")
            .WithSummary("My referral code, how many it brought, converted and pending, and the credits earned");
        return group;
    }

    private static async Task<Ok<ReferralSummary>> GetMine(
        ClaimsPrincipal principal,
        IdentityDbContext db,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        // The code and its counts in one statement (one moment): a grouped aggregate picked with FirstOrDefault would
        // be a query EF warns about on every call.
        var referrals = db.Referrals.Where(r => r.ReferrerUserId == userId);
        var mine =
            await db
                .Users.Where(u => u.Id == userId)
                .Select(u => new
                {
                    u.ReferralCode,
                    Total = referrals.Count(),
                    Converted = referrals.Count(r => r.ConvertedAt != null && r.RevokedAt == null),
                    Pending = referrals.Count(r => r.ConvertedAt == null),
                })
                .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        return TypedResults.Ok(
            new ReferralSummary(
                mine.ReferralCode,
                mine.Total,
                mine.Converted,
                mine.Pending,
                mine.Converted * ReferralTerms.CreditsEach
            )
        );
    }
}
