using Community.Contracts.Identity;

namespace Community.Social.Connections;

/// <summary>A deleted account's connections and requests, both ways.</summary>
public sealed class ConnectionEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .Connections.Where(c => c.RequesterId == deleted.UserId || c.AddresseeId == deleted.UserId)
            .ExecuteDeleteAsync(cancellationToken);
}
