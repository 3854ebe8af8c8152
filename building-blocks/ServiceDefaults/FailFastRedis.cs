using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Community.ServiceDefaults;

/// <summary>
/// Redis for shared counters that must never hold a request up: it connects in the background and keeps reconnecting,
/// commands fail at once while it is disconnected, and while it is unreachable a call answers null (the caller falls
/// back to its own in-memory state) and Redis is tried again at most every <see cref="RetryEvery"/>, so a hung server
/// does not slow every request. The owner's logger says so once per outage (Warning; a late reply counts only when late
/// replies go on, see <see cref="RedisOutage"/>) and once when Redis answers again.
/// </summary>
public sealed class FailFastRedis : IAsyncDisposable, IDisposable
{
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _outage;
    private readonly string _recovered;
    private readonly Task<ConnectionMultiplexer> _redis;
    private long _retryAt;
    private readonly RedisOutage _state = new();

    /// <param name="outage">What an outage means for the owner (logged once per outage as a Warning).</param>
    /// <param name="recovered">What Redis answering again means (logged once as Information).</param>
    public FailFastRedis(
        string configuration,
        string clientName,
        TimeProvider clock,
        ILogger logger,
        string outage,
        string recovered
    )
    {
        _clock = clock;
        _logger = logger;
        _outage = outage;
        _recovered = recovered;
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        // The .NET thread pool, not the library's ten dedicated threads: handing each reply from one of those to the
        // pool was most of the gateway's CPU per request (a count each) in a profile on two cores.
        options.SocketManager = SocketManager.ThreadPool;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.ClientName ??= clientName;
        _redis = ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Done when the first connection attempt is (connected, or given up after the connect timeout).</summary>
    public Task FirstAttempt => _redis;

    /// <summary>Runs a script; null while Redis is unreachable.</summary>
    public async Task<RedisResult?> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        if (_clock.GetTimestamp() < Volatile.Read(ref _retryAt))
            return null;
        try
        {
            var redis = await _redis;
            if (!redis.IsConnected)
                return Unreachable(null);
            var result = await redis.GetDatabase().ScriptEvaluateAsync(script, keys, values);
            if (_state.Answered())
                _logger.LogInformation("{Recovered}", _recovered);
            return result;
        }
        // RedisTimeoutException is a TimeoutException, not a RedisException: a slow Redis falls back too.
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            return Unreachable(e);
        }
    }

    private RedisResult? Unreachable(Exception? e)
    {
        var retryIn = (long)(RetryEvery.TotalSeconds * _clock.TimestampFrequency);
        Volatile.Write(ref _retryAt, _clock.GetTimestamp() + retryIn);
        if (_state.Failed(e))
            _logger.LogWarning(e, "{Outage}", _outage);
        return null;
    }

    /// <summary>Closes the connection if it was made; does not wait for a connection attempt still under way.</summary>
    public void Dispose()
    {
        if (_redis.IsCompletedSuccessfully)
            _redis.Result.Dispose();
    }

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
