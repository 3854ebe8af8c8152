using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// A user's hub limits shared by all their connections on every instance, kept in Redis: a token bucket of calls
/// (an instance that asks takes a few at once while it is more than half full, so the user's next calls there start
/// without a round trip; see <see cref="RealTimeOptions.UserCallLease"/>) and a set of open connections (each with
/// a lease the owning instance renews, so a killed instance's connections age out). Scripts run atomically on Redis's
/// clock. While Redis is unreachable every check passes (fail open: chat goes on with the per-connection limits and
/// the calls already leased), with one warning, until Redis answers again.
/// </summary>
public sealed class HubUserLimits
{
    // Every script starts by reading Redis's clock (ms), so instances with skewed clocks count alike.
    private const string Now = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

        """;

    // KEYS[1]: the user's bucket: its tokens, when they were refilled (ms), and each lease of calls to an instance
    // ("l:" and its id: "count:end ms"). ARGV: rate per second, burst, most calls to take, lease in ms, lease id.
    // A lease's calls count against the bucket until it ends (spent or not), so the tokens left and the calls leased
    // never add up to more than the burst: no instance's calls take the user over it. Calls are leased only from the
    // top half of the bucket, so a user near their limit is counted call by call, here.
    private const string TakeCalls =
        Now
        + """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local state = redis.call('HGETALL', KEYS[1])
            local tokens = burst
            local at = now
            local leased = 0
            local ended = {}
            for i = 1, #state, 2 do
              local field = state[i]
              if field == 'tokens' then
                tokens = tonumber(state[i + 1])
              elseif field == 'at' then
                at = tonumber(state[i + 1])
              else
                local count, ends = string.match(state[i + 1], '(%d+):(%d+)')
                if tonumber(ends) <= now then
                  ended[#ended + 1] = field
                else
                  leased = leased + tonumber(count)
                end
              end
            end
            if #ended > 0 then
              redis.call('HDEL', KEYS[1], unpack(ended))
            end
            tokens = math.min(burst - leased, tokens + math.max(0, now - at) * rate / 1000)
            local taken = 0
            if tokens >= 1 then
              tokens = tokens - 1
              taken = 1
              local extra = math.min(tonumber(ARGV[3]) - 1, math.floor(tokens - burst / 2))
              if extra > 0 then
                tokens = tokens - extra
                taken = taken + extra
                redis.call('HSET', KEYS[1], 'l:' .. ARGV[5], extra .. ':' .. (now + tonumber(ARGV[4])))
              end
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.max(math.ceil(burst * 1000 / rate), tonumber(ARGV[4])) + 1000)
            return taken
            """;

    // KEYS[1]: the user's connections (score: lease end in ms); ARGV: connection id, cap, lease in ms.
    private const string OpenConnection =
        Now
        + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
              return 0
            end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
            return 1
            """;

    // KEYS: each connection's user's connections; ARGV: lease in ms, then the connection ids in KEYS' order. Re-adds a
    // connection Redis lost (a restart).
    private const string RenewConnections =
        Now
        + """
            local lease = tonumber(ARGV[1])
            for i = 1, #KEYS do
              redis.call('ZADD', KEYS[i], now + lease, ARGV[i + 1])
              redis.call('PEXPIRE', KEYS[i], lease)
            end
            return 1
            """;

    // KEYS[1]: the user's connections; the live ones (leases not ended).
    private const string CountConnections =
        Now
        + """
            return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
            """;

    private readonly IOptions<RealTimeOptions> _options;
    private readonly ILogger<HubUserLimits> _logger;
    private readonly RealTimeRedisConnection _redis;
    private readonly ConcurrentDictionary<string, RedisKey> _leases = new();
    private readonly ConcurrentDictionary<string, HeldCalls> _leasedCalls = new();
    private readonly RedisFallback _fallback;

    public HubUserLimits(
        RealTimeRedisConnection redis,
        IOptions<RealTimeOptions> options,
        ILogger<HubUserLimits> logger
    )
    {
        _options = options;
        _logger = logger;
        _redis = redis;
        _fallback = new RedisFallback(
            logger,
            "Redis is unreachable: per-user hub limits are off (only per-connection limits apply) until it answers "
                + "again.",
            "Redis answers again: per-user hub limits apply again.",
            () => redis.Starting
        );
    }

    /// <summary>
    /// Takes one call from the user's bucket; false when the user is over
    /// <see cref="RealTimeOptions.UserCallsPerSecond"/>. A call on calls this instance holds a lease of needs no round
    /// trip; one that needs a round trip takes up to <see cref="RealTimeOptions.UserCallLease"/> calls at once.
    /// </summary>
    public async Task<bool> TryTakeCallAsync(string hub, string userId)
    {
        var key = Key(hub, userId, "calls");
        if (TryTakeLeased(key))
            return true;
        var limits = _options.Value;
        var leaseId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var leaseMs = (long)limits.UserCallLeaseTime.TotalMilliseconds;
        // Read before the script runs, so the lease ends here no later than Redis's own end for it.
        var started = Environment.TickCount64;
        var taken = await _fallback.RunAsync(
            async () =>
                (long)
                    await (await _redis.DatabaseAsync()).ScriptEvaluateAsync(
                        TakeCalls,
                        [key],
                        [limits.UserCallsPerSecond, limits.UserBurst, limits.UserCallLease, leaseMs, leaseId]
                    ),
            fallback: 1L
        );
        if (taken > 1)
            Hold(key, new LeasedCalls(leaseId, (int)taken - 1, started + leaseMs - leaseMs / 10));
        // Refused: calls a concurrent call of the same user leased meanwhile still serve this one.
        return taken > 0 || TryTakeLeased(key);
    }

    /// <summary>Forgets the leases of calls that ended unspent (Redis has dropped them on its side).</summary>
    public void ForgetEndedCallLeases()
    {
        var now = Environment.TickCount64;
        foreach (var (key, held) in _leasedCalls)
            lock (held)
            {
                held.Leases.RemoveAll(l => l.Ends <= now);
                if (held.Leases.Count == 0)
                    Forget(key, held);
            }
    }

    private bool TryTakeLeased(string key)
    {
        if (!_leasedCalls.TryGetValue(key, out var held))
            return false;
        LeasedCalls? spent = null;
        lock (held)
        {
            var now = Environment.TickCount64;
            held.Leases.RemoveAll(l => l.Ends <= now);
            var lease = held.Leases.FirstOrDefault();
            if (lease is not null && --lease.Left == 0)
            {
                held.Leases.Remove(lease);
                spent = lease;
            }
            if (held.Leases.Count == 0)
                Forget(key, held);
            if (lease is null)
                return false;
        }
        // Spent: no longer counted against the bucket's refill, off the call's path.
        if (spent is not null)
            _ = _fallback.RunAsync(
                async () => await (await _redis.DatabaseAsync()).HashDeleteAsync(key, "l:" + spent.Id),
                fallback: false
            );
        return true;
    }

    private void Hold(string key, LeasedCalls lease)
    {
        while (true)
        {
            var held = _leasedCalls.GetOrAdd(key, _ => new HeldCalls());
            lock (held)
            {
                if (held.Forgotten)
                    continue;
                held.Leases.Add(lease);
                return;
            }
        }
    }

    // Under held's lock.
    private void Forget(string key, HeldCalls held)
    {
        held.Forgotten = true;
        _leasedCalls.TryRemove(new KeyValuePair<string, HeldCalls>(key, held));
    }

    /// <summary>One user's calls leased to this instance (a lock of its own).</summary>
    private sealed class HeldCalls
    {
        public List<LeasedCalls> Leases { get; } = [];

        /// <summary>Removed from the map: a new lease goes to a new one.</summary>
        public bool Forgotten { get; set; }
    }

    /// <summary>Calls taken from the user's bucket and not yet spent, usable until <see cref="Ends"/>.</summary>
    private sealed class LeasedCalls(string id, int left, long ends)
    {
        public string Id { get; } = id;
        public int Left { get; set; } = left;

        /// <summary>On <see cref="Environment.TickCount64"/>'s clock, a tenth of the lease before Redis's.</summary>
        public long Ends { get; } = ends;
    }

    /// <summary>
    /// Claims a slot for the connection; false when the user already has
    /// <see cref="RealTimeOptions.MaxConnectionsPerUser"/>.
    /// </summary>
    public async Task<bool> TryOpenConnectionAsync(string hub, string userId, string connectionId)
    {
        var limits = _options.Value;
        var key = Key(hub, userId, "connections");
        // Held before the claim, so a renewal that runs meanwhile re-adds it rather than missing it.
        _leases[connectionId] = key;
        var opened = await RunAsync(
            db =>
                db.ScriptEvaluateAsync(
                    OpenConnection,
                    [key],
                    [connectionId, limits.MaxConnectionsPerUser, (long)limits.ConnectionLease.TotalMilliseconds]
                ),
            fallback: true
        );
        if (!opened)
            _leases.TryRemove(connectionId, out _);
        return opened;
    }

    /// <summary>Frees the connection's slot.</summary>
    public async Task CloseConnectionAsync(string connectionId)
    {
        // Forgotten first: a renewal that re-adds it after this removal sees it gone and removes it again.
        if (!_leases.TryRemove(connectionId, out var key))
            return;
        await RunAsync(async db => await db.SortedSetRemoveAsync(key, connectionId), fallback: false);
    }

    /// <summary>True when the user's connections already fill the cap (false while Redis is unreachable).</summary>
    public Task<bool> IsAtConnectionCapAsync(string hub, string userId) =>
        RunAsync(
            async db =>
                (long)await db.ScriptEvaluateAsync(CountConnections, [Key(hub, userId, "connections")])
                >= _options.Value.MaxConnectionsPerUser,
            fallback: false
        );

    /// <summary>
    /// Extends the lease of the connections this instance holds that <paramref name="slices"/> has due at
    /// <paramref name="tick"/> (and re-adds those Redis lost).
    /// </summary>
    public async Task RenewLeasesAsync(RenewalSlices slices, long tick)
    {
        var lease = (long)_options.Value.ConnectionLease.TotalMilliseconds;
        var held = _leases.Where(h => slices.IsDue(h.Key, tick)).ToArray();
        if (held.Length == 0)
            return;
        await RunAsync(
            async db =>
            {
                await Task.WhenAll(
                    held.Chunk(RenewalSlices.PerScript)
                        .Select(chunk =>
                            db.ScriptEvaluateAsync(
                                RenewConnections,
                                [.. chunk.Select(h => h.Value)],
                                [lease, .. chunk.Select(h => (RedisValue)h.Key)]
                            )
                        )
                );
                // Closed while being renewed: removed again, so the renewal cannot keep a closed connection's slot.
                await Task.WhenAll(
                    held.Where(h => !_leases.ContainsKey(h.Key)).Select(h => db.SortedSetRemoveAsync(h.Value, h.Key))
                );
                return true;
            },
            fallback: false
        );
    }

    private string Key(string hub, string userId, string what) =>
        $"{_options.Value.RedisKeyPrefix}{hub}:{userId}:{what}";

    private Task<bool> RunAsync(Func<IDatabase, Task<RedisResult>> script, bool fallback) =>
        RunAsync(async db => (long)await script(db) == 1, fallback);

    private Task<bool> RunAsync(Func<IDatabase, Task<bool>> command, bool fallback) =>
        _fallback.RunAsync(async () => await command(await _redis.DatabaseAsync()), fallback);
}

/// <summary>
/// Where the shared ephemeral state lives (per-user hub limits, presence): the "redis" connection string, and a name
/// for this client.
/// </summary>
public sealed record RealTimeRedis(string Configuration, string ClientName);

/// <summary>
/// Renews this instance's connection leases (each a third of a lease apart, a slice of them at a time), so only a dead
/// instance's age out.
/// </summary>
internal sealed class HubConnectionLeases(HubUserLimits limits, IOptions<RealTimeOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slices = new RenewalSlices(options.Value.ConnectionLease / 3);
        using var timer = new PeriodicTimer(slices.Tick);
        for (long tick = 0; await timer.WaitForNextTickAsync(stoppingToken); tick++)
        {
            await limits.RenewLeasesAsync(slices, tick);
            limits.ForgetEndedCallLeases();
        }
    }
}
