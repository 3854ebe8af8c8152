using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging;

/// <summary>A deleted account's last time online goes (<see cref="HubPresence"/> records it as a connection
/// closes).</summary>
public sealed class HubPresenceEraser(MessagingDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM user_presence WHERE user_id = {deleted.UserId}", cancellationToken);
}
