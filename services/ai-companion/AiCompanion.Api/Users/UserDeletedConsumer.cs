namespace Community.AiCompanion.Users;

/// <summary>
/// A deleted account: every <see cref="IUserDataEraser"/> erases its share, in the inbox's transaction.
/// </summary>
public sealed class UserDeletedConsumer(
    CompanionDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<CompanionDbContext>(db, erasers, logger);
