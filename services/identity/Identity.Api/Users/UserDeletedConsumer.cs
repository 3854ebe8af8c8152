namespace Community.Identity.Users;

/// <summary>
/// Identity's own UserDeleted: the account row is gone with its cascades; each feature's
/// <see cref="IUserDataEraser"/> erases what identity keeps about the user outside it (social's blocks).
/// </summary>
public sealed class UserDeletedConsumer(
    IdentityDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<IdentityDbContext>(db, erasers, logger);
