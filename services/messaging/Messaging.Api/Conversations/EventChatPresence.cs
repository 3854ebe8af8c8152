using System.Runtime.ExceptionServices;
using Community.Contracts;
using Community.ServiceDefaults;
using Community.ServiceDefaults.RealTime;

namespace Community.Messaging.Conversations;

/// <summary>
/// Who has an event chat open (seed 002's user_joined / user_left), from the hub presence of their connections: the
/// first connection of a user to join the chat opens it, the last one to leave or close leaves it. The chat's other
/// active members hear it on their joined connections, but those in a block with them; while Redis is away nobody
/// counts as watching, so nothing is announced.
/// <para>
/// A leave is told <see cref="Linger"/> later, and neither it nor the next opening when the user opens the chat again
/// meanwhile: a reconnecting client, or one joining and leaving in a loop, would otherwise push both to every member
/// each time. The pending leave is in Redis (<see cref="HubPresence"/>): the script that takes a connection out of the
/// chat (leaving it or closing, a stop's closing too) pends it, and the one that puts a connection in takes it back, so
/// every instance agrees; whichever instance's <see cref="EventChatLeaves"/> runs first after the linger takes it and,
/// when the user is still away, tells it, so a leave outlives the instance it was made on. A leave is taken and told
/// one at a time: a crash in between loses that one, and an opening in between is told again after it.
/// </para>
/// </summary>
public sealed class EventChatPresence(HubPresence presence, LiveDelivery live)
{
    /// <summary>How long a leave waits to be told (Messaging:EventChatLeaveLinger, 5 s by default).</summary>
    public TimeSpan Linger => presence.EventChatLeaveLinger;

    /// <summary>How many due leaves one round takes.</summary>
    public const int LeavesPerRound = 200;

    /// <summary>user_joined, for an event chat the connection joined and the user opened (the hub's presence said
    /// so).</summary>
    public Task OpenedAsync(
        MessagingDbContext db,
        Conversation conversation,
        Guid userId,
        CancellationToken cancellationToken
    ) =>
        conversation is { Kind: ConversationKinds.EventChat, EventId: { } eventId }
            ? AnnounceAsync(db, LiveEvents.UserJoined, conversation.Id, eventId, userId, cancellationToken)
            : Task.CompletedTask;

    /// <summary>
    /// Tells user_left for the leaves whose linger ended and whose users are still away, one at a time; a leave whose
    /// telling fails (the database away) is pending again, the round ends there (the others stay pending) and throws.
    /// Answers how many it told.
    /// </summary>
    public async Task<int> TellDueLeavesAsync(MessagingDbContext db, CancellationToken cancellationToken)
    {
        var told = 0;
        Exception? failure = null;
        IReadOnlyList<(Guid ConversationId, Guid UserId)> due;
        do
        {
            due = await presence.DueLeavesAsync(LeavesPerRound);
            foreach (var (chatId, userId) in due)
            {
                if (!await presence.TakeLeaveAsync(chatId, userId))
                    continue;
                try
                {
                    var eventId = await db
                        .Conversations.AsNoTracking()
                        .Where(c => c.Id == chatId && c.Kind == ConversationKinds.EventChat)
                        .Select(c => c.EventId)
                        .FirstOrDefaultAsync(cancellationToken);
                    // A chat gone meanwhile has no one to tell.
                    if (eventId is { } id)
                    {
                        await AnnounceAsync(db, LiveEvents.UserLeft, chatId, id, userId, cancellationToken);
                        // Back meanwhile: their opening was told as this leave was taken, maybe before this leave
                        // arrived; told again after it, so members end with what is true.
                        if (await presence.WatchingAsync(chatId, [userId]) is { } watching && watching.Contains(userId))
                            await AnnounceAsync(db, LiveEvents.UserJoined, chatId, id, userId, cancellationToken);
                    }
                    told++;
                }
                catch (Exception e)
                {
                    await presence.PendLeaveAsync(chatId, userId);
                    if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                        throw;
                    // The others are left pending, untouched, for a later round.
                    failure = e;
                    break;
                }
            }
        } while (due.Count == LeavesPerRound && failure is null);
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        return told;
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

/// <summary>
/// Several times a linger: tells the event chats' leaves whose linger ended (<see cref="EventChatPresence"/>), those
/// made on any instance; a stop leaves the pending ones to the other instances, or to this one when it starts again.
/// </summary>
public sealed class EventChatLeaves(
    EventChatPresence chats,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<EventChatLeaves> logger
) : PeriodicSweep(clock, logger)
{
    protected override TimeSpan Every { get; } =
        TimeSpan.FromTicks(
            Math.Clamp(chats.Linger.Ticks / 5, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(1).Ticks)
        );

    protected override TimeSpan FirstRoundAfter => Every;

    // The database may be away for a moment; the leaves are pending again, and a later round tells them.
    protected override string FailureMessage => "Telling the event chats' leaves failed";

    protected override async Task RunRoundAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await chats.TellDueLeavesAsync(scope.ServiceProvider.GetRequiredService<MessagingDbContext>(), stoppingToken);
    }
}
