using Community.Events.Data;
using Microsoft.Extensions.Caching.Memory;

namespace Community.Events.Registrations;

/// <summary>
/// What a new registration takes from its event: who organizes it, whether it is open to everyone, keeps a waiting list
/// and what a seat costs. The statement that registers checks each of these against the event's row as it writes
/// (<see cref="SeatBook"/>), so a copy that has gone stale is noticed there and read again, never acted on.
/// </summary>
public sealed record RegistrationTerms(Guid EventId, Guid OrganizerId, string Visibility, bool WaitlistEnabled, long PriceCents, string? Currency)
{
    public bool IsPaid => PriceCents > 0;

    public static RegistrationTerms Of(CommunityEvent e) => new(e.Id, e.OrganizerId, e.Visibility, e.WaitlistEnabled, e.PriceCents, e.Currency);
}

/// <summary>
/// The terms of public events this instance registered people for lately, so a registration (a drop's 500 of them) makes
/// one round trip instead of reading the event first, and each event's <see cref="SeatGate"/>. Private events are not
/// kept: whether the caller is invited is read each time. Nothing here is trusted: the registering statement compares every
/// term with the row and a mismatch makes the caller <see cref="Forget"/> the copy and read the event again.
/// </summary>
public sealed class RegistrationTermsCache : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public KnownEvent? Find(Guid eventId) => _known.TryGetValue(eventId, out KnownEvent? known) ? known : null;

    /// <summary>Keeps the terms of a public, published event (with the gate it had, if it was known); null for any other.</summary>
    public KnownEvent? Remember(CommunityEvent e)
    {
        if (e.Visibility != Visibility.Public || e.Status != EventStatus.Published) return null;
        var known = new KnownEvent(RegistrationTerms.Of(e), Find(e.Id)?.Gate ?? new SeatGate());
        _known.Set(e.Id, known, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        return known;
    }

    public void Forget(Guid eventId) => _known.Remove(eventId);

    public void Dispose() => _known.Dispose();
}

public sealed record KnownEvent(RegistrationTerms Terms, SeatGate Gate);

/// <summary>
/// While an event may still have a seat for a newcomer, this instance sends one registering statement for it at a time;
/// once a statement finds no seat to take (full, or people waiting), nobody queues here and newcomers go to
/// <see cref="JoinBatches"/> instead. Without it a drop's hundreds of statements all queue on the event's row lock in PostgreSQL, and each seat taken wakes every one of
/// them to look at the row again (the work grows with seats times people). Only a throttle: the statement alone decides
/// who gets a seat, so a gate that guesses wrong costs time, never a seat.
/// </summary>
public sealed class SeatGate
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private volatile bool _seatsLikely = true;

    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_seatsLikely) return default;
        await _turn.WaitAsync(cancellationToken);
        if (_seatsLikely) return new Turn(_turn);
        _turn.Release(); // the seats went while this one waited: no reason to queue any longer
        return default;
    }

    /// <summary>What the last statement found: a seat taken keeps (or puts) the gate up, none left opens it.</summary>
    public void Saw(bool seated) => _seatsLikely = seated;

    /// <summary>A turn at the statement; not <see cref="Entered"/> when seats were unlikely and nobody had to wait.</summary>
    public readonly struct Turn(SemaphoreSlim? turn) : IDisposable
    {
        public bool Entered => turn is not null;

        public void Dispose() => turn?.Release();
    }
}
