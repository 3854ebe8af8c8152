using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// One revocation as identity's feed serves it: a session (<see cref="SessionId"/>, the token's <c>sid</c>) or
/// every token of a user issued before <see cref="NotBefore"/>; it matters until <see cref="TokensExpireBy"/>.
/// </summary>
public sealed record Revocation(
    long Sequence,
    Guid UserId,
    Guid? SessionId,
    DateTimeOffset? NotBefore,
    DateTimeOffset TokensExpireBy
);

/// <summary>
/// A page of identity's revocation feed; <see cref="Cursor"/> is the <c>after</c> of the next request.
/// </summary>
public sealed record RevocationPage(IReadOnlyList<Revocation> Items, long Cursor);

/// <summary>
/// The sessions that ended while their access tokens still live: ended session ids and a per-user
/// "not before". Each instance keeps its own, fed by the bus and by identity's feed. An entry is
/// forgotten once no token it could match is accepted any more (its expiry plus the clock skew).
/// </summary>
public sealed class SessionRevocations(TimeProvider clock, IOptions<JwtOptions> jwtOptions)
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _sessions = new();
    private readonly ConcurrentDictionary<Guid, UserCutoff> _users = new();
    private long _nextPruneTicks;

    private sealed record UserCutoff(DateTimeOffset NotBefore, DateTimeOffset KeepUntil);

    /// <summary>
    /// Raised with the user's id after a revocation is recorded, so what outlives a request (hub connections) can end
    /// too.
    /// </summary>
    public event Action<Guid>? Recorded;

    /// <summary>Session and user entries currently kept.</summary>
    public int Count => _sessions.Count + _users.Count;

    private TimeSpan Skew => TimeSpan.FromSeconds(jwtOptions.Value.ClockSkewSeconds);

    public void Add(Revocation revocation) =>
        Add(revocation.UserId, revocation.SessionId, revocation.NotBefore, revocation.TokensExpireBy);

    public void Add(Guid userId, Guid? sessionId, DateTimeOffset? notBefore, DateTimeOffset tokensExpireBy)
    {
        var keepUntil = tokensExpireBy + Skew;
        if (keepUntil <= clock.GetUtcNow())
            return;
        if (sessionId is { } session)
            _sessions.AddOrUpdate(session, keepUntil, (_, kept) => Later(kept, keepUntil));
        if (notBefore is { } cutoff)
            _users.AddOrUpdate(
                userId,
                new UserCutoff(cutoff, keepUntil),
                (_, kept) => new UserCutoff(Later(kept.NotBefore, cutoff), Later(kept.KeepUntil, keepUntil))
            );
        PruneIfDue();
        Recorded?.Invoke(userId);
    }

    /// <summary>
    /// Whether a token of <paramref name="userId"/>, of session <paramref name="sessionId"/>, issued at
    /// <paramref name="issuedAt"/> belongs to an ended session.
    /// </summary>
    public bool HasEnded(Guid userId, Guid? sessionId, DateTimeOffset issuedAt)
    {
        PruneIfDue();
        if (sessionId is { } session && _sessions.ContainsKey(session))
            return true;
        return _users.TryGetValue(userId, out var cutoff) && issuedAt < cutoff.NotBefore;
    }

    // An entry kept a little too long refuses only tokens that have expired anyway, so pruning now and then is enough.
    private void PruneIfDue()
    {
        var now = clock.GetUtcNow();
        var due = Interlocked.Read(ref _nextPruneTicks);
        if (
            now.UtcTicks < due
            || Interlocked.CompareExchange(ref _nextPruneTicks, (now + PruneEvery).UtcTicks, due) != due
        )
            return;
        foreach (var entry in _sessions)
            if (entry.Value <= now)
                _sessions.TryRemove(entry);
        foreach (var entry in _users)
            if (entry.Value.KeepUntil <= now)
                _users.TryRemove(entry);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
