using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Relations;

/// <summary>
/// A deleted account's own blocks go (who it blocked is not kept for an account that is gone), and a block of its own
/// arriving late writes nothing (<see cref="RelationWrites.SetBlockedAsync"/>). Blocks living people made against it
/// stay: they are their choice, and they keep its old messages hidden from them.
/// </summary>
public sealed class BlocksEraser(MessagingDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Blocks.Where(b => b.BlockerId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
}
