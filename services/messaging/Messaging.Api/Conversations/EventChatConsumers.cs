using Community.Contracts;
using Community.Contracts.Events;
using Community.Messaging.Notifying;
using Community.Messaging.Relations;
using Community.Messaging.Users;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using NewId = Community.ServiceDefaults.Api.NewId;

namespace Community.Messaging.Conversations;

// Event chats: one per event, open to its organizer and confirmed attendees, made by whichever message comes first;
// membership writes compare as-of times, and a change is pushed once the inbox transaction has committed.

public sealed class EventPublishedConsumer(
    MessagingDbContext db,
    TimeProvider clock,
    ILogger<EventPublishedConsumer> logger
) : IdempotentConsumer<EventPublished, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<EventPublished> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var conversationId = await EventChats.EnsureAsync(Db, m.EventId, m.OccurredAt, clock, cancellationToken);
        await Db
            .Conversations.Where(c => c.Id == conversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, m.OrganizerUserId), cancellationToken);
        await EventChats.SetMemberAsync(
            Db,
            conversationId,
            m.OrganizerUserId,
            MemberRoles.Organizer,
            true,
            m.OccurredAt,
            cancellationToken
        );
    }
}

public sealed class RegistrationConfirmedConsumer(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<RegistrationConfirmedConsumer> logger
) : IdempotentConsumer<RegistrationConfirmed, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<RegistrationConfirmed> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var conversationId = await EventChats.EnsureAsync(Db, m.EventId, m.OccurredAt, clock, cancellationToken);
        if (
            await EventChats.SetMemberAsync(
                Db,
                conversationId,
                m.UserId,
                MemberRoles.Attendee,
                true,
                m.OccurredAt,
                cancellationToken
            )
        )
            _joined = conversationId;
    }

    private Guid? _joined;

    protected override Task AfterCommitAsync(
        ConsumeContext<RegistrationConfirmed> context,
        CancellationToken cancellationToken
    ) =>
        _joined is { } conversationId
            ? EventChats.AnnounceMemberAsync(Db, live, conversationId, context.Message.UserId, true, cancellationToken)
            : Task.CompletedTask;
}

public sealed class RsvpCancelledConsumer(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<RsvpCancelledConsumer> logger
) : IdempotentConsumer<RsvpCancelled, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<RsvpCancelled> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var conversationId = await EventChats.EnsureAsync(Db, m.EventId, m.OccurredAt, clock, cancellationToken);
        if (
            await EventChats.SetMemberAsync(
                Db,
                conversationId,
                m.UserId,
                MemberRoles.Attendee,
                false,
                m.OccurredAt,
                cancellationToken
            )
        )
            _left = conversationId;
    }

    private Guid? _left;

    protected override Task AfterCommitAsync(
        ConsumeContext<RsvpCancelled> context,
        CancellationToken cancellationToken
    ) =>
        _left is { } conversationId
            ? EventChats.AnnounceMemberAsync(Db, live, conversationId, context.Message.UserId, false, cancellationToken)
            : Task.CompletedTask;
}

public sealed class EventCancelledConsumer(
    MessagingDbContext db,
    TimeProvider clock,
    ILogger<EventCancelledConsumer> logger
) : IdempotentConsumer<EventCancelled, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<EventCancelled> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var conversationId = await EventChats.EnsureAsync(Db, m.EventId, m.OccurredAt, clock, cancellationToken);
        await Db
            .Conversations.Where(c => c.Id == conversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Closed, true), cancellationToken);
    }
}

public static class EventChats
{
    /// <summary>The event's chat, created if no message about the event came before.</summary>
    public static async Task<Guid> EnsureAsync(
        MessagingDbContext db,
        Guid eventId,
        DateTimeOffset at,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var id = NewId.Next(clock);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO conversations (id, kind, event_id, last_seq, last_activity_at, closed, created_at)
            VALUES ({id}, 'event_chat', {eventId}, 0, {at}, false, {at})
            ON CONFLICT (event_id) WHERE kind = 'event_chat' DO NOTHING
            """,
            cancellationToken
        );
        return await db
            .Conversations.Where(c => c.Kind == ConversationKinds.EventChat && c.EventId == eventId)
            .Select(c => c.Id)
            .SingleAsync(cancellationToken);
    }

    /// <summary>
    /// Writes a member's role and presence in an event chat, unless the message is older than the row; returns whether
    /// they joined or left by it (the row's <c>active</c> changed), which is what its members are told. The organizer
    /// stays organizer, and a member, when they also register or cancel; their role wins whenever it comes, as a
    /// registration handled before the publication (a backlog, each message on its own queue) must not leave them an
    /// attendee that a cancellation would take out of their own event's chat. A message about a deleted account changes
    /// nothing (its rows went with it: <see cref="ConversationMembersEraser"/>).
    /// </summary>
    public static async Task<bool> SetMemberAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        string role,
        bool active,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        if (await DeletedUsers.AnyAsync(db, [userId], cancellationToken))
            return false;
        // Leaving: the chat's row shared, so a send under way (it holds the row, MessageInsert.LockFirst) is waited for
        // and its notification of them forgotten below, and a later send sees them gone.
        if (!active)
            await db.Database.ExecuteSqlAsync(
                $"SELECT 1 FROM conversations WHERE id = {conversationId} FOR SHARE",
                cancellationToken
            );
        // Locked, so what the write changes is judged against the row it changes.
        Task<List<bool>> LockedAsync() =>
            db
                .Database.SqlQuery<bool>(
                    $"""
                    SELECT active AS "Value" FROM conversation_members
                    WHERE conversation_id = {conversationId} AND user_id = {userId}
                    FOR UPDATE
                    """
                )
                .ToListAsync(cancellationToken);
        var before = await LockedAsync();
        if (before is [])
        {
            // No row yet: a new member joined if active. Another message's row committed meanwhile is read again,
            // locked (a new statement sees it), and the write below judged against it.
            var inserted = await db
                .Database.SqlQuery<bool>(
                    $"""
                    INSERT INTO conversation_members
                        (conversation_id, user_id, role, active, read_seq, muted, joined_at, as_of)
                    VALUES ({conversationId}, {userId}, {role}, {active}, 0, false, {at}, {at})
                    ON CONFLICT (conversation_id, user_id) DO NOTHING
                    RETURNING active AS "Value"
                    """
                )
                .ToListAsync(cancellationToken);
            if (inserted is [var fresh])
                return fresh;
            before = await LockedAsync();
        }
        var after = await db
            .Database.SqlQuery<bool>(
                $"""
                UPDATE conversation_members
                SET role = CASE WHEN role = 'organizer' OR {role} = 'organizer' THEN 'organizer' ELSE {role} END,
                    active = CASE WHEN role = 'organizer' OR {role} = 'organizer' THEN true ELSE {active} END,
                    as_of = GREATEST(as_of, {at})
                WHERE conversation_id = {conversationId} AND user_id = {userId}
                    AND (as_of < {at} OR ({role} = 'organizer' AND role <> 'organizer'))
                RETURNING active AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        var changed = after is [var now] && before is [var was] && was != now;
        // Gone from the chat: its unread message notifications go too.
        if (changed && after is [false])
            await NotificationStore.ForgetUnreadMessagesAsync(db, userId, conversationId, null, cancellationToken);
        return changed;
    }

    /// <summary>An event chat's attendee registered or cancelled: they and its active members hear it, but those in a
    /// block with them.</summary>
    public static async Task AnnounceMemberAsync(
        MessagingDbContext db,
        LiveDelivery live,
        Guid conversationId,
        Guid userId,
        bool joined,
        CancellationToken cancellationToken
    )
    {
        var eventId = await db
            .Conversations.Where(c => c.Id == conversationId)
            .Select(c => c.EventId!.Value)
            .SingleAsync(cancellationToken);
        var members = await AudienceAsync(db, conversationId, userId, cancellationToken);
        await live.EventChatAsync(
            joined ? LiveEvents.AttendeeRegistered : LiveEvents.AttendeeCancelled,
            conversationId,
            new AttendeeChange(conversationId, eventId, userId),
            [.. members, userId]
        );
    }

    /// <summary>The chat's active members but those in a block with <paramref name="userId"/>.</summary>
    public static Task<List<Guid>> AudienceAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var blocked = RelationQueries.BlockedWith(db, userId);
        return db
            .ConversationMembers.Where(m =>
                m.ConversationId == conversationId && m.Active && !blocked.Contains(m.UserId)
            )
            .Select(m => m.UserId)
            .ToListAsync(cancellationToken);
    }
}
