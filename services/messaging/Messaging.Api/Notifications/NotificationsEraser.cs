using Community.Contracts.Identity;
using Community.Messaging.Notifying;
using Community.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;

namespace Community.Messaging.Notifications;

/// <summary>
/// A deleted account's own notifications go, and when its join requests were decided. Those it caused stay with the
/// people told, its name no longer shown, but the reason it gave for asking to join a group is its own words, so it
/// goes from them (null, as for none given). A send racing the erasure may still write the account a notification this
/// delete cannot see (not yet committed): a follow-up is written down with it (<see cref="ErasureFollowUpSweep"/>).
/// </summary>
public sealed class NotificationsEraser(MessagingDbContext db, TimeProvider clock, IOptions<ErasureOptions> options)
    : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        // The follow-up first, as the sweep takes it before the notifications: a second erasure waits, never crosses.
        var due = clock.GetUtcNow() + options.Value.FollowUpAfter;
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO erasure_follow_ups (user_id, due_at) VALUES ({deleted.UserId}, {due})
            ON CONFLICT (user_id) DO UPDATE SET due_at = GREATEST(erasure_follow_ups.due_at, EXCLUDED.due_at);
            DELETE FROM notifications WHERE user_id = {deleted.UserId};
            DELETE FROM group_join_decisions WHERE user_id = {deleted.UserId};
            DELETE FROM group_invitation_ends WHERE user_id = {deleted.UserId}
            """,
            cancellationToken
        );
        // No index leads with actor_id: one scan per deleted account, rather than an index every insert pays for.
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE notifications SET data = jsonb_set(data, ARRAY['reason'], 'null'::jsonb)
            WHERE actor_id = {deleted.UserId} AND kind = {NotificationKinds.GroupJoinRequested}
              AND data ->> 'reason' IS NOT NULL
            """,
            cancellationToken
        );
    }
}
