using Community.Contracts;
using Community.ServiceDefaults.RealTime;

namespace Community.Messaging.Conversations;

/// <summary>
/// Who has an event chat open (seed 002's user_joined / user_left), from the hub presence of their connections: the
/// first connection of a user to join the chat opens it, the last one to leave or close leaves it. The chat's other
/// active members hear it on their joined connections, but those in a block with them; while Redis is away nobody
/// counts as watching, so nothing is announced.
/// </summary>
public sealed class EventChatPresence(HubPresence presence, LiveDelivery live)
{
    /// <summary>Whether <paramref name="userId"/> has no connection in the conversation now (false when
    /// unknown).</summary>
    public async Task<bool> AwayAsync(Guid conversationId, Guid userId) =>
        await presence.WatchingAsync(conversationId, [userId]) is { } watching && !watching.Contains(userId);

    /// <summary>user_joined, for an event chat.</summary>
    public Task OpenedAsync(
        MessagingDbContext db,
        Conversation conversation,
        Guid userId,
        CancellationToken cancellationToken
    ) =>
        conversation is { Kind: ConversationKinds.EventChat, EventId: { } eventId }
            ? AnnounceAsync(db, LiveEvents.UserJoined, conversation.Id, eventId, userId, cancellationToken)
            : Task.CompletedTask;

    /// <summary>user_left in each of <paramref name="conversationIds"/> that is an event chat the user no longer
    /// has open.</summary>
    public async Task LeftAsync(
        MessagingDbContext db,
        IReadOnlyCollection<Guid> conversationIds,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var chats = await db
            .Conversations.AsNoTracking()
            .Where(c => conversationIds.Contains(c.Id) && c.Kind == ConversationKinds.EventChat)
            .Select(c => new { c.Id, EventId = c.EventId!.Value })
            .ToListAsync(cancellationToken);
        foreach (var chat in chats)
            if (await AwayAsync(chat.Id, userId))
                await AnnounceAsync(db, LiveEvents.UserLeft, chat.Id, chat.EventId, userId, cancellationToken);
    }

    private async Task AnnounceAsync(
        MessagingDbContext db,
        HubEvent<ChatPresence> target,
        Guid conversationId,
        Guid eventId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var audience = await EventChats.AudienceAsync(db, conversationId, userId, cancellationToken);
        // Only a member's comings and goings are told: a connection kept open after its registration ended is nobody's
        // business (its members heard attendee_cancelled).
        if (!audience.Remove(userId) || audience.Count == 0)
            return;
        var user = Names.Of(await Names.LoadAsync(db, [userId], cancellationToken), userId);
        await live.EventChatAsync(
            target,
            conversationId,
            new ChatPresence(conversationId, eventId, userId, user.Username, user.DisplayName),
            audience
        );
    }
}
