using System.Security.Claims;
using Community.Contracts;
using Community.Events.Users;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;

namespace Community.Events.Catalogue;

/// <summary>Who may see and who may manage an event; every feature under /api/v1/events/{id} asks here.</summary>
public static class CatalogueAccess
{
    /// <summary>Who is asking: anonymous callers see public events only; admins see everything.</summary>
    public sealed record Caller(Guid? UserId, bool IsAdmin)
    {
        public static readonly Caller Anonymous = new(null, false);
    }

    public static Caller CallerOf(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true
            ? new(principal.UserId(), principal.IsInRole(Roles.Admin))
            : Caller.Anonymous;

    /// <summary>
    /// The event if the caller may see it; otherwise 404, so private events do not reveal they exist. An organizer in a
    /// block with the caller, either way, is not seen either. Whoever holds a live registration sees it too: an event
    /// made private, an invitation taken back, or a block after they registered leaves them their page, their ticket,
    /// their check-in and their cancellation (with its refund).
    /// </summary>
    public static async Task<CommunityEvent> VisibleAsync(
        EventsDbContext db,
        Guid id,
        Caller caller,
        CancellationToken cancellationToken
    )
    {
        var e =
            await db.CommunityEvents.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, cancellationToken)
            ?? throw new NotFoundException("No event has this id.");
        if (
            e.IsVisibleTo(caller.UserId, caller.IsAdmin)
            && !await InBlockWithOrganizerAsync(db, e, caller, cancellationToken)
        )
            return e;
        if (
            e.Status != EventStatus.Draft
            && caller.UserId is { } userId
            && await db.Registrations.AnyAsync(
                r => r.EventId == id && r.UserId == userId && RegistrationStatus.Live.Contains(r.Status),
                cancellationToken
            )
        )
            return e;
        throw new NotFoundException("No event has this id.");
    }

    /// <summary>
    /// Whether the caller and the event's organizer are in a block, either way. Never its organizer nor an admin, who
    /// manage the event whoever they blocked.
    /// </summary>
    public static async Task<bool> InBlockWithOrganizerAsync(
        EventsDbContext db,
        CommunityEvent e,
        Caller caller,
        CancellationToken cancellationToken
    ) =>
        caller.UserId is { } userId
        && !e.IsManagedBy(userId, caller.IsAdmin)
        && await UserBlockQueries.BetweenAsync(db, userId, e.OrganizerId, cancellationToken);

    /// <summary>
    /// The organizers whose events the catalogue leaves out for the caller: those in a block with them, either way.
    /// None for anonymous callers and admins.
    /// </summary>
    public static async Task<List<Guid>> HiddenOrganizersAsync(
        EventsDbContext db,
        Caller caller,
        CancellationToken cancellationToken
    ) =>
        caller is { IsAdmin: false, UserId: { } userId }
            ? await UserBlockQueries.WithAsync(db, userId, cancellationToken)
            : [];

    /// <summary>
    /// The event for a change by its organizer or an admin; others get 403 if they can see it, 404 if not (as
    /// <see cref="VisibleAsync"/> judges: a block with the organizer hides it, so it is not told by a 403 either).
    /// </summary>
    public static async Task<CommunityEvent> ManagedAsync(
        EventsDbContext db,
        Guid id,
        ClaimsPrincipal principal,
        CancellationToken cancellationToken
    )
    {
        var caller = CallerOf(principal);
        var e = await db.CommunityEvents.FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (e is null || !e.IsVisibleTo(caller.UserId, caller.IsAdmin))
            throw new NotFoundException("No event has this id.");
        if (!e.IsManagedBy(caller.UserId!.Value, caller.IsAdmin))
        {
            await VisibleAsync(db, id, caller, cancellationToken);
            throw new ForbiddenException("Only the event's organizer or an admin may do this.");
        }
        return e;
    }

    /// <summary>
    /// The event for a change, locked: its row is locked in the caller's transaction and the event read again (as
    /// <see cref="ManagedAsync"/>, with nothing tracked from before), so the change applies to the event as it is at
    /// its commit and two changes at once go one after the other. <paramref name="whileLocked"/> runs between the lock
    /// and the read (PATCH checks If-Match there).
    /// </summary>
    public static async Task<CommunityEvent> LockedManagedAsync(
        EventsDbContext db,
        Guid id,
        ClaimsPrincipal principal,
        CancellationToken cancellationToken,
        Func<Task>? whileLocked = null
    )
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("The event is locked in the caller's transaction: begin one first.");
        db.ChangeTracker.Clear();
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM community_events WHERE id = {id} FOR UPDATE",
            cancellationToken
        );
        if (whileLocked is not null)
            await whileLocked();
        return await ManagedAsync(db, id, principal, cancellationToken);
    }
}
