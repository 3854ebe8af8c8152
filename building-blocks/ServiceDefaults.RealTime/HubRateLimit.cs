using Microsoft.AspNetCore.SignalR;

namespace Community.ServiceDefaults.RealTime;

/// <summary>Limits of one hub connection, bound from the "RealTime" configuration section.</summary>
public sealed class RealTimeOptions
{
    public const string Section = "RealTime";

    /// <summary>Hub method calls a connection may make per second, on average.</summary>
    public double CallsPerSecond { get; set; } = 10;

    /// <summary>Calls a connection may make at once after being quiet (the bucket's size).</summary>
    public int Burst { get; set; } = 20;

    /// <summary>The largest message a client may send; a larger one closes its connection (SignalR's HubOptions.MaximumReceiveMessageSize).</summary>
    public long MaxMessageBytes { get; set; } = 32 * 1024;
}

/// <summary>
/// A token bucket per connection for hub method calls: a call over the limit is answered with a
/// <see cref="HubException"/> (the client sees an error completion) and the connection stays open.
/// </summary>
public sealed class HubRateLimitFilter(Microsoft.Extensions.Options.IOptions<RealTimeOptions> options, TimeProvider clock) : IHubFilter
{
    private static readonly object BucketKey = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var items = invocationContext.Context.Items;
        TokenBucket bucket;
        lock (items)
        {
            if (items.TryGetValue(BucketKey, out var kept)) bucket = (TokenBucket)kept!;
            else items[BucketKey] = bucket = new TokenBucket(options.Value.CallsPerSecond, options.Value.Burst, clock);
        }
        if (!bucket.TryTake())
            throw new HubException($"Too many calls: at most {options.Value.CallsPerSecond:0.##} per second on one connection. Slow down.");
        return await next(invocationContext);
    }
}

/// <summary>Refills at <c>rate</c> tokens per second up to <c>capacity</c>; one call takes one.</summary>
internal sealed class TokenBucket(double rate, int capacity, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private double _tokens = capacity;
    private long _refilledAt = clock.GetTimestamp();

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = clock.GetTimestamp();
            _tokens = Math.Min(capacity, _tokens + clock.GetElapsedTime(_refilledAt, now).TotalSeconds * rate);
            _refilledAt = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
