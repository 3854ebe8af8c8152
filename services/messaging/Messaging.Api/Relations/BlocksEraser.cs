using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Relations;

/// <summary>
/// A deleted account's blocks that still hold stay, and so does every block living people made against it: its old
/// messages (kept, without its name, for the conversations they belong to) stay hidden from those it blocked, as they
/// were written to be, and from those who blocked it. Its lifted blocks go, and a block or unblock of its own arriving
/// late writes nothing (<see cref="RelationWrites.SetBlockedAsync"/>).
/// </summary>
public sealed class BlocksEraser(MessagingDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Blocks.Where(b => b.BlockerId == deleted.UserId && !b.Blocked).ExecuteDeleteAsync(cancellationToken);
}
