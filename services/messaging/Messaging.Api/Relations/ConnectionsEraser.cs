using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Relations;

/// <summary>
/// A deleted account is connected with nobody: no direct conversation of theirs accepts a message, and an acceptance
/// arriving late connects nobody again (<see cref="RelationWrites.SetConnectedAsync"/>).
/// </summary>
public sealed class ConnectionsEraser(MessagingDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .Connections.Where(c => c.UserLow == deleted.UserId || c.UserHigh == deleted.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Connected, false), cancellationToken);
}
