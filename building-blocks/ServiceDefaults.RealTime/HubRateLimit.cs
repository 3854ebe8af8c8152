using System.Collections.Concurrent;
using System.Reflection;
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
/// A hub method's own limit per connection, on top of the connection's (e.g. typing signals):
/// <c>[HubCallLimit(callsPerSecond: 1, burst: 3)] public Task Typing(...)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HubCallLimitAttribute(double callsPerSecond, int burst) : Attribute
{
    public double CallsPerSecond { get; } = callsPerSecond > 0 ? callsPerSecond : throw new ArgumentOutOfRangeException(nameof(callsPerSecond));
    public int Burst { get; } = burst >= 1 ? burst : throw new ArgumentOutOfRangeException(nameof(burst));
}

/// <summary>
/// A token bucket per connection for hub method calls, and one per connection and method for a method
/// with <see cref="HubCallLimitAttribute"/>: a call over either is answered with a <see cref="HubException"/>
/// (the client sees an error completion) and the connection stays open.
/// </summary>
public sealed class HubRateLimitFilter(Microsoft.Extensions.Options.IOptions<RealTimeOptions> options, TimeProvider clock) : IHubFilter
{
    private static readonly object ConnectionKey = new();
    private static readonly ConcurrentDictionary<MethodInfo, HubCallLimitAttribute?> MethodLimits = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var items = invocationContext.Context.Items;
        var method = invocationContext.HubMethod;
        // The method's own bucket first, so a call it refuses costs the connection's bucket nothing.
        if (MethodLimits.GetOrAdd(method, m => m.GetCustomAttribute<HubCallLimitAttribute>()) is { } limit
            && !Bucket(items, method, limit.CallsPerSecond, limit.Burst).TryTake())
            throw new HubException($"Too many {method.Name} calls: at most {limit.CallsPerSecond:0.##} per second. Slow down.");
        var connection = options.Value;
        if (!Bucket(items, ConnectionKey, connection.CallsPerSecond, connection.Burst).TryTake())
            throw new HubException($"Too many calls: at most {connection.CallsPerSecond:0.##} per second on one connection. Slow down.");
        return await next(invocationContext);
    }

    private TokenBucket Bucket(IDictionary<object, object?> items, object key, double rate, int burst)
    {
        lock (items)
        {
            if (items.TryGetValue(key, out var kept)) return (TokenBucket)kept!;
            var bucket = new TokenBucket(rate, burst, clock);
            items[key] = bucket;
            return bucket;
        }
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
