using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.Messaging.Users;

// The names shown beside messages: writes compare as-of times (an older message changes nothing), and a deleted
// user stays deleted.

public sealed class UserRegisteredConsumer(MessagingDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<UserRegistered> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // Registration carries no picture: one is added by a profile update.
        await UserProfiles.SetAsync(
            Db,
            m.UserId,
            m.Username,
            m.FullName,
            null,
            m.OccurredAt,
            sameTimeWins: false,
            cancellationToken
        );
        // Only registration carries the digest's address; it is mailed once proven.
        await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE user_profiles SET email = {m.Email}, email_verified = email_verified OR {m.IsVerified}
            WHERE user_id = {m.UserId} AND deleted_at IS NULL
            """,
            cancellationToken
        );
    }
}

public sealed class UserProfileUpdatedConsumer(MessagingDbContext db, ILogger<UserProfileUpdatedConsumer> logger)
    : IdempotentConsumer<UserProfileUpdated, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<UserProfileUpdated> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await UserProfiles.SetAsync(
            Db,
            m.UserId,
            m.Username,
            m.FullName,
            m.ProfileImageUrl,
            m.OccurredAt,
            sameTimeWins: true,
            cancellationToken
        );
        // A proof once made stays (an older update arriving late must not take it back).
        if (m.IsVerified)
            await Db.Database.ExecuteSqlAsync(
                $"UPDATE user_profiles SET email_verified = true WHERE user_id = {m.UserId} AND deleted_at IS NULL",
                cancellationToken
            );
    }
}

internal static class UserProfiles
{
    /// <summary>
    /// Writes a user's names and picture unless a newer message did. With <paramref name="sameTimeWins"/> (a profile
    /// update) it also replaces what a message of the same time wrote: identity announces an account again as a
    /// registration and a profile update of one time, and the registration, which has no picture, must not hide the
    /// profile's whichever comes first.
    /// </summary>
    public static Task SetAsync(
        MessagingDbContext db,
        Guid userId,
        string username,
        string? displayName,
        string? profileImageUrl,
        DateTimeOffset at,
        bool sameTimeWins,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, display_name, profile_image_url, as_of)
            VALUES ({userId}, {username}, {displayName}, {profileImageUrl}, {at})
            ON CONFLICT (user_id) DO UPDATE
                SET username = EXCLUDED.username, display_name = EXCLUDED.display_name,
                    profile_image_url = EXCLUDED.profile_image_url, as_of = EXCLUDED.as_of
            WHERE (user_profiles.as_of < EXCLUDED.as_of OR ({sameTimeWins} AND user_profiles.as_of = EXCLUDED.as_of))
                AND user_profiles.deleted_at IS NULL
            """,
            cancellationToken
        );
}
