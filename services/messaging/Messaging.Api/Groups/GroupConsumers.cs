using Community.Contracts;
using Community.Contracts.Social;
using Community.Messaging.Notifying;
using Community.Messaging.Relations;
using Community.Messaging.Users;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.Messaging.Groups;

// Group membership and roles from social: a thread is open to its group's active members, and its
// moderators and owner may delete others' messages there. Writes compare as-of times; a join or departure is pushed
// to the group's threads' joined connections and its subscribed ones (member_joined / member_left). A deleted
// account joins nothing again (GroupMembership.SetAsync); its departure from social still lands.

public sealed class GroupCreatedConsumer(MessagingDbContext db, ILogger<GroupCreatedConsumer> logger)
    : IdempotentConsumer<GroupCreated, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<GroupCreated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO groups (group_id, deleted, as_of) VALUES ({m.GroupId}, false, {m.OccurredAt})
            ON CONFLICT (group_id) DO NOTHING
            """,
            cancellationToken
        );
        if (await DeletedUsers.AnyAsync(Db, [m.OwnerUserId], cancellationToken))
            return;
        // Social announces the owner's GroupMemberJoined at the same instant, often first: the owner's role wins a tie.
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO group_members (group_id, user_id, role, active, as_of)
            SELECT {m.GroupId}, {m.OwnerUserId}, 'owner', true, {m.OccurredAt}
            WHERE NOT EXISTS (SELECT 1 FROM groups WHERE group_id = {m.GroupId} AND deleted)
            ON CONFLICT (group_id, user_id) DO UPDATE
                SET role = 'owner', active = true, as_of = EXCLUDED.as_of
            WHERE group_members.as_of <= EXCLUDED.as_of
            """,
            cancellationToken
        );
    }
}

public sealed class GroupMemberJoinedConsumer(
    MessagingDbContext db,
    LiveDelivery live,
    ILogger<GroupMemberJoinedConsumer> logger
) : IdempotentConsumer<GroupMemberJoined, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<GroupMemberJoined> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await SettlementLocks.GroupPeopleAsync(Db, m.GroupId, [m.UserId], cancellationToken);
        if (await DeletedUsers.AnyAsync(Db, [m.UserId], cancellationToken))
            return;
        // Social announces a join only for a membership it has just made, and makes it a member's: a later join
        // is a new membership, whatever role the row still holds (a moderator who left and joined again, whose
        // departure is handled after the join, is a member). The owner's join at the group's creation carries the
        // creation's instant, which does not win over GroupCreated's owner.
        var changed = await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO group_members (group_id, user_id, role, active, as_of)
            SELECT {m.GroupId}, {m.UserId}, 'member', true, {m.OccurredAt}
            WHERE NOT EXISTS (SELECT 1 FROM groups WHERE group_id = {m.GroupId} AND deleted)
            ON CONFLICT (group_id, user_id) DO UPDATE
                SET role = 'member', active = true, as_of = EXCLUDED.as_of
            WHERE group_members.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );
        _changed = changed > 0;
        // Whatever let them in used up their invitations (social deletes them): "X invited you to join" asks nothing
        // more of them, in the bell or the digest.
        await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE notifications SET read_at = {m.OccurredAt}
            WHERE user_id = {m.UserId} AND kind = {NotificationKinds.GroupInvited} AND read_at IS NULL
              AND subject_type = {SubjectTypes.Group} AND subject_id = {m.GroupId}
            """,
            cancellationToken
        );
    }

    private bool _changed;

    protected override Task AfterCommitAsync(
        ConsumeContext<GroupMemberJoined> context,
        CancellationToken cancellationToken
    ) =>
        _changed
            ? GroupMembership.AnnounceAsync(
                Db,
                live,
                context.Message.GroupId,
                context.Message.UserId,
                true,
                cancellationToken
            )
            : Task.CompletedTask;
}

public sealed class GroupMemberLeftConsumer(
    MessagingDbContext db,
    LiveDelivery live,
    ILogger<GroupMemberLeftConsumer> logger
) : IdempotentConsumer<GroupMemberLeft, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<GroupMemberLeft> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        _changed =
            await GroupMembership.SetAsync(
                Db,
                m.GroupId,
                m.UserId,
                GroupRoles.Member,
                false,
                m.OccurredAt,
                cancellationToken
            ) > 0;
    }

    private bool _changed;

    protected override Task AfterCommitAsync(
        ConsumeContext<GroupMemberLeft> context,
        CancellationToken cancellationToken
    ) =>
        _changed
            ? GroupMembership.AnnounceAsync(
                Db,
                live,
                context.Message.GroupId,
                context.Message.UserId,
                false,
                cancellationToken
            )
            : Task.CompletedTask;
}

public sealed class GroupMemberRoleChangedConsumer(
    MessagingDbContext db,
    ILogger<GroupMemberRoleChangedConsumer> logger
) : IdempotentConsumer<GroupMemberRoleChanged, MessagingDbContext>(db, logger)
{
    protected override Task HandleAsync(
        ConsumeContext<GroupMemberRoleChanged> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        if (!GroupRoles.All.Contains(m.Role))
            throw new InvalidOperationException(
                $"GroupMemberRoleChanged {m.MessageId} names role '{m.Role}', "
                    + $"which is not one of {string.Join(", ", GroupRoles.All)}."
            );
        return GroupMembership.SetAsync(Db, m.GroupId, m.UserId, m.Role, true, m.OccurredAt, cancellationToken);
    }
}

/// <summary>
/// A deleted group's threads close for sending; nobody reads them any more (the group has no members). Whoever has
/// one of them open is told (conversation_closed), so no screen keeps showing what is gone.
/// </summary>
public sealed class GroupDeletedConsumer(MessagingDbContext db, LiveDelivery live, ILogger<GroupDeletedConsumer> logger)
    : IdempotentConsumer<GroupDeleted, MessagingDbContext>(db, logger)
{
    private List<Guid> _threads = [];
    private List<Guid> _members = [];

    protected override async Task HandleAsync(ConsumeContext<GroupDeleted> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        await SettlementLocks.GroupAsync(Db, m.GroupId, shared: false, cancellationToken);
        // As a departure, in its order: a thread's send under way (a new thread's whole create) is waited for, so its
        // thread is closed and what it told forgotten below; a later one sees the group deleted.
        await SettlementLocks.GroupSendsAsync(Db, m.GroupId, shared: false, cancellationToken);
        // Read before the members are made inactive: they are the ones who may have its threads open.
        _threads = await Db
            .Conversations.Where(c => c.Kind == ConversationKinds.Thread && c.GroupId == m.GroupId && !c.Closed)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        _members = await Db
            .GroupMembers.Where(g => g.GroupId == m.GroupId && g.Active)
            .Select(g => g.UserId)
            .ToListAsync(cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO groups (group_id, deleted, as_of) VALUES ({m.GroupId}, true, {m.OccurredAt})
            ON CONFLICT (group_id) DO UPDATE SET deleted = true, as_of = GREATEST(groups.as_of, EXCLUDED.as_of)
            """,
            cancellationToken
        );
        await Db
            .GroupMembers.Where(g => g.GroupId == m.GroupId)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.Active, false), cancellationToken);
        await Db
            .Conversations.Where(c => c.Kind == ConversationKinds.Thread && c.GroupId == m.GroupId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Closed, true), cancellationToken);
        await NotificationStore.ForgetUnreadMessagesOfMembersAsync(Db, m.GroupId, null, cancellationToken);
        await Db.GroupJoinDecisions.Where(d => d.GroupId == m.GroupId).ExecuteDeleteAsync(cancellationToken);
        await Db.GroupInvitationEnds.Where(e => e.GroupId == m.GroupId).ExecuteDeleteAsync(cancellationToken);
        // Nobody joins it any more: a request to it asks nothing of its deciders (its invitations end by
        // GroupInvitationsEnded, which names their guests).
        await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE notifications SET read_at = {m.OccurredAt}
            WHERE user_id IN (SELECT user_id FROM group_members WHERE group_id = {m.GroupId})
              AND kind = {NotificationKinds.GroupJoinRequested} AND read_at IS NULL
              AND subject_type = {SubjectTypes.Group} AND subject_id = {m.GroupId}
            """,
            cancellationToken
        );
    }

    protected override async Task AfterCommitAsync(
        ConsumeContext<GroupDeleted> context,
        CancellationToken cancellationToken
    )
    {
        foreach (var thread in _threads)
            await live.ConversationClosedAsync(thread, ConversationClosed.GroupDeleted, _members);
    }
}

internal static class GroupMembership
{
    /// <summary>
    /// A group's member joined or left: each open thread hears it, as an event chat's members do, and so do the
    /// connections subscribed to the group (JoinGroup); never those in a block with them, nor, in a thread, those in a
    /// block with its author, whom its pushes never reach (<see cref="ConversationAudience"/>), but its owner and
    /// moderators, who keep it.
    /// </summary>
    public static async Task AnnounceAsync(
        MessagingDbContext db,
        LiveDelivery live,
        Guid groupId,
        Guid userId,
        bool joined,
        CancellationToken cancellationToken
    )
    {
        var threads = await db
            .Conversations.Where(c => c.Kind == ConversationKinds.Thread && c.GroupId == groupId && !c.Closed)
            .Select(c => new
            {
                c.Id,
                AuthorId = db.Threads.Where(t => t.Id == c.Id).Select(t => (Guid?)t.AuthorId).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var blocked = RelationQueries.BlockedWith(db, userId);
        var rows = await db
            .GroupMembers.Where(g => g.GroupId == groupId && g.Active && !blocked.Contains(g.UserId))
            .Select(g => new { g.UserId, Moderates = g.Role == GroupRoles.Owner || g.Role == GroupRoles.Moderator })
            .ToListAsync(cancellationToken);
        var members = rows.Select(r => r.UserId).ToList();
        var authors = threads.Where(t => t.AuthorId is not null).Select(t => t.AuthorId!.Value).Distinct().ToList();
        var authorBlocks = await db
            .Blocks.Where(b => b.Blocked && (authors.Contains(b.BlockerId) || authors.Contains(b.BlockedId)))
            .Select(b => new { b.BlockerId, b.BlockedId })
            .ToListAsync(cancellationToken);
        var target = joined ? LiveEvents.MemberJoined : LiveEvents.MemberLeft;
        IReadOnlyList<Guid> audience = [.. members, userId];
        await live.GroupMemberAsync(target, groupId, userId, audience);
        foreach (var thread in threads)
        {
            var hiddenFrom = authorBlocks
                .Where(b => b.BlockerId == thread.AuthorId || b.BlockedId == thread.AuthorId)
                .Select(b => b.BlockerId == thread.AuthorId ? b.BlockedId : b.BlockerId)
                .ToHashSet();
            IReadOnlyList<Guid> told =
                hiddenFrom.Count == 0
                    ? audience
                    : [.. rows.Where(r => r.Moderates || !hiddenFrom.Contains(r.UserId)).Select(r => r.UserId), userId];
            await live.MemberAsync(target, thread.Id, userId, told, groupId);
        }
    }

    /// <summary>
    /// A member's role or departure, unless older than the row or the group is deleted (a message dated before the
    /// deletion but handled after it would make a member of a deleted group again). A deleted account is made active
    /// nowhere: a message sent before its deletion but handled after it (<see cref="DeletedUsers"/>) changes nothing,
    /// while its departure, social's answer to the same deletion, still ends its membership.
    /// </summary>
    public static async Task<int> SetAsync(
        MessagingDbContext db,
        Guid groupId,
        Guid userId,
        string role,
        bool active,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        if (active && await DeletedUsers.AnyAsync(db, [userId], cancellationToken))
            return 0;
        // No longer one who decides who joins: before the change, so no notifier working out the deciders at this
        // moment tells them after it (below).
        var decides = active && role is GroupRoles.Owner or GroupRoles.Moderator;
        if (!decides)
            await SettlementLocks.GroupAsync(db, groupId, shared: false, cancellationToken);
        // Gone: a thread's send under way is waited for, so what it tells them is forgotten below; a later one sees
        // them gone.
        if (!active)
            await SettlementLocks.GroupSendsAsync(db, groupId, shared: false, cancellationToken);
        var changed = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO group_members (group_id, user_id, role, active, as_of)
            SELECT {groupId}, {userId}, {role}, {active}, {at}
            WHERE NOT EXISTS (SELECT 1 FROM groups WHERE group_id = {groupId} AND deleted)
            ON CONFLICT (group_id, user_id) DO UPDATE
                SET role = EXCLUDED.role, active = EXCLUDED.active, as_of = EXCLUDED.as_of
            WHERE group_members.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );
        // Gone from the group: its threads' unread message notifications go too.
        if (changed > 0 && !active)
            await NotificationStore.ForgetUnreadMessagesAsync(db, userId, null, groupId, cancellationToken);
        // Demoted or gone, the requests to join are no longer theirs to decide: read, the asker's reason with them.
        if (changed > 0 && !decides)
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE notifications SET read_at = {at}
                WHERE user_id = {userId} AND kind = {NotificationKinds.GroupJoinRequested} AND read_at IS NULL
                  AND subject_type = {SubjectTypes.Group} AND subject_id = {groupId}
                """,
                cancellationToken
            );
        return changed;
    }
}
