using StackExchange.Redis;

namespace Community.ServiceDefaults;

/// <summary>
/// Tells when a failed Redis command is an outage worth an operator's warning: at once when Redis cannot be reached
/// (not connected, a connection error), but for a late reply (a timeout, or a command the client cancelled) only once
/// replies have kept failing for <see cref="SlowFor"/>. A reply held up for a moment by a busy thread pool, as while a
/// service starts on a loaded machine, is not an outage. Until Redis has answered once, every failure counts as a late
/// reply: a service starting on a loaded machine may run its first commands while its first connection is still being
/// made, and Redis down from the start is told once failures have gone on for <see cref="SlowFor"/>. One warning per
/// outage, and one line when Redis answers again.
/// </summary>
public sealed class RedisOutage
{
    public static readonly TimeSpan SlowFor = TimeSpan.FromSeconds(5);

    private readonly long _slowForMs;

    /// <param name="slowFor">How long late replies make an outage (<see cref="SlowFor"/> unless a test says).</param>
    public RedisOutage(TimeSpan? slowFor = null)
    {
        _slowForMs = (long)(slowFor ?? SlowFor).TotalMilliseconds;
        _createdAt = Environment.TickCount64;
    }

    // When the owner began: Redis not reached for SlowFor since is an outage even if its commands are rare.
    private readonly long _createdAt;

    // Environment.TickCount64 when commands began failing; 0 while they succeed.
    private long _failingSince;
    private int _warned;
    private int _answeredOnce;

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
        var unreachable =
            e is not (RedisTimeoutException or OperationCanceledException)
            && (Volatile.Read(ref _answeredOnce) == 1 || now - _createdAt >= _slowForMs);
        var outage = unreachable || now - since >= _slowForMs;
        return outage && Interlocked.Exchange(ref _warned, 1) == 0;
    }

    /// <summary>Notes a command that succeeded; true when it ends an outage that was warned of.</summary>
    public bool Answered()
    {
        Volatile.Write(ref _failingSince, 0);
        Volatile.Write(ref _answeredOnce, 1);
        return Interlocked.Exchange(ref _warned, 0) == 1;
    }
}
