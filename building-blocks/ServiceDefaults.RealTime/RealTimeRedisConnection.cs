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
        // The library's own reader threads (not SocketManager.ThreadPool as in the gateway's FailFastRedis): a reply
        // is read even while the thread pool is short of threads, as at a service's start, so a busy pool is not
        // taken for an unreachable Redis (a 1 s timeout with the reply waiting in the pipe warned on a warm start).
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2000);
        configuration.AsyncTimeout = Math.Min(configuration.AsyncTimeout, 1000);
        configuration.ClientName ??= redis.ClientName;
        _redis = ConnectionMultiplexer.ConnectAsync(configuration);
    }

    public async Task<IDatabase> DatabaseAsync() => (await _redis).GetDatabase();

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
