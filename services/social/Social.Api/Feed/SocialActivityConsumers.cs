using Community.Contracts.Social;
using MassTransit;
using NewId = Community.ServiceDefaults.Api.NewId;

namespace Community.Social.Feed;

// Social's own messages as feed activity. A row is written only while what it reports still holds, so a message that
// arrives after its undoing (a leave that overtook the join) records nothing stale. One row per actor, kind and
// subject, at the latest time reported: a rejoin, a re-follow or a new connection handled after (or before) the first
// one's message dates the news when it happened again, whatever the order the messages come in.

/// <summary>The follower followed someone.</summary>
public sealed class FeedUserFollowedConsumer(SocialDbContext db, ILogger<FeedUserFollowedConsumer> logger)
    : IdempotentConsumer<UserFollowed, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<UserFollowed> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        // The follow locked until the commit: an unfollow or a block ending it meanwhile waits, then deletes this row
        // with it (FeedRules); one that ended it first leaves no follow to find below.
        await Db.Database.ExecuteSqlAsync(
            $"""
            SELECT 1 FROM follows WHERE follower_id = {m.FollowerUserId} AND followed_id = {m.FollowedUserId}
                FOR KEY SHARE
            """,
            cancellationToken
        );
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activities (id, kind, actor_id, subject_id, subject_user_id, visible, occurred_at)
            SELECT {NewId.Next(
                at
            )}, {ActivityKinds.UserFollowed}, {m.FollowerUserId}, {m.FollowedUserId}, {m.FollowedUserId}, true, {at}
            WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = {m.FollowerUserId}
                AND f.followed_id = {m.FollowedUserId})
            ON CONFLICT (kind, actor_id, subject_id) DO UPDATE
                SET occurred_at = GREATEST(activities.occurred_at, EXCLUDED.occurred_at)
            """,
            cancellationToken
        );
    }
}

/// <summary>Two people connected: news for each one's people, so one row for each side.</summary>
public sealed class FeedConnectionAcceptedConsumer(SocialDbContext db, ILogger<FeedConnectionAcceptedConsumer> logger)
    : IdempotentConsumer<ConnectionAccepted, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ConnectionAccepted> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        // As for a follow: the connection locked until the commit, so a removal meanwhile waits, and its
        // ConnectionRemoved then finds these rows; one that removed it first leaves no accepted connection below.
        await Db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM connections WHERE id = {m.ConnectionId} FOR KEY SHARE",
            cancellationToken
        );
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activities (id, kind, actor_id, subject_id, subject_user_id, visible, occurred_at)
            SELECT side.id, {ActivityKinds.ConnectionAccepted}, side.actor, side.other, side.other, true, {at}
            FROM (VALUES ({NewId.Next(at)}, {m.FromUserId}, {m.ToUserId}), ({NewId.Next(
                at
            )}, {m.ToUserId}, {m.FromUserId})) AS side (id, actor, other)
            WHERE EXISTS (SELECT 1 FROM connections c WHERE c.id = {m.ConnectionId} AND c.status = 'accepted')
            ON CONFLICT (kind, actor_id, subject_id) DO UPDATE
                SET occurred_at = GREATEST(activities.occurred_at, EXCLUDED.occurred_at)
            """,
            cancellationToken
        );
    }
}

/// <summary>
/// An ended connection (or a block) takes its news with it; not while the two are connected again, accepted before
/// this (late, or redelivered) message was handled: the pair's one row per side is then the newer connection's news.
/// </summary>
public sealed class FeedConnectionRemovedConsumer(SocialDbContext db, ILogger<FeedConnectionRemovedConsumer> logger)
    : IdempotentConsumer<ConnectionRemoved, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<ConnectionRemoved> context, CancellationToken cancellationToken)
    {
        var (a, b) = (context.Message.RemovedByUserId, context.Message.OtherUserId);
        return Db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM activities WHERE kind = {ActivityKinds.ConnectionAccepted}
              AND ((actor_id = {a} AND subject_id = {b}) OR (actor_id = {b} AND subject_id = {a}))
              AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.status = 'accepted'
                  AND ((c.requester_id = {a} AND c.addressee_id = {b})
                      OR (c.requester_id = {b} AND c.addressee_id = {a})))
            """,
            cancellationToken
        );
    }
}

/// <summary>
/// A new member is news for the group's members, and for the member's people when the group is public.
/// </summary>
public sealed class FeedGroupMemberJoinedConsumer(SocialDbContext db, ILogger<FeedGroupMemberJoinedConsumer> logger)
    : IdempotentConsumer<GroupMemberJoined, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<GroupMemberJoined> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        // As for a follow: the membership locked until the commit, so a leave meanwhile waits, and its GroupMemberLeft
        // then finds this row; one that left first leaves no membership below. The group is locked first, as its
        // deletion takes them (the group, then its members by cascade) and as the insert's foreign key to it would:
        // the other order deadlocks with a group deleted meanwhile.
        await Db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM groups WHERE id = {m.GroupId} FOR KEY SHARE",
            cancellationToken
        );
        await Db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM group_members WHERE group_id = {m.GroupId} AND user_id = {m.UserId} FOR KEY SHARE",
            cancellationToken
        );
        // The owner's membership comes with creating the group, which is not joining it.
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activities (id, kind, actor_id, subject_id, group_id, visible, occurred_at)
            SELECT {NewId.Next(at)}, {ActivityKinds.GroupJoined}, {m.UserId}, {m.GroupId}, {m.GroupId}, true, {at}
            WHERE EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = {m.GroupId} AND gm.user_id = {m.UserId}
                AND gm.role <> 'owner')
            ON CONFLICT (kind, actor_id, subject_id) DO UPDATE
                SET occurred_at = GREATEST(activities.occurred_at, EXCLUDED.occurred_at)
            """,
            cancellationToken
        );
    }
}

/// <summary>
/// Someone who left is no longer shown as having joined; not while they are a member again, rejoined before this (late,
/// or redelivered) message was handled.
/// </summary>
public sealed class FeedGroupMemberLeftConsumer(SocialDbContext db, ILogger<FeedGroupMemberLeftConsumer> logger)
    : IdempotentConsumer<GroupMemberLeft, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<GroupMemberLeft> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return Db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM activities WHERE kind = {ActivityKinds.GroupJoined} AND actor_id = {m.UserId}
                AND subject_id = {m.GroupId}
                AND NOT EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = {m.GroupId}
                    AND gm.user_id = {m.UserId})
            """,
            cancellationToken
        );
    }
}
