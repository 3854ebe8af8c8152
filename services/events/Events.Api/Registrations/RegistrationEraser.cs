using Community.Contracts.Identity;
using Community.ServiceDefaults.Api;

namespace Community.Events.Registrations;

/// <summary>
/// A deleted account's registrations go; the seats they held go to the waiting lists. Its id goes from what else names
/// it: other events' invitations, and the arrivals it checked in (the arrival stays, who recorded it does not).
/// </summary>
public sealed class RegistrationEraser(EventsDbContext db, SeatBook seats, TimeProvider clock) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        var eventIds = await db
            .Registrations.Where(r => r.UserId == userId)
            .Select(r => r.EventId)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var eventId in eventIds)
        {
            var freed = await db.InTransactionAsync(
                async ct =>
                {
                    var e = await db.CommunityEvents.AsNoTracking().FirstAsync(x => x.Id == eventId, ct);
                    var now = UtcTimestamps.AsStored(clock.GetUtcNow());
                    var registrations = await db
                        .Registrations.FromSql(
                            $"SELECT * FROM registrations WHERE event_id = {eventId} AND user_id = {userId} FOR UPDATE"
                        )
                        .ToListAsync(ct);
                    var freed = registrations.Count(r => r.HoldsSeat);
                    foreach (var registration in registrations)
                    {
                        if (RegistrationStatus.Live.Contains(registration.Status) && e.EndsAt > now)
                            seats.Cancel(e, registration, now);
                        db.Registrations.Remove(registration);
                    }
                    if (freed > 0)
                        await seats.ReleaseSeatsAsync(eventId, freed, ct);
                    return freed;
                },
                cancellationToken
            );
            if (freed > 0)
                await seats.PromoteAsync(eventId, cancellationToken);
        }

        // Registration rows before event rows, in the order SeatBook locks them.
        await db
            .Registrations.Where(r => r.CheckedInBy == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.CheckedInBy, (Guid?)null), cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE community_events SET invited_user_ids = array_remove(invited_user_ids, {userId})
            WHERE {userId} = ANY(invited_user_ids)
            """,
            cancellationToken
        );
    }
}
