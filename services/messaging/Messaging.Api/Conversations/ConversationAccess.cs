using Community.Contracts;

namespace Community.Messaging.Conversations;

/// <summary>
/// A conversation as one user may use it: who sees it (its members; not the blocked side of a direct one;
/// a thread's group members but those in a block with its author unless they moderate), who may send (not closed, no
/// block either way, still connected), who moderates.
/// Everyone else gets the same 404 as for a conversation that does not exist.
/// </summary>
public sealed record ConversationAccess(
    Conversation Conversation,
    Guid UserId,
    bool Moderates,
    DomainException? SendRefusal
)
{
    public const string NoSuchConversation = "No such conversation.";

    public void EnsureCanSend()
    {
        if (SendRefusal is not null)
            throw SendRefusal;
    }

    /// <summary>
    /// The conversation if <paramref name="userId"/> may see it; 404 otherwise. One query whatever the kind: the
    /// conversation with the facts its kind's rule needs (every hub call and request starts here; a plain send to a
    /// conversation the instance knows has its statement check the rules for sending instead, MessageInsert).
    /// The rules for sending are written there once more, in SQL (<c>MessageInsert.MaySend</c>): a change here is a
    /// change there, which ConversationSendGuardTests hold together.
    /// </summary>
    public static async Task<ConversationAccess> OpenAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var facts =
            await FactsOf(db, conversationId, userId, cancellationToken)
            ?? throw new NotFoundException(NoSuchConversation);
        var conversation = facts.Conversation;
        switch (conversation.Kind)
        {
            case ConversationKinds.Direct:
                // The blocked side does not see the conversation at all.
                if ((conversation.DirectLow != userId && conversation.DirectHigh != userId) || facts.BlockedByTheOther)
                    throw new NotFoundException(NoSuchConversation);
                DomainException? refusal =
                    facts.BlockedTheOther
                        ? new ForbiddenException("You blocked this person; the conversation is closed for sending.")
                    : !facts.Connected
                        ? new BusinessRuleException(
                            "You are no longer connected with this person; connect again to send messages."
                        )
                    : conversation.Closed ? Closed()
                    : null;
                return new(conversation, userId, false, refusal);
            case ConversationKinds.Thread:
                if (facts.GroupRole is not { } role || facts.Gone)
                    throw new NotFoundException(NoSuchConversation);
                var moderates = role is GroupRoles.Owner or GroupRoles.Moderator;
                // A thread whose author is in a block with the caller (either way) is hidden from them: its list,
                // page and pushes leave it out (ThreadQueries.Visible, ConversationAudience), and so do its messages.
                // Its moderators still open it: an author blocking them does not take the thread out of moderation.
                if (facts.InABlockWithTheAuthor && !moderates)
                    throw new NotFoundException(NoSuchConversation);
                return new(conversation, userId, moderates, conversation.Closed ? Closed() : null);
            default:
                if (!facts.EventChatMember)
                    throw new NotFoundException(NoSuchConversation);
                return new(conversation, userId, conversation.OwnerId == userId, conversation.Closed ? Closed() : null);
        }
    }

    /// <summary>
    /// <see cref="OpenAsync"/>'s query, compiled once: every hub call and request runs it, and its tree is large enough
    /// that looking it up in EF's query cache (funcletizing and comparing the tree) cost more CPU than running it.
    /// </summary>
    private static readonly Func<MessagingDbContext, Guid, Guid, CancellationToken, Task<Facts?>> FactsOf =
        EF.CompileAsyncQuery(
            (MessagingDbContext db, Guid conversationId, Guid userId, CancellationToken _) =>
                db
                    .Conversations.AsNoTracking()
                    .Where(c => c.Id == conversationId)
                    .Select(c => new Facts(
                        c,
                        c.Kind == ConversationKinds.EventChat
                            && db.ConversationMembers.Any(m =>
                                m.ConversationId == c.Id && m.UserId == userId && m.Active
                            ),
                        c.Kind == ConversationKinds.Thread
                            ? db
                                .GroupMembers.Where(g => g.GroupId == c.GroupId && g.UserId == userId && g.Active)
                                .Select(g => g.Role)
                                .FirstOrDefault()
                            : null,
                        // A join announced after the group's deletion does not reopen its threads, and a deleted
                        // thread's messages leave every read with it.
                        c.Kind == ConversationKinds.Thread
                            && (
                                db.Groups.Any(g => g.GroupId == c.GroupId && g.Deleted)
                                || db.Threads.Any(t => t.Id == c.Id && t.DeletedAt != null)
                            ),
                        c.Kind == ConversationKinds.Thread
                            && db.Threads.Any(t =>
                                t.Id == c.Id
                                && db.Blocks.Any(b =>
                                    b.Blocked
                                    && (
                                        (b.BlockerId == userId && b.BlockedId == t.AuthorId)
                                        || (b.BlockerId == t.AuthorId && b.BlockedId == userId)
                                    )
                                )
                            ),
                        c.Kind == ConversationKinds.Direct
                            && db.Blocks.Any(b =>
                                b.Blocked
                                && b.BlockedId == userId
                                && b.BlockerId != userId
                                && (b.BlockerId == c.DirectLow || b.BlockerId == c.DirectHigh)
                            ),
                        c.Kind == ConversationKinds.Direct
                            && db.Blocks.Any(b =>
                                b.Blocked
                                && b.BlockerId == userId
                                && b.BlockedId != userId
                                && (b.BlockedId == c.DirectLow || b.BlockedId == c.DirectHigh)
                            ),
                        c.Kind == ConversationKinds.Direct
                            && db.Connections.Any(p =>
                                p.UserLow == c.DirectLow && p.UserHigh == c.DirectHigh && p.Connected
                            )
                    ))
                    .SingleOrDefault()
        );

    /// <summary>What <see cref="OpenAsync"/> reads in one query; each fact is false (or null) for the other
    /// kinds.</summary>
    private sealed record Facts(
        Conversation Conversation,
        bool EventChatMember,
        string? GroupRole,
        bool Gone,
        bool InABlockWithTheAuthor,
        bool BlockedByTheOther,
        bool BlockedTheOther,
        bool Connected
    );

    private static ConflictException Closed() => new("This conversation is closed for sending.");

    /// <summary>
    /// The caller's member row, made on first use for a thread (whose members come from the group, not from rows);
    /// direct and event-chat rows exist from the start. Made as a thread's send makes it (MessageInsert): the caller's
    /// profile share-locked by a statement before, so an erasure of the account under way is waited for and seen, and
    /// only for an account not deleted and still an active member. Read before the erasure's commit, the insert would
    /// wait on the row it deleted, then find its key free. The caller answers a missing row with 404.
    /// </summary>
    public Task EnsureMemberRowAsync(MessagingDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        Conversation.Kind != ConversationKinds.Thread
            ? Task.CompletedTask
            : db.Database.ExecuteSqlAsync(
                $"""
                SELECT 1 FROM user_profiles WHERE user_id = {UserId} FOR SHARE;
                INSERT INTO conversation_members
                    (conversation_id, user_id, role, active, read_seq, muted, joined_at, as_of)
                SELECT {Conversation.Id}, {UserId}, 'member', true, 0, false, {now}, {now}
                WHERE NOT EXISTS (SELECT 1 FROM user_profiles WHERE user_id = {UserId} AND deleted_at IS NOT NULL)
                  AND EXISTS (SELECT 1 FROM group_members
                              WHERE group_id = {Conversation.GroupId} AND user_id = {UserId} AND active)
                ON CONFLICT (conversation_id, user_id) DO NOTHING
                """,
                cancellationToken
            );
}
