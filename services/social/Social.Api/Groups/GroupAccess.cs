using Community.Contracts;
using Community.ServiceDefaults.Errors;

namespace Community.Social.Groups;

/// <summary>
/// Who may see and run a group. A secret group is 404 to anyone neither a member nor invited, so
/// its existence does not leak; a group the caller sees but may not run is 403.
/// </summary>
public static class GroupAccess
{
    public const string NoSuchGroup = "No group has this id.";

    /// <summary>
    /// Groups the caller may open: public and private ones, and secret ones they belong to, were invited to or asked
    /// to join (a request made while the group could be seen: it stays theirs to follow and withdraw, and the group's
    /// moderators may still approve it).
    /// </summary>
    public static IQueryable<Group> SeenBy(this IQueryable<Group> groups, SocialDbContext db, Guid callerId) =>
        groups.Where(g =>
            g.Visibility != GroupVisibility.Secret
            || db.GroupMembers.Any(m => m.GroupId == g.Id && m.UserId == callerId)
            || db.GroupInvitations.Any(i => i.GroupId == g.Id && i.UserId == callerId)
            || db.GroupRequests.Any(r => r.GroupId == g.Id && r.UserId == callerId)
        );

    /// <summary>Groups listed to the caller: public and private ones, and secret ones they belong to.</summary>
    public static IQueryable<Group> ListedTo(this IQueryable<Group> groups, SocialDbContext db, Guid callerId) =>
        groups.Where(g =>
            g.Visibility != GroupVisibility.Secret
            || db.GroupMembers.Any(m => m.GroupId == g.Id && m.UserId == callerId)
        );

    /// <summary>
    /// Groups whose members the caller may learn of: public ones, and private and secret ones they belong to too
    /// (who belongs to those is for their members to know). For listing another person's groups.
    /// </summary>
    public static IQueryable<Group> MembersShownTo(this IQueryable<Group> groups, SocialDbContext db, Guid callerId) =>
        groups.Where(g =>
            g.Visibility == GroupVisibility.Public
            || db.GroupMembers.Any(m => m.GroupId == g.Id && m.UserId == callerId)
        );

    /// <summary>
    /// The group and the caller's membership (null: not a member); 404 when unknown or secret to the caller.
    /// </summary>
    public static async Task<(Group Group, GroupMember? Membership)> VisibleAsync(
        SocialDbContext db,
        Guid id,
        Guid callerId,
        CancellationToken cancellationToken,
        bool locked = false
    )
    {
        // Locked: every membership change of one group runs one at a time, so counts and rules hold under concurrency.
        var groups = locked
            ? db.Groups.FromSql($"SELECT *, xmin FROM groups WHERE id = {id} FOR NO KEY UPDATE")
            : db.Groups.Where(g => g.Id == id);
        var group =
            await groups.SeenBy(db, callerId).FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException(NoSuchGroup);
        var membership = await db.GroupMembers.FirstOrDefaultAsync(
            m => m.GroupId == id && m.UserId == callerId,
            cancellationToken
        );
        return (group, membership);
    }

    /// <summary>
    /// A group the caller runs (owner or moderator), locked for the change; 403 for anyone else who may see it.
    /// </summary>
    public static async Task<(Group Group, GroupMember Membership)> ManagedAsync(
        SocialDbContext db,
        Guid id,
        Guid callerId,
        CancellationToken cancellationToken
    )
    {
        var (group, membership) = await VisibleAsync(db, id, callerId, cancellationToken, locked: true);
        if (!GroupRoles.Manages(membership?.Role))
            throw new ForbiddenException("Only the group's owner and moderators may do this.");
        return (group, membership!);
    }

    /// <summary>A group the caller owns, locked for the change; 403 for anyone else who may see it.</summary>
    public static async Task<Group> OwnedAsync(
        SocialDbContext db,
        Guid id,
        Guid callerId,
        CancellationToken cancellationToken
    )
    {
        var (group, membership) = await VisibleAsync(db, id, callerId, cancellationToken, locked: true);
        if (membership?.Role != GroupRoles.Owner)
            throw new ForbiddenException("Only the group's owner may do this.");
        return group;
    }

    /// <summary>
    /// The group locked for a change the platform's moderators decided (a report resolved with remove_content), which
    /// asks nobody's role; null when it is gone already.
    /// </summary>
    public static Task<Group?> ModeratedAsync(SocialDbContext db, Guid id, CancellationToken cancellationToken) =>
        db
            .Groups.FromSql($"SELECT *, xmin FROM groups WHERE id = {id} FOR NO KEY UPDATE")
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>Private and secret groups show their members to members only.</summary>
    public static void EnsureMembersVisible(Group group, GroupMember? membership)
    {
        if (group.Visibility != GroupVisibility.Public && membership is null)
            throw new ForbiddenException("Only members see who belongs to a private group.");
    }
}
