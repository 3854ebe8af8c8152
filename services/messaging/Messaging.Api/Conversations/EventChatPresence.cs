using Community.Contracts;
using Community.ServiceDefaults;
using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Messaging.Conversations;

/// <summary>
/// Who has an event chat open (seed 002's user_joined / user_left), from the hub presence of their connections: the
/// first connection of a user to join the chat opens it, the last one to leave or close leaves it. The chat's other
/// active members hear it on their joined connections, but those in a block with them; while Redis is away nobody
/// counts as watching, so nothing is announced.
/// <para>
/// A leave is told <see cref="Linger"/> later, and not at all when the user opens the chat again meanwhile (nor is
/// that opening told): a reconnecting client, or one joining and leaving in a loop, would otherwise push both to every
/// member each time. The pending leave sits in Redis, so an opening on any instance takes it back; while Redis is away
/// a leave is told at once. An instance that stops tells its pending leaves at once.
/// </para>
/// </summary>
public sealed class EventChatPresence(
    HubPresence presence,
    LiveDelivery live,
    RealTimeRedisConnection redis,
    IOptions<RealTimeOptions> options,
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    ILogger<EventChatPresence> logger
)
{
    /// <summary>How long a leave waits to be told (Messaging:EventChatLeaveLinger, 5 s by default).</summary>
    public TimeSpan Linger { get; } = configuration.GetValue("Messaging:EventChatLeaveLinger", TimeSpan.FromSeconds(5));

    // KEYS: the pending leave; ARGV: the token of the leave whose linger ended. 1 when it was still pending.
    private const string EndIfLast = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private RedisKey LeavingKey(Guid conversationId, Guid userId) =>
        $"{options.Value.RedisKeyPrefix}{ResourceNames.Messaging}:leaving:{conversationId:N}:{userId:N}";

    /// <summary>Whether <paramref name="userId"/> has no connection in the conversation now (false when
    /// unknown).</summary>
    public async Task<bool> AwayAsync(Guid conversationId, Guid userId) =>
        await presence.WatchingAsync(conversationId, [userId]) is { } watching && !watching.Contains(userId);

    /// <summary>user_joined, for an event chat, unless it takes back a leave not told yet.</summary>
    public async Task OpenedAsync(
        MessagingDbContext db,
        Conversation conversation,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        if (conversation is not { Kind: ConversationKinds.EventChat, EventId: { } eventId })
            return;
        if (await RunAsync(r => r.KeyDeleteAsync(LeavingKey(conversation.Id, userId))))
            return;
        await AnnounceAsync(db, LiveEvents.UserJoined, conversation.Id, eventId, userId, cancellationToken);
    }

    /// <summary>user_left, after <see cref="Linger"/>, in each of <paramref name="conversationIds"/> that is an event
    /// chat the user no longer has open.</summary>
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
        {
            if (!await AwayAsync(chat.Id, userId))
                continue;
            var token = Guid.NewGuid().ToString("N");
            // The key outlives the linger, so the check that is due still finds the token.
            if (await RunAsync(r => r.StringSetAsync(LeavingKey(chat.Id, userId), token, Linger * 4)))
                _ = LeftWhenLingeredAsync(chat.Id, chat.EventId, userId, token);
            else
                await AnnounceAsync(db, LiveEvents.UserLeft, chat.Id, chat.EventId, userId, cancellationToken);
        }
    }

    private async Task LeftWhenLingeredAsync(Guid conversationId, Guid eventId, Guid userId, string token)
    {
        var stopping = lifetime.ApplicationStopping;
        try
        {
            try
            {
                await Task.Delay(Linger, stopping);
            }
            catch (OperationCanceledException)
            {
                // Stopping: told now, as no instance will tell it later.
            }
            var key = LeavingKey(conversationId, userId);
            if (!await RunAsync(async r => (long)await r.ScriptEvaluateAsync(EndIfLast, [key], [token]) == 1))
                return;
            if (!await AwayAsync(conversationId, userId))
                return;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            await AnnounceAsync(db, LiveEvents.UserLeft, conversationId, eventId, userId, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.Log(
                stopping.IsCancellationRequested ? LogLevel.Debug : LogLevel.Warning,
                e,
                "The leave of {UserId} from event chat {ConversationId} was not told",
                userId,
                conversationId
            );
        }
    }

    // Once per outage: every leave asks.
    private readonly RedisFallback _fallback = new(
        logger,
        "Redis is unreachable: event chat leaves are told at once until it answers",
        "Redis answers again: event chat leaves wait to be told again"
    );

    private Task<bool> RunAsync(Func<IDatabase, Task<bool>> command) =>
        _fallback.RunAsync(async () => await command(await redis.DatabaseAsync()), false);

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
