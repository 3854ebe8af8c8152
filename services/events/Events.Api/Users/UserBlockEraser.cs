using Community.Contracts.Identity;

namespace Community.Events.Users;

/// <summary>A deleted account's blocks, either way, go with it.</summary>
public sealed class UserBlockEraser(EventsDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .UserBlocks.Where(b => b.BlockerUserId == deleted.UserId || b.BlockedUserId == deleted.UserId)
            .ExecuteDeleteAsync(cancellationToken);
}
