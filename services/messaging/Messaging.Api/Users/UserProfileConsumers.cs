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
            fromProfile: false,
            cancellationToken
        );
        // Only registration carries the digest's address; it is mailed once proven (a proven phone proves no e-mail).
        await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE user_profiles SET email = {m.Email}, email_verified = email_verified OR {m.EmailVerified}
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
            fromProfile: true,
            cancellationToken
        );
        // A proof of the e-mail once made stays (an older update arriving late must not take it back).
        if (m.EmailVerified)
            await Db.Database.ExecuteSqlAsync(
                $"UPDATE user_profiles SET email_verified = true WHERE user_id = {m.UserId} AND deleted_at IS NULL",
                cancellationToken
            );
    }
}

internal static class UserProfiles
{
    /// <summary>
    /// Writes a user's names unless a newer message did, and from a profile update (<paramref name="fromProfile"/>)
    /// the picture too: a registration has none, and leaves the one there. A profile update also replaces what a
    /// message of the same time wrote: identity announces an account again as a registration and a profile update of
    /// one time, whichever comes first.
    /// </summary>
    public static Task SetAsync(
        MessagingDbContext db,
        Guid userId,
        string username,
        string? displayName,
        string? profileImageUrl,
        DateTimeOffset at,
        bool fromProfile,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, display_name, profile_image_url, as_of)
            VALUES ({userId}, {username}, {displayName}, {profileImageUrl}, {at})
            ON CONFLICT (user_id) DO UPDATE
                SET username = EXCLUDED.username, display_name = EXCLUDED.display_name,
                    profile_image_url = CASE WHEN {fromProfile} THEN EXCLUDED.profile_image_url
                        ELSE user_profiles.profile_image_url END,
                    as_of = EXCLUDED.as_of
            WHERE (user_profiles.as_of < EXCLUDED.as_of OR ({fromProfile} AND user_profiles.as_of = EXCLUDED.as_of))
                AND user_profiles.deleted_at IS NULL
            """,
            cancellationToken
        );
}
