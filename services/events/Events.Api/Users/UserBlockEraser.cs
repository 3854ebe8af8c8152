using Community.Contracts.Identity;

namespace Community.Events.Users;

/// <summary>
/// A deleted account's lifted blocks, either way, go with it. Those that still hold stay, frozen (<see
/// cref="UserBlockProjection"/> writes nothing more of the pair): the past and cancelled events it organised stay as
/// history, and stay hidden from those in a block with it, as they were.
/// </summary>
public sealed class UserBlockEraser(EventsDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .UserBlocks.Where(b =>
                (b.BlockerUserId == deleted.UserId || b.BlockedUserId == deleted.UserId) && !b.Blocked
            )
            .ExecuteDeleteAsync(cancellationToken);
}
