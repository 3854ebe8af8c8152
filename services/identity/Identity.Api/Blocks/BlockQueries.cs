namespace Community.Identity.Blocks;

/// <summary>Whether two members are a blocked pair, in either direction.</summary>
public static class BlockQueries
{
    public static Task<bool> EitherBlockedAsync(
        IdentityDbContext db,
        Guid one,
        Guid other,
        CancellationToken cancellationToken
    ) =>
        db.UserBlocks.AnyAsync(
            b =>
                b.Blocked
                && (
                    (b.BlockerUserId == one && b.BlockedUserId == other)
                    || (b.BlockerUserId == other && b.BlockedUserId == one)
                ),
            cancellationToken
        );
}
