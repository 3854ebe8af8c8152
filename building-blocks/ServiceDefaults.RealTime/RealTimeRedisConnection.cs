using StackExchange.Redis;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// The one connection to Redis for a service's shared ephemeral state (per-user hub limits, presence): connects in the
/// background and keeps reconnecting; commands fail at once while Redis is away, so callers degrade instead of waiting.
/// </summary>
public sealed class RealTimeRedisConnection : IAsyncDisposable
{
    private readonly Task<ConnectionMultiplexer> _redis;

    public RealTimeRedisConnection(RealTimeRedis redis)
    {
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
