using Community.Contracts.Identity;
using Community.Contracts.Social;

namespace Community.Social.Groups;

/// <summary>
/// What a deleted account leaves in groups: its owned groups pass to a moderator or close, and its memberships,
/// requests, invitations and purchases go.
/// </summary>
public sealed class GroupEraser(SocialDbContext db) : IUserDataEraser
{
    /// <summary>A replay finds nothing left to do.</summary>
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var (userId, now) = (deleted.UserId, deleted.OccurredAt);
        var owned = await db
            .Groups.FromSql($"SELECT *, xmin FROM groups WHERE owner_id = {userId} ORDER BY id FOR NO KEY UPDATE")
            .ToListAsync(cancellationToken);
        foreach (var g in owned)
        {
            // The longest-standing moderator takes over; with none, the group closes.
            var successor = await db
                .GroupMembers.Where(m => m.GroupId == g.Id && m.Role == GroupRoles.Moderator && m.UserId != userId)
                .OrderBy(m => m.JoinedAt)
                .ThenBy(m => m.UserId)
                .FirstOrDefaultAsync(cancellationToken);
            if (successor is null)
            {
                GroupRules.Delete(db, g, now);
                continue;
            }
            successor.Role = GroupRoles.Owner;
            g.OwnerId = successor.UserId;
            g.UpdatedAt = now;
            db.AddIntegrationEvent(new GroupUpdated(Guid.CreateVersion7(), now, g.Id, ["owner_id"]));
            db.AddIntegrationEvent(
                new GroupMemberRoleChanged(Guid.CreateVersion7(), now, g.Id, successor.UserId, GroupRoles.Owner)
            );
            // The old owner's row becomes an ordinary one, so it leaves below like any other.
            await db
                .GroupMembers.Where(m => m.GroupId == g.Id && m.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, GroupRoles.Member), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);

        var memberOf = await db
            .GroupMembers.Where(m => m.UserId == userId)
            .Select(m => m.GroupId)
            .ToListAsync(cancellationToken);
        foreach (var groupId in memberOf.Order())
        {
            await db.Database.ExecuteSqlAsync(
                $"SELECT 1 FROM groups WHERE id = {groupId} FOR NO KEY UPDATE",
                cancellationToken
            );
            await GroupMemberships.RemoveAsync(db, groupId, userId, now, cancellationToken);
        }
        await db.GroupRequests.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db
            .GroupInvitations.Where(i => i.UserId == userId || i.InvitedBy == userId)
            .ExecuteDeleteAsync(cancellationToken);
        // A payment still arriving for one finds no purchase and is refunded.
        await db.GroupPurchases.Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
