using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Conversations;

/// <summary>
/// A deleted account's places in conversations go (how far it read, what it muted). Nobody else reads them: the
/// other person of a direct conversation keeps it and its history by their own row, and the conversation names the
/// pair. An event chat's members hear that an attendee left, as of a cancelled registration.
/// </summary>
public sealed class ConversationMembersEraser(MessagingDbContext db, LiveDelivery live) : IUserDataEraser
{
    private List<Guid> _leftEventChats = [];

    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        _leftEventChats = await db
            .Database.SqlQuery<Guid>(
                $"""
                WITH gone AS (
                    DELETE FROM conversation_members WHERE user_id = {deleted.UserId}
                    RETURNING conversation_id, role, active)
                SELECT conversation_id AS "Value" FROM gone WHERE role = 'attendee' AND active
                """
            )
            .ToListAsync(cancellationToken);

    public async Task ErasedAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        foreach (var chat in _leftEventChats)
            await EventChats.AnnounceMemberAsync(db, live, chat, deleted.UserId, false, cancellationToken);
    }
}
