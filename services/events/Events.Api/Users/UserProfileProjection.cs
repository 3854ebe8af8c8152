namespace Community.Events.Users;

/// <summary>
/// Writes the projection: one statement each, so messages racing or arriving out of order leave the newest.
/// </summary>
public static class UserProfileProjection
{
    /// <summary>A new account's names (a registration has no picture), unless a message as new or newer did.</summary>
    public static Task<int> RegisteredAsync(
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

    /// <summary>
    /// A profile's names and picture, unless a newer message wrote. It replaces a registration of the same time too:
    /// identity announces an account again as both, of one time, and the registration has no picture.
    /// </summary>
    public static Task<int> ProfileAsync(
        EventsDbContext db,
        Guid userId,
        string username,
        string? fullName,
        string? profileImageUrl,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, full_name, profile_image_url, as_of)
            VALUES ({userId}, {username}, {fullName}, {profileImageUrl}, {asOf.ToUniversalTime()})
            ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, full_name = EXCLUDED.full_name,
                profile_image_url = EXCLUDED.profile_image_url, as_of = EXCLUDED.as_of
            WHERE user_profiles.deleted_at IS NULL AND user_profiles.as_of <= EXCLUDED.as_of
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
            ON CONFLICT (user_id) DO UPDATE SET username = NULL, full_name = NULL, profile_image_url = NULL, as_of =
                GREATEST(user_profiles.as_of, EXCLUDED.as_of),
                deleted_at = COALESCE(user_profiles.deleted_at, EXCLUDED.deleted_at)
            """,
            cancellationToken
        );
}
