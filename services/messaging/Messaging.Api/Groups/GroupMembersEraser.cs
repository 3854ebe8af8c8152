using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Groups;

/// <summary>
/// A deleted account belongs to no group's threads from its deletion on, whatever order social's messages about it
/// arrive in: social stamps its departure with the deletion's time, and a role change or approval made meanwhile
/// carries a later one, which would otherwise outlive the departure. The rows stay, inactive, with their times; the
/// tombstone refuses any later join.
/// </summary>
public sealed class GroupMembersEraser(MessagingDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE group_members SET active = false WHERE user_id = {deleted.UserId} AND active",
            cancellationToken
        );
}
