using System.Diagnostics;
using System.Threading.RateLimiting;
using Community.ServiceDefaults;
using StackExchange.Redis;

namespace Community.Gateway;

/// <summary>One fixed window in Redis: its key (under the configured prefix) and its limit.</summary>
internal sealed record SharedWindow(string Key, RateLimitWindow Limit);

/// <summary>The answer of one count: acquired, or refused until the refusing window ends.</summary>
internal readonly record struct WindowCount(bool Acquired, TimeSpan RetryAfter);

/// <summary>
/// The gateway's fixed windows in Redis, shared by every instance: one script counts a request in its window (and,
/// when the window allows it, in a ceiling window) atomically on Redis. While Redis is unreachable counts answer null
/// (callers use their in-memory windows), with one warning per outage and one note when Redis answers again.
/// </summary>
internal sealed class SharedRateLimitWindows : IHostedService, IAsyncDisposable
{
    // KEYS[1]: the window's counter; KEYS[2], optional: a ceiling counted only when KEYS[1] allows the request.
    // ARGV: permits, then limit and window (ms) of each key. Returns {1, 0} or {0, the refusing window's ms left}.
    private const string Count = """
        local function take(key, limit, window)
          local count = redis.call('INCRBY', key, tonumber(ARGV[1]))
          local left = redis.call('PTTL', key)
          if left < 0 then
            redis.call('PEXPIRE', key, window)
            left = window
          end
          return count <= tonumber(limit), left
        end
        local allowed, left = take(KEYS[1], ARGV[2], ARGV[3])
        if allowed and #KEYS > 1 then
          allowed, left = take(KEYS[2], ARGV[4], ARGV[5])
        end
        if allowed then return {1, 0} end
        return {0, left}
        """;

    private readonly string _prefix;
    private readonly FailFastRedis _redis;

    public SharedRateLimitWindows(
        string configuration,
        string prefix,
        TimeProvider clock,
        ILogger<SharedRateLimitWindows> logger
    )
    {
        _prefix = prefix;
        _redis = new FailFastRedis(
            configuration,
            $"gateway-{Environment.MachineName}",
            clock,
            logger,
            "Redis is unreachable: each gateway instance counts its rate limits alone (N "
                + "instances allow N times each limit) "
                + "until it answers again.",
            "Redis answers again: the gateway's instances share their rate limits again."
        );
    }

    /// <summary>Counts one request; null when Redis is unreachable.</summary>
    public async Task<WindowCount?> CountAsync(SharedWindow own, SharedWindow? ceiling, int permits)
    {
        RedisKey[] keys = ceiling is null ? [Key(own)] : [Key(own), Key(ceiling)];
        RedisValue[] values = ceiling is null
            ? [permits, own.Limit.PermitLimit, WindowMs(own)]
            : [permits, own.Limit.PermitLimit, WindowMs(own), ceiling.Limit.PermitLimit, WindowMs(ceiling)];
        if (await _redis.EvaluateAsync(Count, keys, values) is not { } answer)
            return null;
        var result = (RedisResult[])answer!;
        return new WindowCount((long)result[0] == 1, TimeSpan.FromMilliseconds((long)result[1]));
    }

    private RedisKey Key(SharedWindow window) => _prefix + window.Key;

    private static long WindowMs(SharedWindow window) => window.Limit.WindowSeconds * 1000L;

    // Connected before the gateway takes requests (or given up after the connect timeout: Redis may come later).
    public Task StartAsync(CancellationToken cancellationToken) => _redis.FirstAttempt.WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}

/// <summary>
/// A fixed window counted in Redis (<see cref="SharedRateLimitWindows"/>), optionally under a ceiling window that only
/// requests within this window's own limit spend. While Redis is unreachable the instance's in-memory windows answer
/// (these are abuse limits: never none). Its in-memory window is replenished by the partitioned limiter that owns it.
/// </summary>
internal sealed class SharedWindowLimiter : ReplenishingRateLimiter
{
    private readonly SharedRateLimitWindows _windows;
    private readonly SharedWindow _own;
    private readonly SharedWindow? _ceiling;
    private readonly FixedWindowRateLimiter _localOwn;
    private readonly RateLimiter _local;
    private long _lastUsed = Stopwatch.GetTimestamp();
    private int _inFlight;

    public SharedWindowLimiter(
        SharedRateLimitWindows windows,
        SharedWindow own,
        (SharedWindow Window, RateLimiter Local)? ceiling = null
    )
    {
        _windows = windows;
        _own = own;
        _ceiling = ceiling?.Window;
        _localOwn = new FixedWindowRateLimiter(own.Limit.ToLimiterOptions(autoReplenishment: false));
        _local = ceiling is { Local: var localCeiling } ? new UnderCeilingLimiter(_localOwn, localCeiling) : _localOwn;
    }

    public override bool IsAutoReplenishing => false;

    public override TimeSpan ReplenishmentPeriod => _localOwn.ReplenishmentPeriod;

    public override bool TryReplenish() => _localOwn.TryReplenish();

    // Idle (so the partition may be dropped) when no count is under way and the in-memory window holds nothing.
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _inFlight) > 0 || _localOwn.IdleDuration is null
            ? null
            : Stopwatch.GetElapsedTime(Volatile.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => _localOwn.GetStatistics();

    // Counting is a Redis round trip: the middleware's synchronous attempt is declined unanswered, and its
    // AcquireAsync that follows counts the request once.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => WindowLease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken token)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            return await _windows.CountAsync(_own, _ceiling, permitCount) switch
            {
                null => _local.AttemptAcquire(permitCount),
                { Acquired: true } => WindowLease.Acquired,
                { RetryAfter: var wait } => new WindowLease(false, wait),
            };
        }
        finally
        {
            Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // A ceiling's in-memory window is shared by every address and disposed with SharedCeilings.
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _local.Dispose();
    }

    private sealed class WindowLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly WindowLease Acquired = new(true, null);
        public static readonly WindowLease Undecided = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
