using Community.ServiceDefaults.Api;

namespace Community.Events.Registrations;

/// <summary>A member's registrations as the registration and catalogue endpoints show them.</summary>
public static class RegistrationQueries
{
    /// <summary>
    /// The caller's live registration for the event, else their latest one; null if they never registered.
    /// </summary>
    public static async Task<RegistrationDto?> MineAsync(
        EventsDbContext db,
        Guid eventId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var mine = db
            .Registrations.AsNoTracking()
            .Where(r => r.EventId == eventId && r.UserId == userId)
            .OrderByDescending(r => RegistrationStatus.Live.Contains(r.Status))
            .ThenByDescending(r => r.Sequence);
        var found = await WithPlaces(db, mine).FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : RegistrationDto.From(found.Registration, found.Place);
    }

    /// <summary>The registration's place in the waitlist, counting from 1; null unless it is waitlisted.</summary>
    public static async Task<int?> WaitlistPositionAsync(
        EventsDbContext db,
        Registration registration,
        CancellationToken cancellationToken
    ) =>
        registration.Status != RegistrationStatus.Waitlisted
            ? null
            : await db.Registrations.CountAsync(
                r =>
                    r.EventId == registration.EventId
                    && r.Status == RegistrationStatus.Waitlisted
                    && r.Sequence <= registration.Sequence,
                cancellationToken
            );

    /// <summary>
    /// The events the user holds a live registration for, latest start first (then by id), with that registration;
    /// with <paramref name="after"/>, those after that (starts_at, id) position.
    /// </summary>
    public static async Task<List<(CommunityEvent Event, RegistrationDto Registration)>> JoinedAsync(
        EventsDbContext db,
        Guid userId,
        TimeAndId? after,
        int take,
        CancellationToken cancellationToken
    )
    {
        var live = db
            .Registrations.AsNoTracking()
            .Where(r => r.UserId == userId && RegistrationStatus.Live.Contains(r.Status));
        var events = db.CommunityEvents.AsNoTracking().StartingBefore(after);
        var joined = await (
            from p in WithPlaces(db, live)
            join e in events on p.Registration.EventId equals e.Id
            orderby e.StartsAt descending, e.Id descending
            select new { Event = e, Placed = p }
        )
            .Take(take)
            .ToListAsync(cancellationToken);
        return [.. joined.Select(j => (j.Event, RegistrationDto.From(j.Placed.Registration, j.Placed.Place)))];
    }

    /// <summary>A registration with its place in the waitlist, counting from 1; null unless it is waitlisted.</summary>
    private sealed class Placed
    {
        public Registration Registration { get; init; } = null!;
        public int? Place { get; init; }
    }

    /// <summary>
    /// The rows with their places, read in the same statement: read apart, a promotion between them would answer
    /// "waitlisted" at place 0.
    /// </summary>
    private static IQueryable<Placed> WithPlaces(EventsDbContext db, IQueryable<Registration> registrations) =>
        registrations.Select(r => new Placed
        {
            Registration = r,
            Place =
                r.Status == RegistrationStatus.Waitlisted
                    ? db.Registrations.Count(w =>
                        w.EventId == r.EventId && w.Status == RegistrationStatus.Waitlisted && w.Sequence <= r.Sequence
                    )
                    : (int?)null,
        });
}
