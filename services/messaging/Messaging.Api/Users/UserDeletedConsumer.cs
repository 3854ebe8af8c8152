using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Users;

/// <summary>
/// A deleted account keeps its messages' sequence numbers but loses its name, its connections, its places in
/// conversations and its notifications: each feature's <see cref="IUserDataEraser"/>, in the order registered.
/// </summary>
public sealed class UserDeletedConsumer(
    MessagingDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<MessagingDbContext>(db, erasers, logger);
