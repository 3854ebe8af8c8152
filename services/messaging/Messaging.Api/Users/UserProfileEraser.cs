using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Users;

/// <summary>
/// The profile becomes a tombstone: no name, no picture, no address nor when it was last mailed; a late profile event
/// cannot bring it back.
/// </summary>
public sealed class UserProfileEraser(MessagingDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, display_name, as_of, deleted_at)
            VALUES ({deleted.UserId}, NULL, NULL, {deleted.OccurredAt}, {deleted.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE
                SET username = NULL, display_name = NULL, profile_image_url = NULL, email = NULL,
                    email_verified = false, digest_sent_at = NULL,
                    deleted_at = COALESCE(user_profiles.deleted_at, EXCLUDED.deleted_at),
                    as_of = GREATEST(user_profiles.as_of, EXCLUDED.as_of)
            """,
            cancellationToken
        );
}
