using Community.Messaging.Conversations;
using Community.Messaging.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Community.Messaging.RealTime;

/// <summary>The names of what the server sends over the chat hub.</summary>
public static class LiveEvents
{
    public const string NewMessage = "new_message";
    public const string MessageUpdated = "message_updated";
    public const string MessageDeleted = "message_deleted";
    public const string Typing = "typing";
    public const string StopTyping = "stop_typing";
    public const string MemberJoined = "member_joined";
    public const string MemberLeft = "member_left";
    public const string NewThread = "new_thread";
    public const string Read = "read";
    public const string Presence = "presence";
    public const string Notification = "notification";
}

/// <summary>
/// How every feature (REST routes, consumers, the hub itself) reaches connected clients, on this instance and,
/// through the Redis backplane, on the others: a user's connections, or the connections that joined a conversation.
/// </summary>
public sealed class ChatPush(IHubContext<ChatHub> hub, IServiceScopeFactory scopes)
{
    public Task ToUsersAsync(IEnumerable<Guid> userIds, string target, object payload, CancellationToken cancellationToken) =>
        hub.Clients.Users(userIds.Select(u => u.ToString()).ToList()).SendAsync(target, payload, cancellationToken);

    /// <summary>
    /// The connections that joined conversation <paramref name="conversationId"/> of every member allowed now (a thread's
    /// group members, an event chat's active members, a direct conversation's two sides but one hidden by a block).
    /// </summary>
    public async Task ToConversationAsync(Guid conversationId, string target, object payload, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var messages = scope.ServiceProvider.GetRequiredService<ConversationMessages>();
        if (await db.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken) is not { } c) return;
        // Each side of a direct conversation as the other's recipient; anyone else's recipients are all the members.
        IReadOnlyList<Guid> members = c.Kind == ConversationKinds.Direct
            ? [.. await messages.RecipientsAsync(c, c.DirectLow!.Value, cancellationToken), .. await messages.RecipientsAsync(c, c.DirectHigh!.Value, cancellationToken)]
            : await messages.RecipientsAsync(c, Guid.Empty, cancellationToken);
        await ToJoinedAsync(conversationId, members, target, payload, null, cancellationToken);
    }

    /// <summary>
    /// The SignalR group of <paramref name="userId"/>'s connections that joined <paramref name="conversationId"/>. Sends name the
    /// users allowed now, so a block or a departure stops delivery at once without tracking connection ids.
    /// </summary>
    public static string JoinedGroup(Guid conversationId, Guid userId) => "joined:" + conversationId.ToString("N") + ":" + userId.ToString("N");

    /// <summary>The connections of <paramref name="userIds"/> that joined <paramref name="conversationId"/>, but <paramref name="exceptConnectionId"/>.</summary>
    public Task ToJoinedAsync(
        Guid conversationId, IEnumerable<Guid> userIds, string target, object payload, string? exceptConnectionId, CancellationToken cancellationToken)
    {
        var groups = userIds.Distinct().Select(u => JoinedGroup(conversationId, u)).ToList();
        if (groups.Count == 0) return Task.CompletedTask;
        if (exceptConnectionId is null) return hub.Clients.Groups(groups).SendAsync(target, payload, cancellationToken);
        return Task.WhenAll(groups.Select(g => hub.Clients.GroupExcept(g, [exceptConnectionId]).SendAsync(target, payload, cancellationToken)));
    }
}
