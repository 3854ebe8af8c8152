namespace Community.Events.Users;

/// <summary>
/// Writes the projection: one statement each, so messages racing or arriving out of order leave the newest.
/// </summary>
public static class UserProfileProjection
{
    public static Task<int> UpsertAsync(
        EventsDbContext db,
        Guid userId,
        string username,
        string? fullName,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, full_name, as_of) VALUES ({userId}, {username}, {fullName},
                {asOf.ToUniversalTime()})
            ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, full_name = EXCLUDED.full_name, as_of =
                EXCLUDED.as_of
            WHERE user_profiles.deleted_at IS NULL AND user_profiles.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );

    public static Task<int> EraseAsync(
        EventsDbContext db,
        Guid userId,
        DateTimeOffset deletedAt,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, full_name, as_of, deleted_at) VALUES ({userId}, NULL, NULL,
                {deletedAt.ToUniversalTime()}, {deletedAt.ToUniversalTime()})
            ON CONFLICT (user_id) DO UPDATE SET username = NULL, full_name = NULL, as_of =
                GREATEST(user_profiles.as_of, EXCLUDED.as_of),
                deleted_at = COALESCE(user_profiles.deleted_at, EXCLUDED.deleted_at)
            """,
            cancellationToken
        );
}
