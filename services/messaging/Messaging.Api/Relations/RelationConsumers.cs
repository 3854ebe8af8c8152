using Community.Contracts.Social;
using Community.Messaging.Notifying;
using Community.Messaging.Users;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.Messaging.Relations;

// Connections and blocks from social: who may start or keep a direct conversation. Each row is the pair's latest
// known state; an older message than the row's as_of changes nothing.

/// <summary>
/// A request accepted (on the people page, or by asking back): the pair is connected, and the request's
/// connection_requested notification, unread, is read: there is nothing left to answer, and the bell and the digest
/// would otherwise ask for it. An acceptance handled before the request's notifier is remembered by the pair's row
/// (as_of): the notifier then tells nobody (<see cref="Notifications.ConnectionRequestedNotifier"/>).
/// </summary>
public sealed class ConnectionAcceptedConsumer(MessagingDbContext db, ILogger<ConnectionAcceptedConsumer> logger)
    : IdempotentConsumer<ConnectionAccepted, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ConnectionAccepted> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await SettlementLocks.PairAsync(Db, m.FromUserId, m.ToUserId, cancellationToken);
        var pair = new[] { m.FromUserId, m.ToUserId };
        await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE notifications SET read_at = {m.OccurredAt}
            WHERE user_id = ANY({pair}) AND kind = {NotificationKinds.ConnectionRequested} AND read_at IS NULL
              AND subject_type = {SubjectTypes.Connection} AND subject_id = {m.ConnectionId}
            """,
            cancellationToken
        );
        await RelationWrites.SetConnectedAsync(Db, m.FromUserId, m.ToUserId, true, m.OccurredAt, cancellationToken);
    }
}

/// <summary>
/// A connection removed, or a request withdrawn or declined (social says the same of each): the pair is no longer
/// connected, and the request's connection_requested notification, unread, goes with the request (whichever of the
/// two it was addressed to), rather than stay in the bell asking to accept what is gone. A read one stays in the list.
/// A removal handled before its request's notifier is remembered by the pair's row (as_of): the notifier then tells
/// nobody (<see cref="Notifications.ConnectionRequestedNotifier"/>).
/// </summary>
public sealed class ConnectionRemovedConsumer(MessagingDbContext db, ILogger<ConnectionRemovedConsumer> logger)
    : IdempotentConsumer<ConnectionRemoved, MessagingDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ConnectionRemoved> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        await SettlementLocks.PairAsync(Db, m.RemovedByUserId, m.OtherUserId, cancellationToken);
        var pair = new[] { m.RemovedByUserId, m.OtherUserId };
        await Db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM notifications
            WHERE user_id = ANY({pair}) AND kind = {NotificationKinds.ConnectionRequested} AND read_at IS NULL
              AND subject_type = {SubjectTypes.Connection} AND subject_id = {m.ConnectionId}
            """,
            cancellationToken
        );
        await RelationWrites.SetConnectedAsync(
            Db,
            m.RemovedByUserId,
            m.OtherUserId,
            false,
            m.OccurredAt,
            cancellationToken
        );
    }
}

public sealed class UserBlockedConsumer(MessagingDbContext db, ILogger<UserBlockedConsumer> logger)
    : IdempotentConsumer<UserBlocked, MessagingDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserBlocked> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return RelationWrites.SetBlockedAsync(
            Db,
            m.BlockerUserId,
            m.BlockedUserId,
            true,
            m.OccurredAt,
            cancellationToken
        );
    }
}

public sealed class UserUnblockedConsumer(MessagingDbContext db, ILogger<UserUnblockedConsumer> logger)
    : IdempotentConsumer<UserUnblocked, MessagingDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserUnblocked> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return RelationWrites.SetBlockedAsync(
            Db,
            m.BlockerUserId,
            m.BlockedUserId,
            false,
            m.OccurredAt,
            cancellationToken
        );
    }
}

internal static class RelationWrites
{
    /// <summary>
    /// A deleted account is connected with nobody (<see cref="ConnectionsEraser"/>): a message about one of its pairs
    /// that arrives after the deletion, sent before it, changes nothing.
    /// </summary>
    public static async Task SetConnectedAsync(
        MessagingDbContext db,
        Guid a,
        Guid b,
        bool connected,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        if (a == b)
            throw new InvalidOperationException($"A connection of {a} with themself cannot be projected.");
        if (await DeletedUsers.AnyAsync(db, [a, b], cancellationToken))
            return;
        var (low, high) = Pair.Of(a, b);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO connections (user_low, user_high, connected, as_of) VALUES ({low}, {high}, {connected}, {at})
            ON CONFLICT (user_low, user_high) DO UPDATE SET connected = EXCLUDED.connected, as_of = EXCLUDED.as_of
            WHERE connections.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );
    }

    /// <summary>
    /// A deleted account's blocks stay as they were at its deletion (<see cref="BlocksEraser"/>): a block or unblock
    /// it made that arrives after the deletion, sent before it, writes nothing. One a living person made against it is
    /// theirs, and is written.
    /// </summary>
    public static async Task SetBlockedAsync(
        MessagingDbContext db,
        Guid blocker,
        Guid blocked,
        bool isBlocked,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        if (await DeletedUsers.AnyAsync(db, [blocker], cancellationToken))
            return;
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of) VALUES ({blocker}, {blocked}, {isBlocked}, {at})
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET blocked = EXCLUDED.blocked, as_of = EXCLUDED.as_of
            WHERE blocks.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );
    }
}
