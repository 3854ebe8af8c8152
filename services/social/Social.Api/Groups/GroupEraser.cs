using Community.Contracts.Identity;
using Community.Contracts.Social;

namespace Community.Social.Groups;

/// <summary>
/// What a deleted account leaves in groups: its owned groups pass to a moderator or close, and its memberships,
/// requests (and the waits before asking again), invitations and purchases go.
/// </summary>
public sealed class GroupEraser(SocialDbContext db, TimeProvider clock) : IUserDataEraser
{
    private sealed record EndedInvitation(Guid GroupId, Guid UserId);

    /// <summary>A replay finds nothing left to do.</summary>
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        // The groups it has a request in too: an approval committed while this erasure began is found under the lock.
        // And those it is invited to: a removal or a leave that ends the invitation starts a wait (request_cooldowns)
        // under the group's lock, so it commits before this erasure deletes the waits, never after.
        var groupIds = await db
            .GroupMembers.Where(m => m.UserId == userId)
            .Select(m => m.GroupId)
            .Union(db.Groups.Where(g => g.OwnerId == userId).Select(g => g.Id))
            .Union(db.GroupRequests.Where(r => r.UserId == userId).Select(r => r.GroupId))
            .Union(db.GroupInvitations.Where(i => i.UserId == userId).Select(i => i.GroupId))
            .ToListAsync(cancellationToken);
        // One pass in id order: whether the user owns a group is read once its row is locked, so a group another
        // erasure handed to them while this one waited is handed on, not left to an erased owner.
        foreach (var groupId in groupIds.Order())
        {
            // Locked and read in one statement: after a wait it returns the row as the other transaction committed it.
            var g = await db
                .Groups.FromSql($"SELECT *, xmin FROM groups WHERE id = {groupId} FOR NO KEY UPDATE")
                .SingleOrDefaultAsync(cancellationToken);
            if (g is null)
                continue;
            // Timed under the group's lock, as every change of its members is: a role given or a request approved
            // after the deletion and before this erasure is older than the departure others order them by.
            var now = clock.GetUtcNow() is var read && read > deleted.OccurredAt ? read : deleted.OccurredAt;
            if (g.OwnerId == userId && !await HandOverAsync(g, userId, now, cancellationToken))
            {
                await GroupRules.DeleteAsync(db, g, now, cancellationToken);
                continue;
            }
            await GroupMemberships.RemoveAsync(db, groupId, userId, now, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await db.GroupRequests.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db
            .RequestCooldowns.Where(c =>
                (c.Kind == RequestCooldowns.Group && c.AskerId == userId)
                || (c.Kind == RequestCooldowns.Invitation && c.TargetId == userId)
            )
            .ExecuteDeleteAsync(cancellationToken);
        // Theirs went with their notifications; those they sent and still stood are ended for their guests.
        var sent = await db
            .Database.SqlQuery<EndedInvitation>(
                $"""
                WITH gone AS (
                    DELETE FROM group_invitations WHERE user_id = {userId} OR invited_by = {userId}
                    RETURNING group_id, user_id, invited_by)
                SELECT group_id, user_id FROM gone WHERE invited_by = {userId} AND user_id <> {userId}
                """
            )
            .ToListAsync(cancellationToken);
        var endedAt = clock.GetUtcNow() is var at && at > deleted.OccurredAt ? at : deleted.OccurredAt;
        foreach (var group in sent.GroupBy(i => i.GroupId))
            GroupRules.AnnounceEndedInvitations(db, group.Key, [.. group.Select(i => i.UserId)], endedAt);
        await db.SaveChangesAsync(cancellationToken);
        // A payment still arriving for one finds no purchase and is refunded.
        await db.GroupPurchases.Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Gives the locked group <paramref name="g"/> to its longest-standing moderator whose account is not deleted;
    /// false when there is none (the group closes).
    /// </summary>
    private async Task<bool> HandOverAsync(
        Group g,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var successor = await db
            .GroupMembers.Where(m => m.GroupId == g.Id && m.Role == GroupRoles.Moderator && m.UserId != userId)
            .Where(m => !db.UserProfiles.Any(p => p.UserId == m.UserId && p.DeletedAt != null))
            .OrderBy(m => m.JoinedAt)
            .ThenBy(m => m.UserId)
            .FirstOrDefaultAsync(cancellationToken);
        if (successor is null)
            return false;
        successor.Role = GroupRoles.Owner;
        g.OwnerId = successor.UserId;
        g.UpdatedAt = now;
        db.AddIntegrationEvent(new GroupUpdated(Guid.CreateVersion7(), now, g.Id, ["owner_id"]));
        db.AddIntegrationEvent(
            new GroupMemberRoleChanged(Guid.CreateVersion7(), now, g.Id, successor.UserId, GroupRoles.Owner)
        );
        // The old owner's row becomes an ordinary one, so it leaves like any other.
        await db
            .GroupMembers.Where(m => m.GroupId == g.Id && m.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, GroupRoles.Member), cancellationToken);
        return true;
    }
}
