using Community.Contracts.Identity;
using MassTransit;

namespace Community.Events.Users;

/// <summary>
/// A deleted account leaves nothing personal behind: each feature's <see cref="IUserDataEraser"/> runs in this
/// consumer's one transaction, in the order <see cref="EventsServiceExtensions"/> adds them.
/// </summary>
public sealed class UserDeletedConsumer(
    EventsDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<EventsDbContext>(db, erasers, logger)
{
    // After every write under the gate (a check-in, a block message: what they wrote is erased here), before any later
    // one (it reads the tombstone). First, before any row: those writes take the gate before theirs.
    protected override async Task HandleAsync(ConsumeContext<UserDeleted> context, CancellationToken cancellationToken)
    {
        await ErasureGate.CloseAsync(Db, cancellationToken);
        await base.HandleAsync(context, cancellationToken);
    }
}
