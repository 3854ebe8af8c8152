namespace Community.Social.Users;

/// <summary>
/// A deleted account leaves nothing social behind: each feature's <see cref="IUserDataEraser"/> erases its share, in
/// the order <see cref="SocialServiceExtensions"/> adds them, and the profile is left as a tombstone.
/// </summary>
public sealed class UserDeletedConsumer(
    SocialDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<SocialDbContext>(db, erasers, logger);
