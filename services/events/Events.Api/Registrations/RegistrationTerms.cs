using Microsoft.Extensions.Caching.Memory;

namespace Community.Events.Registrations;

/// <summary>
/// What a new registration takes from its event: who organizes it, whether it is open to everyone, keeps a waiting list
/// and what a seat costs. The statement that registers checks each of these against the event's row as it writes
/// (<see cref="SeatBook"/>), so a copy that has gone stale is noticed there and read again, never acted on.
/// </summary>
public sealed record RegistrationTerms(
    Guid EventId,
    Guid OrganizerId,
    string Visibility,
    bool WaitlistEnabled,
    long PriceCents,
    string? Currency
)
{
    public bool IsPaid => PriceCents > 0;

    public static RegistrationTerms Of(CommunityEvent e) =>
        new(e.Id, e.OrganizerId, e.Visibility, e.WaitlistEnabled, e.PriceCents, e.Currency);
}

/// <summary>
/// The terms of public events registered for lately, so a registration makes one round trip instead of reading the
/// event first. Nothing here is trusted: the registering statement compares every term, and a mismatch makes the
/// caller <see cref="Forget"/> the copy. Private events are not kept (invitations are read each time).
/// </summary>
public sealed class RegistrationTermsCache : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public RegistrationTerms? Find(Guid eventId) =>
        _known.TryGetValue(eventId, out RegistrationTerms? terms) ? terms : null;

    /// <summary>Keeps the terms of a public, published event; null for any other.</summary>
    public RegistrationTerms? Remember(CommunityEvent e)
    {
        if (e.Visibility != Visibility.Public || e.Status != EventStatus.Published)
            return null;
        var terms = RegistrationTerms.Of(e);
        _known.Set(e.Id, terms, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        return terms;
    }

    public void Forget(Guid eventId) => _known.Remove(eventId);

    public void Dispose() => _known.Dispose();
}
