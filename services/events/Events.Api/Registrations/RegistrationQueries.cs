using Community.Events.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Registrations;

/// <summary>A member's registration as the registration and catalogue endpoints show it.</summary>
public static class RegistrationQueries
{
    /// <summary>The caller's live registration for the event, else their latest one; null if they never registered.</summary>
    public static async Task<RegistrationDto?> MineAsync(
        EventsDbContext db,
        Guid eventId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var registration = await db
            .Registrations.AsNoTracking()
            .Where(r => r.EventId == eventId && r.UserId == userId)
            .OrderByDescending(r => RegistrationStatus.Live.Contains(r.Status))
            .ThenByDescending(r => r.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
        return registration is null
            ? null
            : RegistrationDto.From(registration, await WaitlistPositionAsync(db, registration, cancellationToken));
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
}
