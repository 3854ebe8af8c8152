using Community.Contracts.Identity;
using MassTransit;

namespace Community.Identity.Users;

/// <summary>
/// Announces an account again to a service that never heard of it (see <see cref="UserAnnouncementRequested"/>): the
/// registration and the profile as they now are, both as of the account's last change, so a projection that has them
/// changes nothing and one that missed them catches up. An account that does not exist (deleted, or never made) gets
/// no answer: the asking service goes on refusing its writes.
/// </summary>
public sealed class UserAnnouncementConsumer(IdentityDbContext db, ILogger<UserAnnouncementConsumer> logger)
    : IdempotentConsumer<UserAnnouncementRequested, IdentityDbContext>(db, logger)
{
    private readonly ILogger _logger = logger;

    protected override async Task HandleAsync(
        ConsumeContext<UserAnnouncementRequested> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var user = await Db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == m.UserId, cancellationToken);
        if (user is null)
        {
            _logger.LogInformation("{Service} asked about user {UserId}, who does not exist", m.Service, m.UserId);
            return;
        }
        var referredBy = await Db
            .Referrals.Where(r => r.ReferredUserId == user.Id)
            .Select(r => (Guid?)r.ReferrerUserId)
            .FirstOrDefaultAsync(cancellationToken);
        // Every change to the account stamps UpdatedAt with its event's time: as of then, this is what was announced.
        var asOf = user.UpdatedAt;
        Db.AddIntegrationEvent(ProfileEvents.Registered(user, asOf, referredBy));
        Db.AddIntegrationEvent(ProfileEvents.Updated(user, asOf, []));
        _logger.LogInformation("Announced user {UserId} again: {Service} had not heard of them", user.Id, m.Service);
    }
}
