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
/// The answer of one take: how many permits the window granted (0: it is spent) and how long it has left, as Redis saw
/// it (so at most that long from when the take was sent).
/// </summary>
internal readonly record struct WindowTake(int Granted, TimeSpan WindowLeft);

/// <summary>
/// The gateway's fixed windows in Redis, shared by every instance: one script counts a request in its window (and,
/// when the window allows it, in a ceiling window) atomically on Redis. While Redis is unreachable counts answer null
/// (callers use their in-memory windows), with one warning per outage and one note when Redis answers again.
/// </summary>
internal sealed class SharedRateLimitWindows : IHostedService, IAsyncDisposable
{
    // KEYS[1]: the window's counter; KEYS[2], optional: a ceiling counted only when KEYS[1] allows the request,
    // KEYS[3], what a spent ceiling may still admit of KEYS[1]'s first requests (with the ceiling's limit and window),
    // and KEYS[4], how many of those the caller's network has had (in the ceiling's window too).
    // ARGV: permits, then limit and window (ms) of KEYS[1] and KEYS[2], how many of KEYS[1]'s first requests a spent
    // ceiling still admits, and KEYS[4]'s limit. Returns {1, 0} or {0, the refusing window's ms left}.
    private const string Count = """
        local function take(key, limit, window)
          local count = redis.call('INCRBY', key, tonumber(ARGV[1]))
          local left = redis.call('PTTL', key)
          if left < 0 then
            redis.call('PEXPIRE', key, window)
            left = window
          end
          return count <= tonumber(limit), left, count
        end
        local allowed, left, count = take(KEYS[1], ARGV[2], ARGV[3])
        if allowed and #KEYS > 1 then
          local under, ceilingLeft = take(KEYS[2], ARGV[4], ARGV[5])
          if not under then
            allowed, left = false, ceilingLeft
            if count <= tonumber(ARGV[6]) then
              -- In the ceiling's own window: a spared count begun late must not run on into the next one. The
              -- network's share first, so a network past it spends nothing of the spares.
              local ofNetwork = take(KEYS[4], ARGV[7], ceilingLeft)
              if ofNetwork then
                local spared = take(KEYS[3], ARGV[4], ceilingLeft)
                if spared then allowed, left = true, 0 end
              end
            end
          end
        end
        if allowed then return {1, 0} end
        return {0, left}
        """;

    // KEYS[1]: the window's counter. ARGV: permits wanted, limit, window (ms), most permits in a block, divisor.
    // Grants nothing when fewer than the permits wanted are left; otherwise a block: the permits wanted, or a
    // divisor-th of what is left when that is more (at most the most in a block). Returns {granted, ms left}.
    private const string Take = """
        local wanted = tonumber(ARGV[1])
        local left = tonumber(ARGV[2]) - tonumber(redis.call('GET', KEYS[1]) or '0')
        local ttl = redis.call('PTTL', KEYS[1])
        local fresh = ttl < 0
        if fresh then ttl = tonumber(ARGV[3]) end
        if left < wanted then return {0, ttl} end
        local block = math.min(tonumber(ARGV[4]), math.floor(left / tonumber(ARGV[5])))
        local granted = math.min(left, math.max(wanted, block))
        redis.call('INCRBY', KEYS[1], granted)
        if fresh then redis.call('PEXPIRE', KEYS[1], ttl) end
        return {granted, ttl}
        """;

    /// <summary>The most permits one take grants an instance.</summary>
    public const int MostInABlock = 64;

    /// <summary>A take grants at most this fraction of what is left in the window (1/32).</summary>
    public const int BlockDivisor = 32;

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
        Clock = clock;
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

    /// <summary>The clock the windows' ends are reckoned by.</summary>
    public TimeProvider Clock { get; }

    /// <summary>
    /// Counts one request, under a ceiling when given one (with the counter of the caller's network's spared
    /// requests); null when Redis is unreachable.
    /// </summary>
    public async Task<WindowCount?> CountAsync(
        SharedWindow own,
        (SharedWindow Window, int Spares, SharedWindow NetworkSpared)? ceiling,
        int permits
    )
    {
        RedisKey[] keys = ceiling is not { Window: var all, NetworkSpared: var network }
            ? [Key(own)]
            : [Key(own), Key(all), (RedisKey)(_prefix + all.Key + ":spared"), Key(network)];
        RedisValue[] values = ceiling is not { } c
            ? [permits, own.Limit.PermitLimit, WindowMs(own)]
            :
            [
                permits,
                own.Limit.PermitLimit,
                WindowMs(own),
                c.Window.Limit.PermitLimit,
                WindowMs(c.Window),
                c.Spares,
                c.NetworkSpared.Limit.PermitLimit,
            ];
        if (await _redis.EvaluateAsync(Count, keys, values) is not { } answer)
            return null;
        var result = (RedisResult[])answer!;
        return new WindowCount((long)result[0] == 1, TimeSpan.FromMilliseconds((long)result[1]));
    }

    /// <summary>Takes a block of permits from a window (see <see cref="SharedWindowLimiter"/>); null when Redis is
    /// unreachable.</summary>
    public async Task<WindowTake?> TakeAsync(SharedWindow window, int permits)
    {
        RedisValue[] values = [permits, window.Limit.PermitLimit, WindowMs(window), MostInABlock, BlockDivisor];
        if (await _redis.EvaluateAsync(Take, [Key(window)], values) is not { } answer)
            return null;
        var result = (RedisResult[])answer!;
        return new WindowTake((int)result[0], TimeSpan.FromMilliseconds((long)result[1]));
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
/// <para>
/// A window without a ceiling (each caller's) is taken from Redis in blocks: one take grants this instance the permits
/// asked for, or a 32nd of what is left of the window when that is more (at most 64), which it spends in memory until
/// the window ends; a window that refused is refused here too until it ends, without asking again. So a caller far
/// from their limit costs a Redis round trip per block rather than per request, and one beyond it costs none. The
/// instances together never admit more than the limit; near it blocks are single permits, and the only permits lost
/// are those of a block another instance took and its caller has not used by the end of the window (at most a 32nd
/// of what was left when it was taken). Windows under a ceiling are counted a request at a time.
/// </para>
/// </summary>
internal sealed class SharedWindowLimiter : ReplenishingRateLimiter
{
    private readonly SharedRateLimitWindows _windows;
    private readonly SharedWindow _own;
    private readonly (SharedWindow Window, int Spares, SharedWindow NetworkSpared)? _ceiling;
    private readonly FixedWindowRateLimiter _localOwn;
    private readonly RateLimiter _local;
    private readonly TimeProvider _clock;
    private long _lastUsed = Stopwatch.GetTimestamp();
    private int _inFlight;

    // The block in hand (guarded by _gate): permits left of it and the timestamp its window ends by; or the timestamp
    // until which the window is spent. One take at a time: requests finding the block empty wait for the same one.
    private readonly Lock _gate = new();
    private int _held;
    private long _heldUntil;
    private long _spentUntil;
    private Task<WindowTake?>? _taking;

    /// <param name="ceiling">
    /// The ceiling's window in Redis, the counter of the spared requests of the caller's network there, and the
    /// instance's ceiling in memory with the caller's network, for while Redis is unreachable.
    /// </param>
    public SharedWindowLimiter(
        SharedRateLimitWindows windows,
        SharedWindow own,
        (SharedWindow Window, SharedWindow NetworkSpared, LocalCeiling Local, string Network)? ceiling = null
    )
    {
        _windows = windows;
        _own = own;
        _ceiling = ceiling is { } c ? (c.Window, c.Local.Spares, c.NetworkSpared) : null;
        _clock = windows.Clock;
        _localOwn = new FixedWindowRateLimiter(own.Limit.ToLimiterOptions(autoReplenishment: false));
        _local = ceiling is { } local
            ? new UnderCeilingLimiter(_localOwn, own.Limit.PermitLimit, local.Local, local.Network)
            : _localOwn;
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

    // The middleware's synchronous attempt is answered from a block in hand; anything else needs Redis (or the
    // spent window's answer) and is declined unanswered, so its AcquireAsync that follows decides the request once.
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (_ceiling is not null)
            return WindowLease.Undecided;
        lock (_gate)
        {
            if (!TakeHeld(permitCount, _clock.GetTimestamp()))
                return WindowLease.Undecided;
        }
        Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());
        return WindowLease.Acquired;
    }

    // Spends permits of the block in hand while its window lasts; the caller holds _gate.
    private bool TakeHeld(int permitCount, long now)
    {
        if (now >= _heldUntil || _held < permitCount)
            return false;
        _held -= permitCount;
        return true;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken token)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            return _ceiling is null ? await FromBlockAsync(permitCount) : await CountAsync(permitCount);
        }
        finally
        {
            Volatile.Write(ref _lastUsed, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async ValueTask<RateLimitLease> CountAsync(int permitCount) =>
        await _windows.CountAsync(_own, _ceiling, permitCount) switch
        {
            null => _local.AttemptAcquire(permitCount),
            { Acquired: true } => WindowLease.Acquired,
            { RetryAfter: var wait } => new WindowLease(false, wait),
        };

    private async ValueTask<RateLimitLease> FromBlockAsync(int permitCount)
    {
        while (true)
        {
            TaskCompletionSource<WindowTake?>? mine = null;
            Task<WindowTake?> taking;
            lock (_gate)
            {
                var now = _clock.GetTimestamp();
                if (TakeHeld(permitCount, now))
                    return WindowLease.Acquired;
                if (now < _spentUntil)
                    return new WindowLease(false, _clock.GetElapsedTime(now, _spentUntil));
                if (_taking is null)
                {
                    mine = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    _taking = mine.Task;
                }
                taking = _taking;
            }
            if (mine is not null)
                await TakeAsync(permitCount, mine);
            if (await taking is null)
                return _local.AttemptAcquire(permitCount);
        }
    }

    // The window's end is reckoned from before the take was sent, so it is never later here than in Redis.
    private async Task TakeAsync(int permitCount, TaskCompletionSource<WindowTake?> taking)
    {
        var sent = _clock.GetTimestamp();
        WindowTake? take = null;
        try
        {
            take = await _windows.TakeAsync(_own, permitCount);
        }
        finally
        {
            lock (_gate)
            {
                _taking = null;
                if (take is { } answer)
                {
                    var ends = sent + (long)(answer.WindowLeft.TotalSeconds * _clock.TimestampFrequency);
                    if (answer.Granted > 0)
                        (_held, _heldUntil) = (answer.Granted, ends);
                    else
                        _spentUntil = ends;
                }
            }
            taking.SetResult(take);
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
