using Community.Contracts.Events;
using Community.Contracts.Identity;
using Community.Events.Data;
using Community.Events.Registrations;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Users;

/// <summary>
/// A deleted account leaves nothing personal behind: its registrations are erased (seats go to
/// the waiting lists) and the events it organised are withdrawn: drafts deleted, upcoming ones
/// cancelled so attendees hear of it; the projected names go too. Erasers of other data (photos) implement <see cref="IUserDataEraser"/>.
/// </summary>
public sealed class UserDeletedConsumer(
    EventsDbContext db,
    SeatBook seats,
    IEnumerable<IUserDataEraser> erasers,
    TimeProvider clock,
    ILogger<UserDeletedConsumer> logger
) : IdempotentConsumer<UserDeleted, EventsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<UserDeleted> context, CancellationToken cancellationToken)
    {
        var userId = context.Message.UserId;
        await seats.EraseUserAsync(userId, cancellationToken);

        var now = clock.GetUtcNow();
        var organised = await Db
            .Events.Where(e => e.OrganizerId == userId && e.Status != EventStatus.Cancelled)
            .ToListAsync(cancellationToken);
        foreach (var e in organised)
        {
            if (e.Status == EventStatus.Draft)
            {
                Db.Events.Remove(e);
            }
            else if (e.EndsAt > now)
            {
                e.Status = EventStatus.Cancelled;
                e.CancelledAt = now;
                e.UpdatedAt = now;
                e.CancellationReason = "The organizer's account was deleted.";
                Db.AddIntegrationEvent(new EventCancelled(Guid.CreateVersion7(), now, e.Id, e.CancellationReason));
            }
        }
        foreach (var eraser in erasers)
            await eraser.EraseAsync(userId, cancellationToken);
        await UserProfileProjection.EraseAsync(Db, userId, context.Message.OccurredAt, cancellationToken);
    }
}

/// <summary>Erases one kind of a deleted user's data inside the UserDeleted transaction (blobs after commit are the eraser's concern).</summary>
public interface IUserDataEraser
{
    Task EraseAsync(Guid userId, CancellationToken cancellationToken);
}
