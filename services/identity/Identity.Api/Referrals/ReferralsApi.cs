using System.Security.Claims;
using Community.Identity.Data;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Community.Identity.Referrals;

public sealed record ReferralSummary(string ReferralCode, int ReferralsCount, int Conversions);

public static class ReferralsApi
{
    public static RouteGroupBuilder MapReferralsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/referrals").WithTags("Referrals").RequireAuthorization(Policies.Member).WithStandardProblems();
        group.MapGet("/me", GetMine).WithName("GetMyReferrals").WithSummary("My referral code and how many it brought");
        return group;
    }

    private static async Task<Ok<ReferralSummary>> GetMine(ClaimsPrincipal principal, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        var code = await db.Users.Where(u => u.Id == userId).Select(u => u.ReferralCode).FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        var counts = await db.Referrals.Where(r => r.ReferrerUserId == userId)
            .GroupBy(_ => 1)
            .Select(g => new { Total = g.Count(), Converted = g.Count(r => r.ConvertedAt != null) })
            .FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new ReferralSummary(code, counts?.Total ?? 0, counts?.Converted ?? 0));
    }
}
