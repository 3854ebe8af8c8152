using System.Collections.Concurrent;
using Community.Contracts;
using Community.ServiceDefaults.Messaging;
using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Messaging;

/// <summary>
/// Who is connected, in Redis (shared by every instance, nothing durable): each user's open connections and, per
/// conversation, those that joined it, each under a lease this instance renews (<see cref="HubPresenceKeeper"/>),
/// so a killed instance's connections expire by themselves; and the online users. Scripts run atomically on
/// Redis's clock, so coming online (first connection anywhere) and going offline (last one closed or expired)
/// happen exactly once; the user's accepted connections hear it as <c>presence</c>, and going offline records
/// last_offline_at in PostgreSQL (the digest reads it). While Redis is unreachable presence degrades (nobody counts
/// as watching; one warning per outage); the next renewal after it answers registers again the connections still
/// open and settles what was missed.
/// </summary>
public sealed class HubPresence
{
    private const string Now = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

        """;

    // KEYS: the user's connections, the online users; ARGV: member, lease ms, user. 1 when the user came online.
    private const string Connect =
        Now
        + """
            local lease = tonumber(ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
            redis.call('PEXPIRE', KEYS[1], lease)
            local added = redis.call('ZADD', KEYS[2], 'GT', now + lease, ARGV[3])
            redis.call('PEXPIRE', KEYS[2], lease)
            return added
            """;

    // KEYS: the connection's tombstone, the user's connections, the online users, the joined conversations;
    // ARGV as Connect. A closed connection (tombstone) is never renewed back; 1 when the user was put back online.
    private const string Renew =
        Now
        + """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            local lease = tonumber(ARGV[2])
            redis.call('ZADD', KEYS[2], now + lease, ARGV[1])
            redis.call('PEXPIRE', KEYS[2], lease)
            local added = redis.call('ZADD', KEYS[3], 'GT', now + lease, ARGV[3])
            redis.call('PEXPIRE', KEYS[3], lease)
            for i = 4, #KEYS do
              redis.call('ZADD', KEYS[i], now + lease, ARGV[1])
              redis.call('PEXPIRE', KEYS[i], lease)
            end
            return added
            """;

    // KEYS: the connection's tombstone, the conversation's joined connections of the user; ARGV: member, lease ms.
    private const string Join =
        Now
        + """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
            return 1
            """;

    // KEYS as Renew; ARGV: member, lease ms, user, '1' to announce offline even if Redis lost the user (a replay
    // after an outage). 1 when the user went offline: their last live connection is gone.
    private const string Close =
        Now
        + """
            redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[2]))
            for i = 4, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
            if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
            if redis.call('ZREM', KEYS[3], ARGV[3]) == 1 or ARGV[4] == '1' then return 1 end
            return 0
            """;

    // KEYS: the online users; ARGV: how many. Users whose every lease has ended (their score bounds their leases).
    private const string Expired =
        Now
        + """
            return redis.call('ZRANGE', KEYS[1], '-inf', '(' .. now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
            """;

    // KEYS: the user's connections, the online users; ARGV: user. 1 when the user went offline (no live lease left).
    private const string Expire =
        Now
        + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
            if #last > 0 then
              redis.call('ZADD', KEYS[2], 'XX', last[2], ARGV[1])
              return 0
            end
            return redis.call('ZREM', KEYS[2], ARGV[1])
            """;

    // KEYS: sorted sets of leased members; for each, 1 when one of its leases is live.
    private const string AnyLive =
        Now
        + """
            local live = {}
            for i = 1, #KEYS do
              live[i] = redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf') > 0 and 1 or 0
            end
            return live
            """;

    // KEYS: a sorted set of leased members; those whose lease is live.
    private const string LiveMembers =
        Now
        + """
            return redis.call('ZRANGE', KEYS[1], '(' .. now, '+inf', 'BYSCORE')
            """;

    private readonly IServiceScopeFactory _scopes;
    private readonly RealTimeRedisConnection _redis;
    private readonly BusInstance _instance;
    private readonly TimeProvider _clock;
    private readonly IOptions<RealTimeOptions> _options;
    private readonly ILogger<HubPresence> _logger;
    private readonly ConcurrentDictionary<string, Held> _held = new();
    private readonly ConcurrentDictionary<string, Held> _unsettledCloses = new();
    private int _unreachable;

    // A connection this instance holds, with the conversations it joined; Unsettled while Redis has not heard of it.
    private sealed class Held(Guid userId)
    {
        public Guid UserId { get; } = userId;
        public ConcurrentDictionary<Guid, byte> Joined { get; } = new();
        public volatile bool Unsettled;
    }

    public HubPresence(
        IServiceScopeFactory scopes,
        RealTimeRedisConnection redis,
        BusInstance instance,
        TimeProvider clock,
        IOptions<RealTimeOptions> options,
        ILogger<HubPresence> logger
    )
    {
        (_scopes, _redis, _instance, _clock, _options, _logger) = (scopes, redis, instance, clock, options, logger);
    }

    public string InstanceId => _instance.Id;

    /// <summary>The hub connections this instance holds.</summary>
    public int HeldCount => _held.Count;

    /// <summary>Whether this instance holds the connection (registered by OnConnectedAsync, not yet closed).</summary>
    public bool Holds(string connectionId) => _held.ContainsKey(connectionId);

    private string Prefix => $"{_options.Value.RedisKeyPrefix}{ResourceNames.Messaging}:presence:";
    private long Lease => (long)_options.Value.ConnectionLease.TotalMilliseconds;

    private string Member(string connectionId) => $"{_instance.Id}/{connectionId}";

    /// <summary>The user's open connections (members "instance/connection", each leased).</summary>
    public RedisKey ConnectionsKey(Guid userId) => $"{Prefix}{userId:N}:connections";

    /// <summary>The online users (score: no lease of theirs ends later).</summary>
    public RedisKey OnlineKey => $"{Prefix}online";

    private RedisKey JoinedKey(Guid userId, Guid conversationId) => $"{Prefix}{userId:N}:joined:{conversationId:N}";

    private RedisKey TombstoneKey(string connectionId) => $"{Prefix}closed:{Member(connectionId)}";

    private RedisKey[] Keys(string connectionId, Held held) =>
        [
            TombstoneKey(connectionId),
            ConnectionsKey(held.UserId),
            OnlineKey,
            .. held.Joined.Keys.Select(c => JoinedKey(held.UserId, c)),
        ];

    public async Task ConnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken)
    {
        var held = new Held(userId);
        var cameOnline = await RunAsync(db =>
            db.ScriptEvaluateAsync(
                Connect,
                [ConnectionsKey(userId), OnlineKey],
                [Member(connectionId), Lease, userId.ToString()]
            )
        );
        // Held after the script, so a renewal cannot put the user online first and hide their coming online.
        held.Unsettled = cameOnline is null;
        _held[connectionId] = held;
        if (cameOnline == 1)
            await AnnounceAsync(userId, true, cancellationToken);
    }

    public async Task DisconnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken)
    {
        // Forgotten first: a renewal running now finds the tombstone the close leaves.
        if (!_held.TryRemove(connectionId, out var held))
            held = new Held(userId);
        await CloseAsync(connectionId, held, replay: false, cancellationToken);
    }

    /// <summary>Records that the connection joined the conversation (renewed with it, registered again after a restart).</summary>
    public async Task JoinedAsync(string connectionId, Guid userId, Guid conversationId)
    {
        if (_held.TryGetValue(connectionId, out var held))
            held.Joined[conversationId] = 0;
        await RunAsync(db =>
            db.ScriptEvaluateAsync(
                Join,
                [TombstoneKey(connectionId), JoinedKey(userId, conversationId)],
                [Member(connectionId), Lease]
            )
        );
    }

    public async Task LeftAsync(string connectionId, Guid userId, Guid conversationId)
    {
        if (_held.TryGetValue(connectionId, out var held))
            held.Joined.TryRemove(conversationId, out _);
        await RunAsync(db => db.SortedSetRemoveAsync(JoinedKey(userId, conversationId), Member(connectionId)));
    }

    /// <summary>Which of <paramref name="userIds"/> have a live connection that joined the conversation; null while
    /// Redis is away.</summary>
    public Task<IReadOnlySet<Guid>?> WatchingAsync(Guid conversationId, IReadOnlyList<Guid> userIds) =>
        AnyLiveAsync(userIds, u => JoinedKey(u, conversationId));

    /// <summary>Which of <paramref name="userIds"/> have a live connection; null while Redis is away.</summary>
    public Task<IReadOnlySet<Guid>?> OnlineAsync(IReadOnlyList<Guid> userIds) => AnyLiveAsync(userIds, ConnectionsKey);

    /// <summary>The user's live connections as "instance/connection"; null while Redis is away.</summary>
    public Task<string[]?> ConnectionsAsync(Guid userId) =>
        RunAsync(async db =>
            ((RedisValue[])(await db.ScriptEvaluateAsync(LiveMembers, [ConnectionsKey(userId)]))!)
                .Select(m => m.ToString())
                .ToArray()
        );

    /// <summary>
    /// Renews the leases of this instance's connections and their joins (registering again those Redis lost), then
    /// settles what an outage hid: users whose first connection Redis missed come online, closes it missed replay.
    /// </summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        var held = _held.ToArray();
        // Nothing held, nothing asked: an idle instance neither warns nor reports Redis back during an outage.
        var renewed =
            held.Length == 0
                ? Array.Empty<long>()
                : await RunAsync(async db =>
                {
                    var added = await Task.WhenAll(
                        held.Select(h =>
                            db.ScriptEvaluateAsync(
                                Renew,
                                Keys(h.Key, h.Value),
                                [Member(h.Key), Lease, h.Value.UserId.ToString()]
                            )
                        )
                    );
                    return added.Select(a => (long)a).ToArray();
                });
        if (renewed is null)
            return;
        var cameOnline = held.Zip(renewed)
            .GroupBy(h => h.First.Value.UserId)
            .Where(u => u.Any(h => h.First.Value.Unsettled) && u.Any(h => h.Second == 1))
            .Select(u => u.Key)
            .ToList();
        foreach (var (_, h) in held)
            h.Unsettled = false;
        foreach (var userId in cameOnline)
            await AnnounceAsync(userId, true, cancellationToken);
        foreach (var (connectionId, h) in _unsettledCloses.ToArray())
            if (_unsettledCloses.TryRemove(connectionId, out _))
                await CloseAsync(connectionId, h, replay: true, cancellationToken);
    }

    /// <summary>Announces offline the users whose every lease ended (their instances died); returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var expired = await RunAsync(async db =>
            (RedisValue[])(await db.ScriptEvaluateAsync(Expired, [OnlineKey], [500]))!
        );
        var offline = 0;
        foreach (var user in expired ?? [])
        {
            var userId = Guid.Parse(user.ToString());
            var wentOffline = await RunAsync(db =>
                db.ScriptEvaluateAsync(Expire, [ConnectionsKey(userId), OnlineKey], [userId.ToString()])
            );
            if (wentOffline != 1)
                continue;
            offline++;
            await AnnounceAsync(userId, false, cancellationToken);
        }
        return offline;
    }

    /// <summary>Closes every connection this instance holds (a clean stop), so their users go offline now.</summary>
    public async Task CloseAllAsync(CancellationToken cancellationToken)
    {
        foreach (var connectionId in _held.Keys)
            if (_held.TryRemove(connectionId, out var held))
                await CloseAsync(connectionId, held, replay: false, cancellationToken);
    }

    private async Task CloseAsync(string connectionId, Held held, bool replay, CancellationToken cancellationToken)
    {
        var wentOffline = await RunAsync(db =>
            db.ScriptEvaluateAsync(
                Close,
                Keys(connectionId, held),
                [Member(connectionId), Lease, held.UserId.ToString(), replay ? "1" : "0"]
            )
        );
        if (wentOffline is null)
            _unsettledCloses[connectionId] = held;
        else if (wentOffline == 1)
            await AnnounceAsync(held.UserId, false, cancellationToken);
    }

    private async Task AnnounceAsync(Guid userId, bool online, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        if (!online)
        {
            var now = _clock.GetUtcNow();
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO user_presence (user_id, last_offline_at) VALUES ({userId}, {now})
                ON CONFLICT (user_id) DO UPDATE SET last_offline_at = excluded.last_offline_at
                """,
                cancellationToken
            );
        }
        var audience = await AudienceAsync(db, userId, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<LiveDelivery>().PresenceAsync(userId, online, audience);
    }

    /// <summary>Who hears a user's presence: their accepted connections, without a block either way.</summary>
    private static async Task<IReadOnlyList<Guid>> AudienceAsync(
        MessagingDbContext db,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var connections = await db
            .Connections.AsNoTracking()
            .Where(p => p.Connected && (p.UserLow == userId || p.UserHigh == userId))
            .Select(p => p.UserLow == userId ? p.UserHigh : p.UserLow)
            .ToListAsync(cancellationToken);
        var blocked = await db
            .Blocks.AsNoTracking()
            .Where(b => b.Blocked && (b.BlockerId == userId || b.BlockedId == userId))
            .Select(b => b.BlockerId == userId ? b.BlockedId : b.BlockerId)
            .ToListAsync(cancellationToken);
        return connections.Except(blocked).ToList();
    }

    private async Task<IReadOnlySet<Guid>?> AnyLiveAsync(IReadOnlyList<Guid> userIds, Func<Guid, RedisKey> key)
    {
        if (userIds.Count == 0)
            return new HashSet<Guid>();
        var live = await RunAsync(async db =>
            ((RedisResult[])(await db.ScriptEvaluateAsync(AnyLive, [.. userIds.Select(key)]))!)
                .Select(r => (long)r)
                .ToArray()
        );
        return live?.Zip(userIds).Where(l => l.First == 1).Select(l => l.Second).ToHashSet();
    }

    private Task<long?> RunAsync(Func<IDatabase, Task<RedisResult>> script) =>
        RunAsync<long?>(async db => (long)await script(db));

    private async Task<T?> RunAsync<T>(Func<IDatabase, Task<T>> command)
    {
        try
        {
            var result = await command(await _redis.DatabaseAsync());
            if (Interlocked.Exchange(ref _unreachable, 0) == 1)
                _logger.LogInformation("Redis answers again: hub presence is shared again.");
            return result;
        }
        // RedisTimeoutException is a TimeoutException, not a RedisException.
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            Unreachable(e);
            return default;
        }
    }

    private void Unreachable(Exception e)
    {
        if (Interlocked.Exchange(ref _unreachable, 1) == 0)
            _logger.LogWarning(
                e,
                "Redis is unreachable: hub presence degrades (nobody counts as watching a conversation) until it answers again."
            );
    }
}
