using Community.Contracts.Identity;

namespace Community.Social.Connections;

/// <summary>A deleted account's connections and requests, both ways, and the waits before asking again.</summary>
public sealed class ConnectionEraser(SocialDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        await db
            .Connections.Where(c => c.RequesterId == deleted.UserId || c.AddresseeId == deleted.UserId)
            .ExecuteDeleteAsync(cancellationToken);
        await db
            .RequestCooldowns.Where(c =>
                c.Kind == RequestCooldowns.Connection && (c.AskerId == deleted.UserId || c.TargetId == deleted.UserId)
            )
            .ExecuteDeleteAsync(cancellationToken);
    }
}
