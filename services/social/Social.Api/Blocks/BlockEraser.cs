using Community.Contracts.Identity;

namespace Community.Social.Blocks;

/// <summary>A deleted account's blocks, both ways.</summary>
public sealed class BlockEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .Blocks.Where(b => b.BlockerId == deleted.UserId || b.BlockedId == deleted.UserId)
            .ExecuteDeleteAsync(cancellationToken);
}
