using Community.Contracts;
using Community.ServiceDefaults.RealTime;

namespace Community.Messaging.Conversations;

/// <summary>Pushes to a whole conversation from outside a request: its joined members allowed now.</summary>
public sealed class ConversationPush(ChatPush push, IServiceScopeFactory scopes)
{
    /// <summary>
    /// The connections that joined conversation <paramref name="conversationId"/> of every member allowed now (a
    /// thread's group members, an event chat's active members, a direct conversation's two sides but one hidden by a
    /// block).
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
        var queries = scope.ServiceProvider.GetRequiredService<MessageQueries>();
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
                    .. await queries.RecipientsAsync(c, c.DirectLow!.Value, cancellationToken),
                    .. await queries.RecipientsAsync(c, c.DirectHigh!.Value, cancellationToken),
                ]
                : await queries.RecipientsAsync(c, Guid.Empty, cancellationToken);
        await push.ToJoinedAsync(conversationId, members, target, payload, null, cancellationToken);
    }
}
