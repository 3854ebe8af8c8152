using Community.Messaging.Conversations;
using Community.Messaging.Notifying;
using Community.ServiceDefaults.RealTime;
using StackExchange.Redis;

namespace Community.Messaging;

/// <summary>
/// What a committed change sends to the connections that joined its conversation. A push never fails its request:
/// while Redis is down a publish fails at once or waits, and is cut short after <see cref="Bound"/>; clients catch up
/// by seq. The first push not delivered is a Warning; those that follow within <see cref="Window"/> of it are counted
/// and told in one Warning when the window ends, so an outage is two lines, not one a push.
/// </summary>
public sealed class LiveDelivery(ChatPush push, TimeProvider clock, ILogger<LiveDelivery> logger) : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    /// <summary>How long after a logged failure the next ones are only counted.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private ITimer? _counting;
    private int _counted;

    /// <summary>
    /// A new, edited or deleted message: the actor's view (with their client_txn_id) to their other connections, the
    /// others' view to the rest (<paramref name="forOthers"/>, or the actor's without client_txn_id).
    /// <paramref name="originConnectionId"/>, the hub connection making the change, has its answer already and gets no
    /// copy.
    /// </summary>
    public Task MessageAsync(
        HubEvent<MessageDto> target,
        MessageDto forActor,
        Guid actorId,
        IReadOnlyList<Guid> recipients,
        string? originConnectionId,
        MessageDto? forOthers = null
    )
    {
        var others = forOthers ?? forActor with { ClientTxnId = null };
        return BoundedAsync(
            target.Name,
            forActor.ConversationId,
            token =>
                push.ToJoinedAsync(
                    forActor.ConversationId,
                    actorId,
                    forActor,
                    recipients,
                    others,
                    target,
                    originConnectionId,
                    token
                )
        );
    }

    /// <summary>A read receipt: to the reader's other connections (not <paramref name="originConnectionId"/>) and the
    /// others.</summary>
    public Task ReadAsync(
        Guid conversationId,
        Guid userId,
        long readSeq,
        IReadOnlyList<Guid> recipients,
        string? originConnectionId
    )
    {
        var receipt = new ReadReceipt(conversationId, userId, readSeq);
        return BoundedAsync(
            LiveEvents.Read.Name,
            conversationId,
            // One view for all: the connection left out is the reader's own.
            token =>
                push.ToJoinedAsync(
                    conversationId,
                    [userId, .. recipients],
                    LiveEvents.Read,
                    receipt,
                    originConnectionId,
                    token
                )
        );
    }

    /// <summary>Typing signals go to the others only; they are never stored.</summary>
    public Task TypingAsync(HubEvent<TypingSignal> target, TypingSignal signal, IReadOnlyList<Guid> recipients) =>
        BoundedAsync(
            target.Name,
            signal.ConversationId,
            token =>
                push.ToJoinedAsync(
                    signal.ConversationId,
                    recipients.Where(r => r != signal.UserId),
                    target,
                    signal,
                    null,
                    token
                )
        );

    /// <summary>member_joined / member_left to <paramref name="audience"/> (the members now, and the one who
    /// left).</summary>
    public Task MemberAsync(
        HubEvent<MemberChange> target,
        Guid conversationId,
        Guid userId,
        IReadOnlyList<Guid> audience,
        Guid? groupId = null
    ) =>
        BoundedAsync(
            target.Name,
            conversationId,
            token =>
                push.ToJoinedAsync(
                    conversationId,
                    audience,
                    target,
                    new MemberChange(conversationId, userId, groupId),
                    null,
                    token
                )
        );

    /// <summary>member_joined / member_left of a group to <paramref name="audience"/>'s subscribed connections
    /// (JoinGroup).</summary>
    public Task GroupMemberAsync(
        HubEvent<MemberChange> target,
        Guid groupId,
        Guid userId,
        IReadOnlyList<Guid> audience
    ) =>
        BoundedAsync(
            target.Name,
            groupId,
            token => push.ToSubscribedAsync(groupId, audience, target, new MemberChange(null, userId, groupId), token)
        );

    /// <summary>An event chat's news (attendees, who opened it) to <paramref name="audience"/>'s joined
    /// connections.</summary>
    public Task EventChatAsync<T>(HubEvent<T> target, Guid conversationId, T payload, IReadOnlyList<Guid> audience) =>
        BoundedAsync(
            target.Name,
            conversationId,
            token => push.ToJoinedAsync(conversationId, audience, target, payload, null, token)
        );

    /// <summary>
    /// conversation_closed: a deleted thread (or one of a deleted group) to <paramref name="audience"/>'s connections
    /// that joined it.
    /// </summary>
    public Task ConversationClosedAsync(Guid conversationId, string reason, IReadOnlyList<Guid> audience) =>
        BoundedAsync(
            LiveEvents.ConversationClosed.Name,
            conversationId,
            token =>
                push.ToJoinedAsync(
                    conversationId,
                    audience,
                    LiveEvents.ConversationClosed,
                    new ConversationClosed(conversationId, reason),
                    null,
                    token
                )
        );

    /// <summary>Notifications just committed, each to its person's connections (the list has them either
    /// way).</summary>
    public Task NotificationsAsync(IReadOnlyList<CreatedNotification> notifications) =>
        notifications.Count == 0
            ? Task.CompletedTask
            : BoundedAsync(
                LiveEvents.Notification.Name,
                notifications[0].Item.SubjectId,
                token =>
                    Task.WhenAll(
                        notifications.Select(n => push.ToUsersAsync([n.UserId], LiveEvents.Notification, n.Item, token))
                    )
            );

    public Task PresenceAsync(Guid userId, bool online, IReadOnlyList<Guid> audience) =>
        audience.Count == 0
            ? Task.CompletedTask
            : BoundedAsync(
                LiveEvents.Presence.Name,
                userId,
                token => push.ToUsersAsync(audience, LiveEvents.Presence, new PresenceChange(userId, online), token)
            );

    private async Task BoundedAsync(string target, Guid about, Func<CancellationToken, Task> send)
    {
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            // WaitAsync too: a publish that ignores its token still lets the request go.
            await send(timeout.Token).WaitAsync(Bound + TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
        catch (Exception e)
            when (e
                    is OperationCanceledException
                        or TimeoutException
                        or RedisConnectionException
                        or RedisTimeoutException
            )
        {
            if (FirstInWindow())
                logger.LogWarning(
                    "Live {Target} for {About} not delivered within {Bound}: Redis (the backplane) is unreachable or "
                        + "too slow; clients catch up by seq. Pushes that fail within {Window} are counted",
                    target,
                    about,
                    Bound,
                    Window
                );
        }
        catch (Exception e)
        {
            if (FirstInWindow())
                logger.LogWarning(
                    e,
                    "Live {Target} for {About} not delivered; clients catch up by seq. Pushes that fail within "
                        + "{Window} are counted",
                    target,
                    about,
                    Window
                );
        }
    }

    // True for the failure that opens a window (log it); the others in it are counted.
    private bool FirstInWindow()
    {
        lock (_gate)
        {
            if (_counting is not null)
            {
                _counted++;
                return false;
            }
            _counting = clock.CreateTimer(_ => CloseWindow(), null, Window, Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    private void CloseWindow()
    {
        int counted;
        lock (_gate)
        {
            (counted, _counted) = (_counted, 0);
            _counting?.Dispose();
            _counting = null;
        }
        if (counted > 0)
            logger.LogWarning(
                "{Count} more live pushes not delivered within {Window} of the first; clients catch up by seq",
                counted,
                Window
            );
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _counting?.Dispose();
            _counting = null;
        }
    }
}
