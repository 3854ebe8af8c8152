using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Community.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Presented-but-invalid tokens counted per client address ("RateLimits:InvalidTokens", default
/// 60 a minute): past the limit the answer is 429, so guessing or replaying tokens is throttled
/// like guessing passwords. Tokens the platform signed that are out of their lifetime are counted apart, with a budget
/// of their own (ExpiredPermitLimit, default 600 a window, what one signed-in user may send at the gateway): many
/// clients behind one address refresh on their 401s and are no guessers, but one replaying an expired token without
/// end is held too. With ConnectionStrings:redis the window lives in Redis, shared by every instance of the
/// service (one script per refused token); without it, and while Redis is unreachable, each instance counts alone in
/// memory, with one warning per outage. An address Redis has called spent is refused here until its window ends,
/// without asking again: a flood of guesses past the limit costs no Redis round trip. Its tokens are still verified
/// first, as a valid one passes whatever its address's count.
/// </summary>
public sealed class InvalidTokenLimit : IDisposable
{
    public const string Section = "RateLimits:InvalidTokens";
    private const int SpentCapacity = 10_000;

    // Where an address's count of expired tokens is kept, apart from its count of invalid ones: no address starts so.
    private const string ExpiredPrefix = "expired:";

    // KEYS[1]: the address's counter. ARGV: limit, window (ms). Returns {1, 0} or {0, ms until the window ends}.
    private const string Count = """
        local count = redis.call('INCR', KEYS[1])
        local left = redis.call('PTTL', KEYS[1])
        if left < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          left = tonumber(ARGV[2])
        end
        if count <= tonumber(ARGV[1]) then return {1, 0} end
        return {0, left}
        """;

    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly int _permits;
    private readonly int _expiredPermits;
    private readonly TimeSpan _window;
    private readonly string _prefix;
    private readonly FailFastRedis? _redis;
    private readonly TimeProvider _clock;

    // A count's key (an address, or ExpiredPrefix and one) -> timestamp its shared window ends by, for counts Redis
    // answered are over the limit. Bounded: past SpentCapacity, ended ones go, then everything (asked of Redis again).
    private readonly ConcurrentDictionary<string, long> _spentUntil = new(StringComparer.Ordinal);

    public InvalidTokenLimit(
        IConfiguration configuration,
        IHostEnvironment environment,
        TimeProvider clock,
        ILogger<InvalidTokenLimit> logger
    )
    {
        _permits = configuration.GetValue($"{Section}:PermitLimit", 60);
        _expiredPermits = configuration.GetValue($"{Section}:ExpiredPermitLimit", 600);
        var seconds = configuration.GetValue($"{Section}:WindowSeconds", 60);
        if (_permits <= 0 || _expiredPermits <= 0 || seconds <= 0)
            throw new InvalidOperationException(
                $"{Section} needs PermitLimit > 0, ExpiredPermitLimit > 0 and WindowSeconds > 0."
            );
        _window = TimeSpan.FromSeconds(seconds);
        _clock = clock;
        FixedWindowRateLimiterOptions Window(int permits) =>
            new()
            {
                PermitLimit = permits,
                Window = _window,
                QueueLimit = 0,
                AutoReplenishment = true,
            };
        var (invalid, expired) = (Window(_permits), Window(_expiredPermits));
        _limiter = PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetFixedWindowLimiter(
                key,
                _ => key.StartsWith(ExpiredPrefix, StringComparison.Ordinal) ? expired : invalid
            )
        );
        // one count per service: its instances share it
        var service = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : environment.ApplicationName;
        _prefix = configuration[$"{Section}:RedisKeyPrefix"] ?? $"{service}:invalid-tokens:";
        if (configuration.GetConnectionString(ResourceNames.Redis) is { Length: > 0 } redis)
            _redis = new FailFastRedis(
                redis,
                $"{service}-invalid-tokens-{Environment.MachineName}",
                clock,
                logger,
                "Redis is unreachable: each instance counts refused tokens alone (N "
                    + $"instances allow N times {Section}) "
                    + "until it answers again.",
                "Redis answers again: refused tokens are counted across the instances again."
            );
    }

    /// <summary>
    /// Counts one refused token from the caller's address, in its count of expired tokens if
    /// <paramref name="outOfItsLifetime"/>; a lease that is not acquired means answer 429.
    /// </summary>
    public async ValueTask<RateLimitLease> CountAsync(HttpContext context, bool outOfItsLifetime = false)
    {
        var address = ClientAddress.Of(context);
        var (key, permits) = outOfItsLifetime ? (ExpiredPrefix + address, _expiredPermits) : (address, _permits);
        return Spent(key) ?? await CountSharedAsync(key, permits) ?? _limiter.AttemptAcquire(key);
    }

    /// <summary>The refusal of a count known to be over the limit until its window ends; null otherwise.</summary>
    private WindowLease? Spent(string key)
    {
        if (!_spentUntil.TryGetValue(key, out var until))
            return null;
        var now = _clock.GetTimestamp();
        if (now < until)
            return new WindowLease(false, _clock.GetElapsedTime(now, until));
        _spentUntil.TryRemove(KeyValuePair.Create(key, until));
        return null;
    }

    private async Task<RateLimitLease?> CountSharedAsync(string key, int permits)
    {
        if (_redis is null)
            return null;
        RedisValue[] values = [permits, (long)_window.TotalMilliseconds];
        // The window's end is reckoned from before the script was sent, so it is never later here than in Redis.
        var sent = _clock.GetTimestamp();
        if (await _redis.EvaluateAsync(Count, [(RedisKey)(_prefix + key)], values) is not { } answer)
            return null;
        var result = (RedisResult[])answer!;
        var acquired = (long)result[0] == 1;
        var left = TimeSpan.FromMilliseconds((long)result[1]);
        if (!acquired)
            RememberSpent(key, sent + (long)(left.TotalSeconds * _clock.TimestampFrequency));
        return new WindowLease(acquired, left);
    }

    private void RememberSpent(string key, long until)
    {
        if (_spentUntil.Count >= SpentCapacity)
        {
            var now = _clock.GetTimestamp();
            foreach (var (spent, ends) in _spentUntil)
                if (now >= ends)
                    _spentUntil.TryRemove(KeyValuePair.Create(spent, ends));
            if (_spentUntil.Count >= SpentCapacity)
                _spentUntil.Clear();
        }
        _spentUntil[key] = until;
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _redis?.Dispose();
    }

    /// <summary>The answer of the shared window: acquired, or refused with the time until the window ends.</summary>
    private sealed class WindowLease(bool acquired, TimeSpan retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => acquired ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = !acquired && metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
