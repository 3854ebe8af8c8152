using Community.Contracts;
using Community.Contracts.Events;
using Community.Contracts.Payments;
using Community.Contracts.Social;
using Community.Messaging.Notifying;
using Community.Messaging.Relations;
using Community.Messaging.Users;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.Messaging.Notifications;

/// <summary>
/// An inbox consumer that records notifications for a message (once: a redelivery is skipped by the inbox) and pushes
/// them live after the commit, so a client that fetches on the push finds them and a rolled-back attempt pushes
/// nothing. Who is told is read before the transaction: an event that tells nobody costs no transaction.
/// </summary>
public abstract class NotifyingConsumer<TMessage>(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger logger
) : IdempotentConsumer<TMessage, MessagingDbContext>(db, logger)
    where TMessage : class
{
    private IReadOnlyList<NewNotification> _notifications = [];
    private IReadOnlyList<CreatedNotification> _created = [];

    protected sealed override async Task<bool> PrepareAsync(
        ConsumeContext<TMessage> context,
        CancellationToken cancellationToken
    )
    {
        var notifications = await NotificationsForAsync(context.Message, cancellationToken);
        _notifications = await WithoutBlocksAsync(
            await WithoutDeletedAsync(notifications, cancellationToken),
            cancellationToken
        );
        return _notifications.Count > 0;
    }

    // A message sent before an account's deletion and handled after it tells nobody about it, nor it about anything:
    // its notifications went with it (NotificationsEraser), and what it did (a request, a registration) went too.
    private async Task<IReadOnlyList<NewNotification>> WithoutDeletedAsync(
        IReadOnlyList<NewNotification> notifications,
        CancellationToken cancellationToken
    )
    {
        var people = People(notifications);
        if (people.Length == 0)
            return notifications;
        var deleted = await Db
            .UserProfiles.Where(u => people.Contains(u.UserId) && u.DeletedAt != null)
            .Select(u => u.UserId)
            .ToListAsync(cancellationToken);
        return deleted.Count == 0
            ? notifications
            : [.. notifications.Where(n => !deleted.Contains(n.UserId) && !deleted.Contains(n.ActorId ?? n.UserId))];
    }

    // Nobody is told, live or in the list, of someone in a block with them either way (the list also hides what was
    // told before a block: notifications_shown).
    private async Task<IReadOnlyList<NewNotification>> WithoutBlocksAsync(
        IReadOnlyList<NewNotification> notifications,
        CancellationToken cancellationToken
    )
    {
        var people = notifications
            .Where(n => n.ActorId is not null)
            .SelectMany(n => new[] { n.UserId, n.ActorId!.Value })
            .Distinct()
            .ToList();
        if (people.Count < 2)
            return notifications;
        var blocks = await Db
            .Blocks.Where(b => b.Blocked && people.Contains(b.BlockerId) && people.Contains(b.BlockedId))
            .Select(b => new { b.BlockerId, b.BlockedId })
            .ToListAsync(cancellationToken);
        if (blocks.Count == 0)
            return notifications;
        var pairs = blocks
            .SelectMany(b => new[] { (b.BlockerId, b.BlockedId), (b.BlockedId, b.BlockerId) })
            .ToHashSet();
        return [.. notifications.Where(n => n.ActorId is not { } actor || !pairs.Contains((n.UserId, actor)))];
    }

    protected sealed override Task AfterCommitAsync(
        ConsumeContext<TMessage> context,
        CancellationToken cancellationToken
    ) => live.NotificationsAsync(_created);

    // Read again in the transaction, under the profiles' share locks: an account deleted since the read above (its
    // erasure committed in between, or under way and waited for) is told nothing, nor is anyone told about it; its
    // erasure, which took its notifications and words, would never see these. Blocks are read again too: one
    // applied since the read above would otherwise be crossed by the live push after the commit. A notification that
    // a settlement may make moot is worked out again under the lock the settlement takes too.
    protected sealed override async Task HandleAsync(
        ConsumeContext<TMessage> context,
        CancellationToken cancellationToken
    )
    {
        var due = await LockSettlementAsync(context.Message, cancellationToken)
            ? await NotificationsForAsync(context.Message, cancellationToken)
            : _notifications;
        var deleted = await DeletedUsers.AmongAsync(Db, People(due), cancellationToken);
        var notifications = await WithoutBlocksAsync(
            deleted.Count == 0
                ? due
                : [.. due.Where(n => !deleted.Contains(n.UserId) && !deleted.Contains(n.ActorId ?? n.UserId))],
            cancellationToken
        );
        _created = await NotificationStore.AddAsync(Db, clock, notifications, cancellationToken);
    }

    private static Guid[] People(IEnumerable<NewNotification> notifications) =>
        [.. notifications.SelectMany(n => new[] { n.UserId, n.ActorId ?? n.UserId }).Distinct()];

    /// <summary>
    /// For a notification asking for an action another message settles: takes the lock that message's consumer takes
    /// too (<see cref="SettlementLocks"/>) and answers true, so who is told is worked out again under it.
    /// </summary>
    protected virtual Task<bool> LockSettlementAsync(TMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    /// <summary>Who is told what about <paramref name="message"/>.</summary>
    protected abstract Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        TMessage message,
        CancellationToken cancellationToken
    );

    protected static Task<IReadOnlyList<NewNotification>> One(NewNotification notification) =>
        Task.FromResult<IReadOnlyList<NewNotification>>([notification]);
}

/// <summary>
/// The person asked is told, unless the pair changed after the request was made: removed (the request withdrawn or
/// declined, or the connection ended) or accepted. That change, delivered first, found no notification to take away
/// or read (<see cref="Relations.ConnectionRemovedConsumer"/>, <see cref="Relations.ConnectionAcceptedConsumer"/>),
/// and the pair's row remembers it with its time.
/// </summary>
public sealed class ConnectionRequestedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<ConnectionRequestedNotifier> logger
) : NotifyingConsumer<ConnectionRequested>(db, clock, live, logger)
{
    protected override async Task<bool> LockSettlementAsync(ConnectionRequested m, CancellationToken cancellationToken)
    {
        await SettlementLocks.PairAsync(Db, m.FromUserId, m.ToUserId, cancellationToken);
        return true;
    }

    protected override async Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        ConnectionRequested m,
        CancellationToken cancellationToken
    )
    {
        var (low, high) = Pair.Of(m.FromUserId, m.ToUserId);
        var settledSince = await Db.Connections.AnyAsync(
            c => c.UserLow == low && c.UserHigh == high && c.AsOf > m.OccurredAt,
            cancellationToken
        );
        return settledSince
            ? []
            :
            [
                new(
                    m.ToUserId,
                    NotificationKinds.ConnectionRequested,
                    m.FromUserId,
                    SubjectTypes.Connection,
                    m.ConnectionId,
                    new { connection_id = m.ConnectionId }
                ),
            ];
    }
}

public sealed class ConnectionAcceptedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<ConnectionAcceptedNotifier> logger
) : NotifyingConsumer<ConnectionAccepted>(db, clock, live, logger)
{
    protected override Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        ConnectionAccepted m,
        CancellationToken cancellationToken
    ) =>
        One(
            new(
                m.FromUserId,
                NotificationKinds.ConnectionAccepted,
                m.ToUserId,
                SubjectTypes.Connection,
                m.ConnectionId,
                new { connection_id = m.ConnectionId }
            )
        );
}

/// <summary>The group's owner and moderators decide a request, so each of them is told (as the group projection knows
/// them now, or as the request names them for a group not known here yet), but not one in a block with the person
/// asking; nor anyone when the request was decided since it was made (the decision, handled first, found nothing to
/// mark read: <see cref="GroupJoinRequestSettledConsumer"/>).</summary>
public sealed class GroupJoinRequestedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<GroupJoinRequestedNotifier> logger
) : NotifyingConsumer<GroupJoinRequested>(db, clock, live, logger)
{
    protected override async Task<bool> LockSettlementAsync(GroupJoinRequested m, CancellationToken cancellationToken)
    {
        await SettlementLocks.GroupAsync(Db, m.GroupId, shared: true, cancellationToken);
        await SettlementLocks.GroupPeopleAsync(Db, m.GroupId, [m.UserId], cancellationToken);
        return true;
    }

    protected override async Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        GroupJoinRequested m,
        CancellationToken cancellationToken
    )
    {
        if (
            await Db.GroupJoinDecisions.AnyAsync(
                d => d.GroupId == m.GroupId && d.UserId == m.UserId && d.DecidedAt > m.OccurredAt,
                cancellationToken
            )
        )
            return [];
        var deciders = await Db
            .GroupMembers.Where(g =>
                g.GroupId == m.GroupId
                && g.Active
                && (g.Role == GroupRoles.Owner || g.Role == GroupRoles.Moderator)
                && g.UserId != m.UserId
            )
            .Select(g => g.UserId)
            .ToListAsync(cancellationToken);
        // A group not known here yet (its GroupCreated behind this in another queue): who decided when it was asked,
        // but for those known since to decide no more (demoted or gone, handled before the group's creation).
        if (
            deciders.Count == 0
            && m.Deciders is { } then
            && !await Db.Groups.AnyAsync(g => g.GroupId == m.GroupId, cancellationToken)
        )
        {
            var decideNoMore = await Db
                .GroupMembers.Where(g =>
                    g.GroupId == m.GroupId
                    && then.Contains(g.UserId)
                    && (!g.Active || (g.Role != GroupRoles.Owner && g.Role != GroupRoles.Moderator))
                )
                .Select(g => g.UserId)
                .ToListAsync(cancellationToken);
            deciders = [.. then.Where(d => d != m.UserId && !decideNoMore.Contains(d)).Distinct()];
        }
        return deciders
            .Select(d => new NewNotification(
                d,
                NotificationKinds.GroupJoinRequested,
                m.UserId,
                SubjectTypes.Group,
                m.GroupId,
                new { group_id = m.GroupId, reason = m.Reason }
            ))
            .ToList();
    }
}

public sealed class GroupJoinRequestDecidedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<GroupJoinRequestDecidedNotifier> logger
) : NotifyingConsumer<GroupJoinRequestDecided>(db, clock, live, logger)
{
    protected override Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        GroupJoinRequestDecided m,
        CancellationToken cancellationToken
    ) =>
        One(
            new(
                m.UserId,
                NotificationKinds.GroupJoinDecided,
                null,
                SubjectTypes.Group,
                m.GroupId,
                new { group_id = m.GroupId, approved = m.Approved }
            )
        );
}

/// <summary>
/// A request decided is no longer for the other deciders to act on: their unread "asked to join" for it is read. (Its
/// time is the decision's, social's clock; so is which request it settles: a request asked again and told before this
/// runs is read with it, and stays in the list.) The decision's time is kept, for a request told after it.
/// </summary>
public sealed class GroupJoinRequestSettledConsumer(
    MessagingDbContext db,
    ILogger<GroupJoinRequestSettledConsumer> logger
) : IdempotentConsumer<GroupJoinRequestDecided, MessagingDbContext>(db, logger)
{
    protected override Task HandleAsync(
        ConsumeContext<GroupJoinRequestDecided> context,
        CancellationToken cancellationToken
    ) =>
        SettleAsync(Db, context.Message.GroupId, context.Message.UserId, context.Message.OccurredAt, cancellationToken);

    /// <summary>The request of <paramref name="userId"/> to join <paramref name="groupId"/> settled at
    /// <paramref name="at"/> (decided, withdrawn or moot): the deciders' "asked to join" is read.</summary>
    internal static async Task SettleAsync(
        MessagingDbContext db,
        Guid groupId,
        Guid userId,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        await SettlementLocks.GroupPeopleAsync(db, groupId, [userId], cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO group_join_decisions AS d (group_id, user_id, decided_at)
            VALUES ({groupId}, {userId}, {at})
            ON CONFLICT (group_id, user_id) DO UPDATE SET decided_at = GREATEST(d.decided_at, excluded.decided_at);
            UPDATE notifications SET read_at = {at}
            WHERE user_id IN (SELECT user_id FROM group_members WHERE group_id = {groupId})
              AND kind = {NotificationKinds.GroupJoinRequested} AND read_at IS NULL
              AND subject_type = {SubjectTypes.Group} AND subject_id = {groupId} AND actor_id = {userId}
            """,
            cancellationToken
        );
    }
}

/// <summary>
/// A request to join ended without a decision (withdrawn, or moot): read for its deciders as a decided one is
/// (<see cref="GroupJoinRequestSettledConsumer"/>); the asker is told nothing.
/// </summary>
public sealed class GroupJoinRequestEndedConsumer(MessagingDbContext db, ILogger<GroupJoinRequestEndedConsumer> logger)
    : IdempotentConsumer<GroupJoinRequestEnded, MessagingDbContext>(db, logger)
{
    protected override Task HandleAsync(
        ConsumeContext<GroupJoinRequestEnded> context,
        CancellationToken cancellationToken
    ) =>
        GroupJoinRequestSettledConsumer.SettleAsync(
            Db,
            context.Message.GroupId,
            context.Message.UserId,
            context.Message.OccurredAt,
            cancellationToken
        );
}

/// <summary>
/// The person invited is told who invited them (never across a block: social refuses the invitation then, and one
/// made since is hidden); nobody when the invitation ended since it was made, unused (the end, handled first, found
/// nothing to mark read: <see cref="GroupInvitationsEndedConsumer"/>) or used by a join (a membership changed since,
/// joined or left after: no one is invited while a member), or the group is gone.
/// </summary>
public sealed class GroupInvitationSentNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<GroupInvitationSentNotifier> logger
) : NotifyingConsumer<GroupInvitationSent>(db, clock, live, logger)
{
    protected override async Task<bool> LockSettlementAsync(GroupInvitationSent m, CancellationToken cancellationToken)
    {
        await SettlementLocks.GroupAsync(Db, m.GroupId, shared: true, cancellationToken);
        await SettlementLocks.GroupPeopleAsync(Db, m.GroupId, [m.UserId], cancellationToken);
        return true;
    }

    protected override async Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        GroupInvitationSent m,
        CancellationToken cancellationToken
    )
    {
        if (
            await Db.GroupInvitationEnds.AnyAsync(
                e => e.GroupId == m.GroupId && e.UserId == m.UserId && e.EndedAt > m.OccurredAt,
                cancellationToken
            )
            || await Db.GroupMembers.AnyAsync(
                g => g.GroupId == m.GroupId && g.UserId == m.UserId && g.AsOf > m.OccurredAt,
                cancellationToken
            )
            || await Db.Groups.AnyAsync(g => g.GroupId == m.GroupId && g.Deleted, cancellationToken)
        )
            return [];
        return
        [
            new(
                m.UserId,
                NotificationKinds.GroupInvited,
                m.InvitedByUserId,
                SubjectTypes.Group,
                m.GroupId,
                new { group_id = m.GroupId }
            ),
        ];
    }
}

/// <summary>
/// Invitations ended without a join (declined, withdrawn, their sender gone): each guest's unread "X invited you to
/// join" for the group is read, as a join reads it. (Its time is the end's, social's clock; so is which invitation it
/// ends: one sent again and told before this runs is read with it, and stays in the list.) The end's time is kept, for
/// an invitation told after it.
/// </summary>
public sealed class GroupInvitationsEndedConsumer(MessagingDbContext db, ILogger<GroupInvitationsEndedConsumer> logger)
    : IdempotentConsumer<GroupInvitationsEnded, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<GroupInvitationsEnded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var guests = m.UserIds.Distinct().ToArray();
        await SettlementLocks.GroupPeopleAsync(Db, m.GroupId, guests, cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO group_invitation_ends AS e (group_id, user_id, ended_at)
            SELECT {m.GroupId}, guest, {m.OccurredAt} FROM unnest({guests}) AS guest
            -- a deleted group's invitations are told to nobody anyway (and GroupDeleted cleared its rows); an erased
            -- account keeps nothing here (its eraser, handled first, cleared its rows)
            WHERE NOT EXISTS (SELECT 1 FROM groups WHERE group_id = {m.GroupId} AND deleted)
              AND NOT EXISTS (SELECT 1 FROM user_profiles WHERE user_id = guest AND deleted_at IS NOT NULL)
            ON CONFLICT (group_id, user_id) DO UPDATE SET ended_at = GREATEST(e.ended_at, excluded.ended_at);
            UPDATE notifications SET read_at = {m.OccurredAt}
            WHERE user_id = ANY({guests}) AND kind = {NotificationKinds.GroupInvited} AND read_at IS NULL
              AND subject_type = {SubjectTypes.Group} AND subject_id = {m.GroupId}
            """,
            cancellationToken
        );
    }
}

/// <summary>The attendee gets their ticket; the event's organizer hears who registered (not themselves, never across a
/// block).</summary>
public sealed class RegistrationConfirmedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<RegistrationConfirmedNotifier> logger
) : NotifyingConsumer<RegistrationConfirmed>(db, clock, live, logger)
{
    protected override async Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        RegistrationConfirmed m,
        CancellationToken cancellationToken
    )
    {
        var ticket = new NewNotification(
            m.UserId,
            NotificationKinds.RegistrationConfirmed,
            null,
            SubjectTypes.Event,
            m.EventId,
            new
            {
                event_id = m.EventId,
                registration_id = m.RegistrationId,
                ticket_code = m.TicketCode,
            }
        );
        // The organizer the event names (an event's organizer never changes), else the one its chat knows: told even
        // before this service heard of the event (its EventPublished behind this in another queue).
        var organizer = m.OrganizerUserId is { } named
            ? named == m.UserId
                ? null
                : named
            : await Organizers.ToTellAsync(Db, m.EventId, m.UserId, cancellationToken);
        return organizer is { } organizerId
            ?
            [
                ticket,
                new(
                    organizerId,
                    NotificationKinds.EventRegistration,
                    m.UserId,
                    SubjectTypes.Event,
                    m.EventId,
                    new { event_id = m.EventId, registration_id = m.RegistrationId }
                ),
            ]
            : [ticket];
    }
}

/// <summary>
/// The event's organizer hears who cancelled (not themselves, never across a block). A ticket refunded in full is not a
/// cancellation by its holder, so nobody is told one.
/// </summary>
public sealed class RsvpCancelledNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<RsvpCancelledNotifier> logger
) : NotifyingConsumer<RsvpCancelled>(db, clock, live, logger)
{
    protected override async Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        RsvpCancelled m,
        CancellationToken cancellationToken
    ) =>
        !m.Refunded && await Organizers.ToTellAsync(Db, m.EventId, m.UserId, cancellationToken) is { } organizerId
            ?
            [
                new(
                    organizerId,
                    NotificationKinds.EventCancellation,
                    m.UserId,
                    SubjectTypes.Event,
                    m.EventId,
                    new
                    {
                        event_id = m.EventId,
                        registration_id = m.RegistrationId,
                        previous_status = m.PreviousStatus,
                    }
                ),
            ]
            : [];
}

/// <summary>
/// Everyone with a ticket (an attendee of the event's chat) and everyone waiting for one (on the waiting list, or
/// holding a seat not paid for: the message names them) hears that the event was called off, with the reason given;
/// not its organizer, who did it. Nobody is named, so a block hides nothing: a ticket kept across one is still a
/// ticket. Registrations stay (payments refunds every one), so the attendees are still the chat's; but a refund handled
/// first (its own queue) makes one inactive: an attendee row changed after the cancellation (as_of, the newest
/// registration message's time) had its ticket then. One who left before it has an older as_of, and is not told.
/// </summary>
public sealed class EventCancelledNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<EventCancelledNotifier> logger
) : NotifyingConsumer<EventCancelled>(db, clock, live, logger)
{
    protected override async Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        EventCancelled m,
        CancellationToken cancellationToken
    )
    {
        var attendees = await Db
            .ConversationMembers.Where(cm =>
                (cm.Active || cm.AsOf > m.OccurredAt)
                && cm.Role == MemberRoles.Attendee
                && Db.Conversations.Any(c =>
                    c.Id == cm.ConversationId && c.Kind == ConversationKinds.EventChat && c.EventId == m.EventId
                )
            )
            .Select(cm => cm.UserId)
            .ToListAsync(cancellationToken);
        var told = attendees.Union(m.Waiting ?? []).ToList();
        // Those in a block with the organizer are told it is off, without the organizer's words. The organizer as
        // the message names them, else as the event's chat has them (its EventPublished may not be here yet).
        var organizer =
            m.OrganizerUserId
            ?? await Db
                .Conversations.Where(c => c.Kind == ConversationKinds.EventChat && c.EventId == m.EventId)
                .Select(c => c.OwnerId)
                .FirstOrDefaultAsync(cancellationToken);
        var apart =
            organizer is { } organizerId && m.Reason is not null
                ? (
                    await RelationQueries
                        .BlockedWith(Db, organizerId)
                        .Where(u => told.Contains(u))
                        .ToListAsync(cancellationToken)
                ).ToHashSet()
                : [];
        return
        [
            .. told.Select(userId => new NewNotification(
                userId,
                NotificationKinds.EventCancelled,
                null,
                SubjectTypes.Event,
                m.EventId,
                new { event_id = m.EventId, reason = apart.Contains(userId) ? null : m.Reason }
            )),
        ];
    }
}

/// <summary>
/// The next on a paid event's waiting list is told a seat came free and is held for them until they pay: they are not
/// looking, and the hold is short. A hold asked for by its holder (a registration's 402) tells nobody.
/// </summary>
public sealed class TicketHoldCreatedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<TicketHoldCreatedNotifier> logger
) : NotifyingConsumer<TicketHoldCreated>(db, clock, live, logger)
{
    protected override bool Concerns(TicketHoldCreated message) => message.FromWaitingList;

    protected override Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        TicketHoldCreated m,
        CancellationToken cancellationToken
    ) =>
        One(
            new(
                m.UserId,
                NotificationKinds.WaitingListSeat,
                null,
                SubjectTypes.Event,
                m.EventId,
                new
                {
                    event_id = m.EventId,
                    registration_id = m.RegistrationId,
                    amount_cents = m.AmountCents,
                    currency = m.Currency,
                    expires_at = m.ExpiresAt,
                }
            )
        );
}

internal static class Organizers
{
    /// <summary>
    /// The event's organizer (its chat's owner, from EventPublished) when they should hear of
    /// <paramref name="attendeeId"/>: someone else (a block either way is left out with every notifier's).
    /// </summary>
    public static async Task<Guid?> ToTellAsync(
        MessagingDbContext db,
        Guid eventId,
        Guid attendeeId,
        CancellationToken cancellationToken
    )
    {
        var organizerId = await OfAsync(db, eventId, cancellationToken);
        return organizerId == attendeeId ? null : organizerId;
    }

    /// <summary>The event's organizer (its chat's owner, from EventPublished); null for an unknown event.</summary>
    public static Task<Guid?> OfAsync(MessagingDbContext db, Guid eventId, CancellationToken cancellationToken) =>
        db
            .Conversations.Where(c => c.Kind == ConversationKinds.EventChat && c.EventId == eventId)
            .Select(c => c.OwnerId)
            .FirstOrDefaultAsync(cancellationToken);
}

public sealed class PaymentSucceededNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<PaymentSucceededNotifier> logger
) : NotifyingConsumer<PaymentSucceeded>(db, clock, live, logger)
{
    protected override Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        PaymentSucceeded m,
        CancellationToken cancellationToken
    ) =>
        One(
            new(
                m.UserId,
                NotificationKinds.PaymentSucceeded,
                null,
                SubjectTypes.Payment,
                m.PaymentId,
                new
                {
                    payment_id = m.PaymentId,
                    purpose = m.Purpose,
                    reference_id = m.ReferenceId,
                    amount_cents = m.AmountCents,
                    currency = m.Currency,
                }
            )
        );
}

/// <summary>A refund payments could not complete needs a person: the payer is told to contact support.</summary>
public sealed class PaymentRefundFailedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<PaymentRefundFailedNotifier> logger
) : NotifyingConsumer<PaymentRefundFailed>(db, clock, live, logger)
{
    protected override Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        PaymentRefundFailed m,
        CancellationToken cancellationToken
    ) =>
        One(
            new(
                m.UserId,
                NotificationKinds.PaymentRefundFailed,
                null,
                SubjectTypes.Payment,
                m.PaymentId,
                new
                {
                    payment_id = m.PaymentId,
                    refund_id = m.RefundId,
                    amount_cents = m.AmountCents,
                    currency = m.Currency,
                    contact_support = true,
                }
            )
        );
}

public sealed class CourseEnrolledNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<CourseEnrolledNotifier> logger
) : NotifyingConsumer<CourseEnrolled>(db, clock, live, logger)
{
    protected override Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        CourseEnrolled m,
        CancellationToken cancellationToken
    ) =>
        One(
            new(
                m.UserId,
                NotificationKinds.CourseEnrolled,
                null,
                SubjectTypes.Course,
                m.CourseId,
                new { course_id = m.CourseId, enrollment_id = m.EnrollmentId }
            )
        );
}

/// <summary>The reporter learns the outcome; the moderator stays unnamed and the note (meant for moderators) stays
/// out.</summary>
public sealed class ReportResolvedNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<ReportResolvedNotifier> logger
) : NotifyingConsumer<ReportResolved>(db, clock, live, logger)
{
    protected override Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        ReportResolved m,
        CancellationToken cancellationToken
    ) =>
        One(
            new(
                m.ReporterUserId,
                NotificationKinds.ReportResolved,
                null,
                SubjectTypes.Report,
                m.ReportId,
                new
                {
                    report_id = m.ReportId,
                    target_type = m.TargetType,
                    target_id = m.TargetId,
                    category = m.Category,
                    action = m.Action,
                }
            )
        );
}

/// <summary>
/// A report resolved with warn tells the reported party, with the category and the admin's note (the reason for the
/// warning), never the reporter: a reported user themselves, a message's author, a group's owner (social names them)
/// or an event's organizer (as EventPublished named them; an event never heard of here warns nobody).
/// </summary>
public sealed class ReportWarningNotifier(
    MessagingDbContext db,
    TimeProvider clock,
    LiveDelivery live,
    ILogger<ReportWarningNotifier> logger
) : NotifyingConsumer<ReportResolved>(db, clock, live, logger)
{
    protected override bool Concerns(ReportResolved message) => message.Action == ReportActions.Warn;

    protected override async Task<IReadOnlyList<NewNotification>> NotificationsForAsync(
        ReportResolved m,
        CancellationToken cancellationToken
    ) =>
        await WarnedAsync(m, cancellationToken) is { } warnedId
            ?
            [
                new(
                    warnedId,
                    NotificationKinds.ReportWarning,
                    null,
                    SubjectTypes.Report,
                    m.ReportId,
                    new
                    {
                        report_id = m.ReportId,
                        target_type = m.TargetType,
                        target_id = m.TargetId,
                        category = m.Category,
                        note = m.Note,
                    }
                ),
            ]
            : [];

    // Social names the owner of what it knows (a user, a group); messages and events are known here.
    private async Task<Guid?> WarnedAsync(ReportResolved m, CancellationToken cancellationToken) =>
        m.TargetOwnerUserId
        ?? m.TargetType switch
        {
            ReportTargets.User => m.TargetId,
            ReportTargets.Message => await Db
                .Messages.Where(x => x.Id == m.TargetId)
                .Select(x => (Guid?)x.SenderId)
                .FirstOrDefaultAsync(cancellationToken),
            ReportTargets.Group => await Db
                .GroupMembers.Where(g => g.GroupId == m.TargetId && g.Active && g.Role == GroupRoles.Owner)
                .Select(g => (Guid?)g.UserId)
                .FirstOrDefaultAsync(cancellationToken),
            ReportTargets.Event => await Organizers.OfAsync(Db, m.TargetId, cancellationToken),
            _ => null,
        };
}
