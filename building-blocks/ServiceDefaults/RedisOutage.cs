using StackExchange.Redis;

namespace Community.ServiceDefaults;

/// <summary>
/// Tells when a failed Redis command is an outage worth an operator's warning: at once when Redis cannot be reached
/// (not connected, a connection error), but for a late reply (a timeout, or a command the client cancelled) only once
/// replies have kept failing for
/// <see cref="SlowFor"/>. A reply held up for a moment by a busy thread pool, as while a service starts on a loaded
/// machine, is not an outage. One warning per outage, and one line when Redis answers again.
/// </summary>
public sealed class RedisOutage
{
    public static readonly TimeSpan SlowFor = TimeSpan.FromSeconds(5);

    private readonly long _slowForMs;

    /// <param name="slowFor">How long late replies make an outage (<see cref="SlowFor"/> unless a test says).</param>
    public RedisOutage(TimeSpan? slowFor = null) => _slowForMs = (long)(slowFor ?? SlowFor).TotalMilliseconds;

    // Environment.TickCount64 when commands began failing; 0 while they succeed.
    private long _failingSince;
    private int _warned;

    /// <summary>
    /// Notes a failed command (<paramref name="e"/> null: not even sent, Redis is not connected); true when it starts
    /// an outage to warn of (once per outage).
    /// </summary>
    public bool Failed(Exception? e)
    {
        var now = Math.Max(1, Environment.TickCount64);
        var since = Interlocked.CompareExchange(ref _failingSince, now, 0);
        if (since == 0)
            since = now;
        var outage = e is not (RedisTimeoutException or OperationCanceledException) || now - since >= _slowForMs;
        return outage && Interlocked.Exchange(ref _warned, 1) == 0;
    }

    /// <summary>Notes a command that succeeded; true when it ends an outage that was warned of.</summary>
    public bool Answered()
    {
        Volatile.Write(ref _failingSince, 0);
        return Interlocked.Exchange(ref _warned, 0) == 1;
    }
}
