namespace Community.Events.Users;

/// <summary>
/// A deleted account leaves nothing personal behind: each feature's <see cref="IUserDataEraser"/> runs in this
/// consumer's one transaction, in the order <see cref="EventsServiceExtensions"/> adds them.
/// </summary>
public sealed class UserDeletedConsumer(
    EventsDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<EventsDbContext>(db, erasers, logger);
