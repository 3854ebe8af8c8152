namespace Community.Messaging.Relations;

/// <summary>Who is in a block with whom, for every feature that hides people from each other.</summary>
public static class RelationQueries
{
    /// <summary>
    /// Everyone in a block with <paramref name="userId"/>, either way: neither hears the other live, and each sees the
    /// other's messages hidden. A subquery, so a caller filters a whole audience in its own query.
    /// </summary>
    public static IQueryable<Guid> BlockedWith(MessagingDbContext db, Guid userId) =>
        db
            .Blocks.Where(b => b.Blocked && (b.BlockerId == userId || b.BlockedId == userId))
            .Select(b => b.BlockerId == userId ? b.BlockedId : b.BlockerId);
}
