using Community.Contracts.Social;

namespace Community.Social.Groups;

/// <summary>
/// Adds and removes membership rows. Each changes member_count by the rows it actually inserted or
/// deleted, in the caller's transaction, so the count equals the rows whatever runs at once.
/// </summary>
public static class GroupMemberships
{
    /// <summary>Makes <paramref name="userId"/> a member (GroupMemberJoined); false when they already were.</summary>
    public static async Task<bool> AddAsync(
        SocialDbContext db,
        Guid groupId,
        Guid userId,
        string role,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var added = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ({groupId}, {userId}, {role}, {now})
                ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        // Whatever let them in (an invitation, a request) is used up.
        await db
            .GroupInvitations.Where(i => i.GroupId == groupId && i.UserId == userId)
            .ExecuteDeleteAsync(cancellationToken);
        await db
            .GroupRequests.Where(r => r.GroupId == groupId && r.UserId == userId)
            .ExecuteDeleteAsync(cancellationToken);
        // And a wait before asking to join again, or before the group invites them again: they are in.
        await RequestCooldowns.EndAsync(db, RequestCooldowns.Group, userId, groupId, cancellationToken);
        await RequestCooldowns.EndAsync(db, RequestCooldowns.Invitation, groupId, userId, cancellationToken);
        if (added == 0)
            return false;
        await db.Database.ExecuteSqlAsync(
            $"UPDATE groups SET member_count = member_count + 1 WHERE id = {groupId}",
            cancellationToken
        );
        db.AddIntegrationEvent(new GroupMemberJoined(Guid.CreateVersion7(), now, groupId, userId));
        return true;
    }

    /// <summary>
    /// Ends a membership other than the owner's (GroupMemberLeft); false when there was none. The invitations the
    /// member sent go with it: an invitation stands only while its sender is in the group (removed for spamming
    /// invitations, they would go on letting people into an invite-only group and showing them a secret one).
    /// </summary>
    public static async Task<bool> RemoveAsync(
        SocialDbContext db,
        Guid groupId,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var removed = await db.Database.ExecuteSqlAsync(
            $"DELETE FROM group_members WHERE group_id = {groupId} AND user_id = {userId} AND role <> 'owner'",
            cancellationToken
        );
        if (removed == 0)
            return false;
        await db.Database.ExecuteSqlAsync(
            $"UPDATE groups SET member_count = member_count - 1 WHERE id = {groupId}",
            cancellationToken
        );
        var ended = await db
            .Database.SqlQuery<Guid>(
                $"""
                DELETE FROM group_invitations WHERE group_id = {groupId} AND invited_by = {userId}
                RETURNING user_id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        db.AddIntegrationEvent(new GroupMemberLeft(Guid.CreateVersion7(), now, groupId, userId));
        GroupRules.AnnounceEndedInvitations(db, groupId, ended, now);
        return true;
    }

    /// <summary>
    /// In a group whose owner and moderators decide who joins (join_policy request), an invitation stands only while
    /// whoever sent it still manages the group: those sent by a member (while members could invite), or by a moderator
    /// since demoted, removed or gone, are withdrawn. The caller checks the policy, with the group locked.
    /// </summary>
    public static async Task DropUnmanagedInvitationsAsync(
        SocialDbContext db,
        Guid groupId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var ended = await db
            .Database.SqlQuery<Guid>(
                $"""
                DELETE FROM group_invitations i
                WHERE i.group_id = {groupId}
                  AND NOT EXISTS (
                      SELECT 1 FROM group_members m
                      WHERE m.group_id = i.group_id AND m.user_id = i.invited_by
                        AND m.role IN ('owner', 'moderator'))
                RETURNING i.user_id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        GroupRules.AnnounceEndedInvitations(db, groupId, ended, now);
    }

    /// <summary>
    /// The group's member count as committed rows say it (tracked entities may hold an older one), as
    /// <paramref name="callerId"/> is shown it: without the members a block hides from them
    /// (<see cref="HiddenAsync"/>).
    /// </summary>
    public static async Task<int> CountAsync(
        SocialDbContext db,
        Guid groupId,
        Guid callerId,
        CancellationToken cancellationToken
    )
    {
        var count = await db
            .Groups.AsNoTracking()
            .Where(g => g.Id == groupId)
            .Select(g => g.MemberCount)
            .FirstOrDefaultAsync(cancellationToken);
        return count - (await HiddenAsync(db, callerId, [groupId], cancellationToken)).GetValueOrDefault(groupId);
    }

    /// <summary>
    /// How many members of each of <paramref name="groupIds"/> a block on either side hides from
    /// <paramref name="callerId"/>: the members list leaves them out, so a count with them would tell a small group's
    /// member that someone there blocked them. Read from the caller's blocks, which are few, not from the members.
    /// </summary>
    public static async Task<Dictionary<Guid, int>> HiddenAsync(
        SocialDbContext db,
        Guid callerId,
        IReadOnlyCollection<Guid> groupIds,
        CancellationToken cancellationToken
    )
    {
        var peers = db
            .Blocks.Where(b => b.BlockerId == callerId)
            .Select(b => b.BlockedId)
            .Concat(db.Blocks.Where(b => b.BlockedId == callerId).Select(b => b.BlockerId));
        return await db
            .GroupMembers.AsNoTracking()
            .Where(m => groupIds.Contains(m.GroupId) && peers.Contains(m.UserId))
            .GroupBy(m => m.GroupId)
            .Select(g => new { GroupId = g.Key, Hidden = g.Select(m => m.UserId).Distinct().Count() })
            .ToDictionaryAsync(g => g.GroupId, g => g.Hidden, cancellationToken);
    }
}
