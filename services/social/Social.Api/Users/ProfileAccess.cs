using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;

namespace Community.Social.Users;

/// <summary>
/// Who may see whom. Every feature that names another person asks here: a person unknown,
/// deleted, or on either side of a block is 404, so a block does not reveal itself.
/// </summary>
public static class ProfileAccess
{
    public const string NoSuchUser = "No user has this id.";

    /// <summary>Known (named) and not deleted: the rows anyone may be shown.</summary>
    public static IQueryable<UserProfile> Listed(this IQueryable<UserProfile> profiles) =>
        profiles.Where(p => p.Username != null && p.DeletedAt == null);

    /// <summary>
    /// 404 when <paramref name="userId"/>'s account was erased (its tombstone). A writer asks behind the
    /// <see cref="ErasureGate"/>, so an erasure under way is waited for and then seen.
    /// </summary>
    public static async Task NotErasedAsync(SocialDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        if (await db.UserProfiles.AnyAsync(p => p.UserId == userId && p.DeletedAt != null, cancellationToken))
            throw new NotFoundException(NoSuchUser);
    }

    /// <summary>Neither has blocked the other.</summary>
    public static Task<bool> BlockedEitherWayAsync(
        SocialDbContext db,
        Guid a,
        Guid b,
        CancellationToken cancellationToken
    ) =>
        db.Blocks.AnyAsync(
            x => (x.BlockerId == a && x.BlockedId == b) || (x.BlockerId == b && x.BlockedId == a),
            cancellationToken
        );

    /// <summary>
    /// The profile of <paramref name="userId"/> as <paramref name="callerId"/> may see it; 404 when unknown, deleted or
    /// blocked either way.
    /// </summary>
    public static Task<UserProfile> VisibleAsync(
        SocialDbContext db,
        Guid callerId,
        Guid userId,
        CancellationToken cancellationToken
    ) => VisibleAsync(db, callerId, userId, NoSuchUser, cancellationToken);

    /// <summary>
    /// The same, the 404 in the words <paramref name="notFound"/> the caller says of an unknown user (so a block does
    /// not reveal itself).
    /// </summary>
    public static async Task<UserProfile> VisibleAsync(
        SocialDbContext db,
        Guid callerId,
        Guid userId,
        string notFound,
        CancellationToken cancellationToken
    )
    {
        var profile = await db
            .UserProfiles.AsNoTracking()
            .Listed()
            .FirstOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (
            profile is null
            || (userId != callerId && await BlockedEitherWayAsync(db, callerId, userId, cancellationToken))
        )
            throw new NotFoundException(notFound);
        return profile;
    }

    /// <summary>
    /// Someone the caller wants to connect with or follow: themselves or someone they blocked is a
    /// refusal (422); unknown, deleted or someone who blocked the caller is 404.
    /// </summary>
    public static async Task<UserProfile> ReachableAsync(
        SocialDbContext db,
        Guid callerId,
        Guid userId,
        string action,
        CancellationToken cancellationToken
    )
    {
        if (userId == callerId)
            throw new BusinessRuleException($"You cannot {action} yourself.");
        var profile =
            await db
                .UserProfiles.AsNoTracking()
                .Listed()
                .FirstOrDefaultAsync(p => p.UserId == userId, cancellationToken)
            ?? throw new NotFoundException(NoSuchUser);
        if (await db.Blocks.AnyAsync(x => x.BlockerId == userId && x.BlockedId == callerId, cancellationToken))
            throw new NotFoundException(NoSuchUser);
        if (await db.Blocks.AnyAsync(x => x.BlockerId == callerId && x.BlockedId == userId, cancellationToken))
            throw new BusinessRuleException($"You blocked this user; unblock them to {action} them.");
        return profile;
    }

    /// <summary>
    /// Serialises every change between two people (connect, accept, decline, remove, block) until the transaction
    /// ends, whichever of the two starts it: two requests crossing cannot both insert.
    /// </summary>
    public static Task LockPairAsync(SocialDbContext db, Guid a, Guid b, CancellationToken cancellationToken)
    {
        var (low, high) = a.CompareTo(b) < 0 ? (a, b) : (b, a);
        return db.Database.LockKeyAsync(low.ToString("N") + high.ToString("N"), cancellationToken);
    }
}
