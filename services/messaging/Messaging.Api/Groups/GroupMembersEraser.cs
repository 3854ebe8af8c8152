using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Groups;

/// <summary>
/// A deleted account belongs to no group's threads from its deletion on, whatever order social's messages about it
/// arrive in: social stamps its departure with the deletion's time, and a role change or approval made meanwhile
/// carries a later one, which would otherwise outlive the departure. The rows stay, inactive, with their times; the
/// tombstone refuses any later join.
/// </summary>
public sealed class GroupMembersEraser(MessagingDbContext db, LiveDelivery live) : IUserDataEraser
{
    private List<Guid> _left = [];

    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        _left = await db
            .Database.SqlQuery<Guid>(
                $"""
                UPDATE group_members SET active = false WHERE user_id = {deleted.UserId} AND active
                RETURNING group_id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);

    /// <summary>Whoever has one of those groups open sees the account leave it (member_left).</summary>
    public async Task ErasedAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        foreach (var group in _left)
            await GroupMembership.AnnounceAsync(db, live, group, deleted.UserId, false, cancellationToken);
    }
}
