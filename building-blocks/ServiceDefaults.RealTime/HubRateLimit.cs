using System.Collections.Concurrent;
using System.Reflection;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// Limits of hub connections and of each user's connections together, bound from the "RealTime" configuration section.
/// </summary>
public sealed class RealTimeOptions
{
    public const string Section = "RealTime";

    /// <summary>Hub method calls a connection may make per second, on average.</summary>
    public double CallsPerSecond { get; set; } = 10;

    /// <summary>Calls a connection may make at once after being quiet (the bucket's size).</summary>
    public int Burst { get; set; } = 20;

    /// <summary>
    /// The largest message a client may send; a larger one closes its connection (SignalR's
    /// HubOptions.MaximumReceiveMessageSize).
    /// </summary>
    public long MaxMessageBytes { get; set; } = 32 * 1024;

    /// <summary>
    /// Hub method calls one user may make per second over all their connections on every instance, on average.
    /// </summary>
    public double UserCallsPerSecond { get; set; } = 20;

    /// <summary>Calls one user may make at once over all their connections (the shared bucket's size).</summary>
    public int UserBurst { get; set; } = 40;

    /// <summary>
    /// Calls of a user's budget an instance takes at once when it must ask Redis and the budget is more than half full,
    /// so the user's next calls on that instance start without a round trip. The leased calls count against the
    /// budget until spent or <see cref="UserCallLeaseTime"/> ends, so no user makes more calls than the budget allows;
    /// a user spending their whole burst over several instances may be refused while another instance still holds a
    /// few of their leased calls (at most this many less one). 1 asks Redis on every call.
    /// </summary>
    public int UserCallLease { get; set; } = 4;

    /// <summary>
    /// How long an instance may spend the calls it leased; those left unspent then are dropped (the budget refills at
    /// <see cref="UserCallsPerSecond"/> as ever).
    /// </summary>
    public TimeSpan UserCallLeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Hub connections one user may hold open at once, over every instance.</summary>
    public int MaxConnectionsPerUser { get; set; } = 10;

    /// <summary>
    /// How long a connection's slot outlives its instance's last renewal (renewed every third of it).
    /// </summary>
    public TimeSpan ConnectionLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Prefix of this service's keys in the shared Redis.</summary>
    public string RedisKeyPrefix { get; set; } = "realtime:";
}

/// <summary>
/// A hub method's own limit per connection, on top of the connection's (e.g. typing signals):
/// <c>[HubCallLimit(callsPerSecond: 1, burst: 3)] public Task Typing(...)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HubCallLimitAttribute(double callsPerSecond, int burst) : Attribute
{
    public double CallsPerSecond { get; } =
        callsPerSecond > 0 ? callsPerSecond : throw new ArgumentOutOfRangeException(nameof(callsPerSecond));
    public int Burst { get; } = burst >= 1 ? burst : throw new ArgumentOutOfRangeException(nameof(burst));
}

/// <summary>
/// A token bucket per connection for hub method calls, one per connection and method for a method
/// with <see cref="HubCallLimitAttribute"/>, and one per user shared by all their connections in Redis
/// (<see cref="HubUserLimits"/>): a call over any is answered with a <see cref="HubException"/>
/// (the client sees an error completion) and the connection stays open.
/// </summary>
public sealed class HubRateLimitFilter(
    Microsoft.Extensions.Options.IOptions<RealTimeOptions> options,
    TimeProvider clock,
    HubUserLimits users
) : IHubFilter
{
    private static readonly object ConnectionKey = new();
    private static readonly ConcurrentDictionary<MethodInfo, HubCallLimitAttribute?> MethodLimits = new();

    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next
    )
    {
        var items = invocationContext.Context.Items;
        var method = invocationContext.HubMethod;
        // The method's own bucket first, so a call it refuses costs the connection's bucket nothing.
        if (
            MethodLimits.GetOrAdd(method, m => m.GetCustomAttribute<HubCallLimitAttribute>()) is { } limit
            && !Bucket(items, method, limit.CallsPerSecond, limit.Burst).TryTake()
        )
            throw HubCallsLimited.Refusal(
                $"Too many {method.Name} calls: at most {limit.CallsPerSecond:0.##} per second. Slow down."
            );
        if (!TryTakeConnectionCall(items))
            throw HubCallsLimited.Refusal(TooManyCalls());
        var limits = options.Value;
        // Last, so a call refused above costs the user's shared budget nothing (and Redis no round trip).
        if (
            invocationContext.Context.UserIdentifier is { } user
            && !await users.TryTakeCallAsync(invocationContext.Hub.GetType().Name, user)
        )
            throw HubCallsLimited.Refusal(
                $"Too many calls: at most {limits.UserCallsPerSecond:0.##} per second over "
                    + "all your connections. Slow down."
            );
        return await next(invocationContext);
    }

    /// <summary>
    /// Spends one call of the connection's own bucket, as every call served spends one: also charged for each call the
    /// hub protocol cannot bind (<see cref="ExplainingJsonHubProtocol"/>), which never reaches a filter.
    /// </summary>
    internal bool TryTakeConnectionCall(IDictionary<object, object?> items)
    {
        var limits = options.Value;
        return Bucket(items, ConnectionKey, limits.CallsPerSecond, limits.Burst).TryTake();
    }

    internal string TooManyCalls() =>
        $"Too many calls: at most {options.Value.CallsPerSecond:0.##} per second on one connection. Slow down.";

    private TokenBucket Bucket(IDictionary<object, object?> items, object key, double rate, int burst)
    {
        lock (items)
        {
            if (items.TryGetValue(key, out var kept))
                return (TokenBucket)kept!;
            var bucket = new TokenBucket(rate, burst, clock);
            items[key] = bucket;
            return bucket;
        }
    }
}

/// <summary>
/// At most <see cref="RealTimeOptions.MaxConnectionsPerUser"/> open hub connections per user over every instance
/// (<see cref="HubUserLimits"/>): one more is closed at once with a <see cref="HubException"/> in the close message
/// (after the handshake; <see cref="RealTimeSetup.MapRealTimeHub{THub}"/> refuses most earlier, with a 429). Runs
/// before the session guard, so a refused connection never reaches the guard or the hub.
/// </summary>
public sealed class HubConnectionCapFilter(
    Microsoft.Extensions.Options.IOptions<RealTimeOptions> options,
    HubUserLimits users
) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (context.Context.UserIdentifier is not { } user)
        {
            await next(context);
            return;
        }
        var connectionId = context.Context.ConnectionId;
        if (!await users.TryOpenConnectionAsync(context.Hub.GetType().Name, user, connectionId))
            throw new HubException(RealTimeSetup.TooManyConnections(options.Value.MaxConnectionsPerUser));
        try
        {
            await next(context);
        }
        catch
        {
            // SignalR calls no OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
            await users.CloseConnectionAsync(connectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(
        HubLifetimeContext context,
        Exception? exception,
        Func<HubLifetimeContext, Exception?, Task> next
    )
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            await users.CloseConnectionAsync(context.Context.ConnectionId);
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
            if (_tokens < 1)
                return false;
            _tokens -= 1;
            return true;
        }
    }
}

/// <summary>
/// A call refused for the rate: a plain HubException, as the clients read it ("HubException: Too many calls ..."; a
/// subclass's name would take its place in the message they get), marked so that <see cref="HubRefusalFilter"/> logs
/// it at Debug only, as ASP.NET's rate limiter logs a refused request: a refusal costs next to nothing, so a client
/// calling as fast as its socket allows would otherwise write thousands of log lines a second.
/// </summary>
public static class HubCallsLimited
{
    private const string Mark = "community.hub-calls-limited";

    public static HubException Refusal(string message)
    {
        var refusal = new HubException(message);
        refusal.Data[Mark] = true;
        return refusal;
    }

    public static bool Is(HubException exception) => exception.Data.Contains(Mark);
}
