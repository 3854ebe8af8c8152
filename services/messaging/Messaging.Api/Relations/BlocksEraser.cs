using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Relations;

/// <summary>
/// A deleted account's blocks go, made and received, as they do in every other service: who blocked whom is not kept
/// for an account that is gone, and a block arriving late writes nothing
/// (<see cref="RelationWrites.SetBlockedAsync"/>).
/// </summary>
public sealed class BlocksEraser(MessagingDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .Blocks.Where(b => b.BlockerId == deleted.UserId || b.BlockedId == deleted.UserId)
            .ExecuteDeleteAsync(cancellationToken);
}
