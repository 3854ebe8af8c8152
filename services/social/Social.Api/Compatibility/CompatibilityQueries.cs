namespace Community.Social.Compatibility;

/// <summary>
/// The compatibility score (0-100) and shared interests, defined once in SQL for every feature that shows them.
/// </summary>
public static class CompatibilityQueries
{
    public static async Task<int> ScoreAsync(SocialDbContext db, Guid a, Guid b, CancellationToken cancellationToken) =>
        (
            await db
                .Database.SqlQuery<int?>($"SELECT compatibility_score({a}, {b}) AS \"Value\"")
                .ToListAsync(cancellationToken)
        ).FirstOrDefault() ?? 0;

    /// <summary>
    /// The compatibility score of <paramref name="callerId"/> with each of <paramref name="others"/>.
    /// </summary>
    public static async Task<Dictionary<Guid, int>> ScoresAsync(
        SocialDbContext db,
        Guid callerId,
        IReadOnlyList<Guid> others,
        CancellationToken cancellationToken
    )
    {
        if (others.Count == 0)
            return [];
        var ids = others.ToArray();
        var rows = await db
            .Database.SqlQuery<ScoreRow>(
                $"""
                SELECT o AS user_id, COALESCE(compatibility_score({callerId}, o), 0) AS score
                FROM unnest({ids}) AS o
                """
            )
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.UserId, r => r.Score);
    }

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
                    SELECT common_interests(pa.interests, pb.interests) AS "Value"
                    FROM user_profiles pa, user_profiles pb WHERE pa.user_id = {a} AND pb.user_id = {b}
                    """
                )
                .ToListAsync(cancellationToken)
        ).FirstOrDefault() ?? [];

    private sealed record ScoreRow(Guid UserId, int Score);
}
