namespace Community.Events.Users;

/// <summary>Who is in a block with whom, for every feature that keeps such a pair apart.</summary>
public static class UserBlockQueries
{
    /// <summary>Whether either of the two has blocked the other.</summary>
    public static Task<bool> BetweenAsync(EventsDbContext db, Guid a, Guid b, CancellationToken cancellationToken) =>
        db.UserBlocks.AnyAsync(
            x =>
                x.Blocked
                && ((x.BlockerUserId == a && x.BlockedUserId == b) || (x.BlockerUserId == b && x.BlockedUserId == a)),
            cancellationToken
        );

    /// <summary>
    /// Everyone in a block with <paramref name="userId"/>, either way: few, and none for most, so a list filters by
    /// them only when there are any and otherwise runs as it always did.
    /// </summary>
    public static Task<List<Guid>> WithAsync(EventsDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db
            .UserBlocks.Where(b => b.Blocked && (b.BlockerUserId == userId || b.BlockedUserId == userId))
            .Select(b => b.BlockerUserId == userId ? b.BlockedUserId : b.BlockerUserId)
            .Distinct()
            .ToListAsync(cancellationToken);
}
