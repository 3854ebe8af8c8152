using Community.Messaging.Conversations;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR;

namespace Community.Messaging;

/// <summary>
/// How every feature (REST routes, consumers, the hub itself) reaches connected clients, on this instance and,
/// through the Redis backplane, on the others: a user's connections, or the connections that joined a conversation.
/// </summary>
public sealed class ChatPush(IHubContext<ChatHub> hub)
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
    /// The SignalR group of <paramref name="userId"/>'s connections that joined <paramref name="conversationId"/>.
    /// Sends name the users allowed now, so a block or a departure stops delivery at once without tracking connection
    /// ids.
    /// </summary>
    public static string JoinedGroup(Guid conversationId, Guid userId) => $"joined:{conversationId:N}:{userId:N}";

    /// <summary>
    /// The SignalR group of <paramref name="userId"/>'s connections subscribed to group <paramref name="groupId"/>'s
    /// community events (JoinGroup); as for conversations, sends name the members allowed now.
    /// </summary>
    public static string SubscribedGroup(Guid groupId, Guid userId) => $"community:{groupId:N}:{userId:N}";

    /// <summary>The connections of <paramref name="userIds"/> subscribed to group <paramref name="groupId"/>.</summary>
    public Task ToSubscribedAsync<T>(
        Guid groupId,
        IEnumerable<Guid> userIds,
        HubEvent<T> target,
        T payload,
        CancellationToken cancellationToken
    )
    {
        var groups = userIds.Distinct().Select(u => SubscribedGroup(groupId, u)).ToList();
        return groups.Count == 0
            ? Task.CompletedTask
            : hub.Clients.Groups(groups).SendAsync(target.Name, payload, cancellationToken);
    }

    /// <summary>The connections of <paramref name="userIds"/> that joined <paramref name="conversationId"/>, but
    /// <paramref name="exceptConnectionId"/>.</summary>
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
