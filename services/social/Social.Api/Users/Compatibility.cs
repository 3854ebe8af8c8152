using Community.Social.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Social.Users;

/// <summary>The compatibility score (0-100) and shared interests, defined once in SQL (migration 0002) for every feature that shows them.</summary>
public static class Compatibility
{
    public static async Task<int> ScoreAsync(SocialDbContext db, Guid a, Guid b, CancellationToken cancellationToken) =>
        (
            await db
                .Database.SqlQuery<int?>($"SELECT compatibility_score({a}, {b}) AS \"Value\"")
                .ToListAsync(cancellationToken)
        ).FirstOrDefault() ?? 0;

    public static async Task<IReadOnlyList<string>> CommonInterestsAsync(
        SocialDbContext db,
        Guid a,
        Guid b,
        CancellationToken cancellationToken
    ) =>
        (
            await db
                .Database.SqlQuery<string[]>(
                    $"""
                    SELECT common_interests(pa.interests, pb.interests) AS "Value" FROM profiles pa, profiles pb WHERE pa.user_id = {a} AND pb.user_id = {b}
                    """
                )
                .ToListAsync(cancellationToken)
        ).FirstOrDefault() ?? [];
}
