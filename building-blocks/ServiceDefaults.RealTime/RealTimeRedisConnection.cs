using StackExchange.Redis;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// The one connection to Redis for a service's shared ephemeral state (per-user hub limits, presence): connects in the
/// background and keeps reconnecting; commands fail at once while Redis is away, so callers degrade instead of waiting.
/// </summary>
public sealed class RealTimeRedisConnection : IAsyncDisposable
{
    /// <summary>How long a connection never made yet is still starting (<see cref="Starting"/>).</summary>
    public static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(10);

    private readonly Task<ConnectionMultiplexer> _redis;
    private long _firstFoundUnmadeAt;
    private readonly long _startGraceMs;
    private volatile bool _connectedOnce;

    /// <param name="startGrace">How long it counts as starting (<see cref="StartGrace"/> unless a test says).</param>
    public RealTimeRedisConnection(RealTimeRedis redis, TimeSpan? startGrace = null)
    {
        _startGraceMs = (long)(startGrace ?? StartGrace).TotalMilliseconds;
        var configuration = ConfigurationOptions.Parse(redis.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // The .NET thread pool, not the library's ten dedicated threads: handing each reply from one of those to the
        // pool was most of the gateway's CPU per request (a count each) in a profile on two cores, and the
        // 10,000-client messaging bench had p99 917 ms with it against 2,104 ms with the dedicated threads
        // (2026-11-25, one run each). A reply a busy pool reads late is not an outage: RedisOutage warns only when
        // late replies persist.
        configuration.SocketManager = SocketManager.ThreadPool;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2000);
        configuration.AsyncTimeout = Math.Min(configuration.AsyncTimeout, 1000);
        configuration.ClientName ??= redis.ClientName;
        _redis = ConnectionMultiplexer.ConnectAsync(configuration);
        _ = NoteConnectedAsync();
    }

    /// <summary>
    /// True while the connection has never been made and the first command to find it so came less than
    /// <see cref="StartGrace"/> ago: a command that fails then is not an outage. On a loaded machine the first attempt
    /// can give up after its 2 s and the connection come a moment later, in the background; and the service's own
    /// start (migrations, the other services starting beside it) can take longer than the grace between this
    /// connection's making and its first command, so the grace counts from that command. A Redis that is down from
    /// the start is still told once the grace is over, and one lost after it was reached at once.
    /// </summary>
    public bool Starting
    {
        get
        {
            if (_connectedOnce || (_redis.IsCompletedSuccessfully && _redis.Result.IsConnected))
                return false;
            var now = Environment.TickCount64;
            var first = Interlocked.CompareExchange(ref _firstFoundUnmadeAt, now, 0);
            return now - (first == 0 ? now : first) < _startGraceMs;
        }
    }

    private async Task NoteConnectedAsync()
    {
        try
        {
            var redis = await _redis;
            redis.ConnectionRestored += (_, _) => _connectedOnce = true;
            if (redis.IsConnected)
                _connectedOnce = true;
        }
        catch (RedisException)
        {
            // never connected: Starting ends with its grace
        }
    }

    public async Task<IDatabase> DatabaseAsync() => (await _redis).GetDatabase();

    /// <summary>Publish and subscribe on the same connection; subscriptions come back by themselves after an
    /// outage.</summary>
    public async Task<ISubscriber> SubscriberAsync() => (await _redis).GetSubscriber();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await (await _redis).DisposeAsync();
        }
        catch (RedisException)
        {
            // never connected: nothing to close
        }
    }
}
