using Community.Contracts.Identity;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.Social.Users;

/// <summary>
/// A deleted account leaves nothing social behind: each feature's <see cref="IUserDataEraser"/> erases its share, in
/// the order <see cref="SocialServiceExtensions"/> adds them, and the profile is left as a tombstone.
/// </summary>
public sealed class UserDeletedConsumer(
    SocialDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<SocialDbContext>(db, erasers, logger)
{
    // After every write about members under way (what it wrote is erased here), before any later one (it sees the
    // tombstone): the consumers that record activity, attendance, badges and news hold the gate shared.
    protected override async Task HandleAsync(ConsumeContext<UserDeleted> context, CancellationToken cancellationToken)
    {
        await ErasureGate.CloseAsync(Db, cancellationToken);
        await base.HandleAsync(context, cancellationToken);
    }
}
