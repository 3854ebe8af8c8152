using Community.Contracts;
using Community.ServiceDefaults;
using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Messaging.Conversations;

/// <summary>
/// Typing signals, never stored in the database: typing carries the typist's names, and stop_typing follows an
/// explicit stop, the typist's next message, or <see cref="Lapse"/> without a new typing call. The last call's token
/// sits in Redis, so whichever instance took it owns the lapse, and a stop on any instance cancels it. While Redis is
/// away typing is still pushed and lapses on the clients only.
/// </summary>
public sealed class ConversationTyping(
    RealTimeRedisConnection redis,
    IOptions<RealTimeOptions> options,
    LiveDelivery live,
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    ILogger<ConversationTyping> logger
)
{
    public static readonly TimeSpan Lapse = TimeSpan.FromSeconds(5);

    // KEYS: the typist's key; ARGV: the token of the call whose lapse is due. 1 when it was still the last call.
    private const string EndIfLast = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private RedisKey Key(Guid conversationId, Guid userId) =>
        $"{options.Value.RedisKeyPrefix}{ResourceNames.Messaging}:typing:{conversationId:N}:{userId:N}";

    /// <summary>typing to <paramref name="recipients"/>, and stop_typing after <see cref="Lapse"/> unless
    /// renewed.</summary>
    public async Task TypingAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        IReadOnlyList<Guid> recipients,
        CancellationToken cancellationToken
    )
    {
        var token = Guid.NewGuid().ToString("N");
        // The key outlives the lapse, so the check that is due still finds the token.
        var recorded = await RunAsync(r => r.StringSetAsync(Key(conversationId, userId), token, Lapse * 4));
        await live.TypingAsync(
            LiveEvents.Typing,
            await SignalAsync(db, conversationId, userId, cancellationToken),
            recipients
        );
        if (recorded)
            _ = StopWhenLapsedAsync(conversationId, userId, token);
    }

    /// <summary>An explicit stop: stop_typing whether or not a lapse was pending, which it cancels.</summary>
    public async Task StoppedAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        IReadOnlyList<Guid> recipients,
        CancellationToken cancellationToken
    )
    {
        await RunAsync(r => r.KeyDeleteAsync(Key(conversationId, userId)));
        await live.TypingAsync(
            LiveEvents.StopTyping,
            await SignalAsync(db, conversationId, userId, cancellationToken),
            recipients
        );
    }

    /// <summary>The typist sent a message: stop_typing, if they were typing.</summary>
    public async Task SentAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        IReadOnlyList<Guid> recipients,
        CancellationToken cancellationToken
    )
    {
        if (await RunAsync(r => r.KeyDeleteAsync(Key(conversationId, userId))))
            await live.TypingAsync(
                LiveEvents.StopTyping,
                await SignalAsync(db, conversationId, userId, cancellationToken),
                recipients
            );
    }

    private async Task StopWhenLapsedAsync(Guid conversationId, Guid userId, string token)
    {
        var stopping = lifetime.ApplicationStopping;
        try
        {
            await Task.Delay(Lapse, stopping);
            var key = Key(conversationId, userId);
            if (!await RunAsync(async r => (long)await r.ScriptEvaluateAsync(EndIfLast, [key], [token]) == 1))
                return;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            var queries = scope.ServiceProvider.GetRequiredService<MessageQueries>();
            if (
                await db.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId, stopping)
                is not { } conversation
            )
                return;
            // Blocks and memberships as they are now, as for any push.
            var recipients = await queries.RecipientsAsync(conversation, userId, stopping);
            await live.TypingAsync(
                LiveEvents.StopTyping,
                await SignalAsync(db, conversationId, userId, stopping),
                recipients
            );
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the clients' own lapse ends the signal.
        }
        catch (Exception e)
        {
            logger.LogWarning(
                e,
                "The lapsed typing of {UserId} in {ConversationId} was not ended",
                userId,
                conversationId
            );
        }
    }

    private static async Task<TypingSignal> SignalAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var typist = Names.Of(await Names.LoadAsync(db, [userId], cancellationToken), userId);
        return new(conversationId, userId, typist.Username, typist.DisplayName);
    }

    // Once per outage: every send asks.
    private readonly RedisFallback _fallback = new(
        logger,
        "Redis is unreachable: typing lapses on the clients only until it answers",
        "Redis answers again: typing lapses are ended by the server again",
        () => redis.Starting
    );

    private Task<bool> RunAsync(Func<IDatabase, Task<bool>> command) =>
        _fallback.RunAsync(async () => await command(await redis.DatabaseAsync()), false);
}
