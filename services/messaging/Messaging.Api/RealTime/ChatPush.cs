using Community.Messaging.Conversations;
using Community.Messaging.Data;
using Community.Messaging.Notifications;
using Community.Messaging.Threads;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Community.Messaging.RealTime;

/// <summary>What the server sends over the chat hub: each event's name on the wire and its payload's type.</summary>
public static class LiveEvents
{
    public static readonly HubEvent<MessageDto> NewMessage = new(
        "new_message",
        "A message in a joined conversation (client_txn_id only on the sender's own connections)."
    );
    public static readonly HubEvent<MessageDto> MessageUpdated = new(
        "message_updated",
        "A message of a joined conversation was edited."
    );
    public static readonly HubEvent<MessageDto> MessageDeleted = new(
        "message_deleted",
        "A message of a joined conversation was deleted: its tombstone."
    );
    public static readonly HubEvent<TypingSignal> Typing = new(
        "typing",
        "Another member is typing in a joined conversation; it lapses unless repeated (or ended by stop_typing)."
    );
    public static readonly HubEvent<TypingSignal> StopTyping = new(
        "stop_typing",
        "Another member stopped typing in a joined conversation."
    );
    public static readonly HubEvent<MemberChange> MemberJoined = new(
        "member_joined",
        "Someone joined a joined event chat's or group thread's members."
    );
    public static readonly HubEvent<MemberChange> MemberLeft = new(
        "member_left",
        "Someone left a joined event chat's or group thread's members."
    );
    public static readonly HubEvent<ThreadDto> NewThread = new(
        "new_thread",
        "A thread was started in one of the user's groups."
    );
    public static readonly HubEvent<ReadReceipt> Read = new(
        "read",
        "A member's read position in a joined conversation moved."
    );
    public static readonly HubEvent<PresenceChange> Presence = new(
        "presence",
        "A connection of the user came online (their first hub connection) or went offline (their last one closed)."
    );
    public static readonly HubEvent<NotificationItem> Notification = new(
        "notification",
        "A new notification for the user."
    );

    /// <summary>Every event above, in order: what the AsyncAPI document lists.</summary>
    public static IReadOnlyList<IHubEvent> All { get; } = HubEvents.DeclaredIn(typeof(LiveEvents));
}

/// <summary>
/// How every feature (REST routes, consumers, the hub itself) reaches connected clients, on this instance and,
/// through the Redis backplane, on the others: a user's connections, or the connections that joined a conversation.
/// </summary>
public sealed class ChatPush(IHubContext<ChatHub> hub, IServiceScopeFactory scopes)
{
    public Task ToUsersAsync<T>(
        IEnumerable<Guid> userIds,
        HubEvent<T> target,
        T payload,
        CancellationToken cancellationToken
    ) =>
        hub
            .Clients.Users(userIds.Select(u => u.ToString()).ToList())
            .SendAsync(target.Name, payload, cancellationToken);

    /// <summary>
    /// The connections that joined conversation <paramref name="conversationId"/> of every member allowed now (a thread's
    /// group members, an event chat's active members, a direct conversation's two sides but one hidden by a block).
    /// </summary>
    public async Task ToConversationAsync<T>(
        Guid conversationId,
        HubEvent<T> target,
        T payload,
        CancellationToken cancellationToken
    )
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var messages = scope.ServiceProvider.GetRequiredService<ConversationMessages>();
        if (
            await db.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken)
            is not { } c
        )
            return;
        // Each side of a direct conversation as the other's recipient; anyone else's recipients are all the members.
        IReadOnlyList<Guid> members =
            c.Kind == ConversationKinds.Direct
                ?
                [
                    .. await messages.RecipientsAsync(c, c.DirectLow!.Value, cancellationToken),
                    .. await messages.RecipientsAsync(c, c.DirectHigh!.Value, cancellationToken),
                ]
                : await messages.RecipientsAsync(c, Guid.Empty, cancellationToken);
        await ToJoinedAsync(conversationId, members, target, payload, null, cancellationToken);
    }

    /// <summary>
    /// The SignalR group of <paramref name="userId"/>'s connections that joined <paramref name="conversationId"/>. Sends name the
    /// users allowed now, so a block or a departure stops delivery at once without tracking connection ids.
    /// </summary>
    public static string JoinedGroup(Guid conversationId, Guid userId) =>
        "joined:" + conversationId.ToString("N") + ":" + userId.ToString("N");

    /// <summary>The connections of <paramref name="userIds"/> that joined <paramref name="conversationId"/>, but <paramref name="exceptConnectionId"/>.</summary>
    public Task ToJoinedAsync<T>(
        Guid conversationId,
        IEnumerable<Guid> userIds,
        HubEvent<T> target,
        T payload,
        string? exceptConnectionId,
        CancellationToken cancellationToken
    )
    {
        var groups = userIds.Distinct().Select(u => JoinedGroup(conversationId, u)).ToList();
        if (groups.Count == 0)
            return Task.CompletedTask;
        if (exceptConnectionId is null)
            return hub.Clients.Groups(groups).SendAsync(target.Name, payload, cancellationToken);
        return Task.WhenAll(
            groups.Select(g =>
                hub.Clients.GroupExcept(g, [exceptConnectionId]).SendAsync(target.Name, payload, cancellationToken)
            )
        );
    }
}
