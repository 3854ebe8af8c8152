using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Community.ServiceDefaults;

/// <summary>
/// Runs the Redis commands of an owner that has an answer of its own for when Redis gives none (fail open, count
/// alone, degrade): a failed command answers the fallback, and <see cref="RedisOutage"/> decides when that is an
/// outage the owner's logger warns of (once) and when its end is told. A stopping instance's closed connection answers
/// the fallback without a word: nothing is shared any more, and nothing is for an operator to act on.
/// </summary>
/// <param name="outage">What an outage means for the owner (a Warning, once per outage).</param>
/// <param name="recovered">What Redis answering again means (Information, once).</param>
/// <param name="starting">
/// True while the connection is still being made at the start: a failure then answers the fallback and is no outage.
/// </param>
public sealed class RedisFallback(ILogger logger, string outage, string recovered, Func<bool>? starting = null)
{
    private readonly RedisOutage _state = new();

    public async Task<T> RunAsync<T>(Func<Task<T>> command, T fallback)
    {
        try
        {
            var result = await command();
            if (_state.Answered())
                logger.LogInformation("{Recovered}", recovered);
            return result;
        }
        catch (ObjectDisposedException)
        {
            return fallback;
        }
        // RedisTimeoutException is a TimeoutException, not a RedisException: a slow Redis falls back too. A command
        // the client gave up on (its connection torn down and made again, as while a service starts on a busy
        // machine) ends cancelled, with no token of the caller's (the commands take none): a reply that never came.
        catch (Exception e)
            when (e is RedisException or RedisTimeoutException
                || e is OperationCanceledException { CancellationToken.CanBeCanceled: false }
            )
        {
            if (starting?.Invoke() != true && _state.Failed(e))
                logger.LogWarning(e, "{Outage}", outage);
            return fallback;
        }
    }
}
