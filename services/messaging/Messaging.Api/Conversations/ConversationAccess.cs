namespace Community.Messaging.Conversations;

/// <summary>
/// A conversation as one user may use it: who sees it (its members; not the blocked side of a direct one;
/// a thread's group members), who may send (not closed, no block either way, still connected), who moderates.
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

    /// <summary>The conversation if <paramref name="userId"/> may see it; 404 otherwise.</summary>
    public static async Task<ConversationAccess> OpenAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var c =
            await db.Conversations.AsNoTracking().SingleOrDefaultAsync(x => x.Id == conversationId, cancellationToken)
            ?? throw new NotFoundException(NoSuchConversation);
        return c.Kind switch
        {
            ConversationKinds.Direct => await DirectAsync(db, c, userId, cancellationToken),
            ConversationKinds.Thread => await ThreadAsync(db, c, userId, cancellationToken),
            _ => await EventChatAsync(db, c, userId, cancellationToken),
        };
    }

    private static async Task<ConversationAccess> DirectAsync(
        MessagingDbContext db,
        Conversation c,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        if (c.DirectLow != userId && c.DirectHigh != userId)
            throw new NotFoundException(NoSuchConversation);
        var other = c.OtherThan(userId);
        var blocks = await db
            .Blocks.AsNoTracking()
            .Where(b =>
                b.Blocked
                && ((b.BlockerId == other && b.BlockedId == userId) || (b.BlockerId == userId && b.BlockedId == other))
            )
            .Select(b => b.BlockerId)
            .ToListAsync(cancellationToken);
        // The blocked side does not see the conversation at all.
        if (blocks.Contains(other))
            throw new NotFoundException(NoSuchConversation);
        var (low, high) = Pair.Of(userId, other);
        DomainException? refusal =
            blocks.Count > 0
                ? new ForbiddenException("You blocked this person; the conversation is closed for sending.")
            : !await db.Connections.AnyAsync(
                p => p.UserLow == low && p.UserHigh == high && p.Connected,
                cancellationToken
            )
                ? new BusinessRuleException(
                    "You are no longer connected with this person; connect again to send messages."
                )
            : c.Closed ? Closed()
            : null;
        return new(c, userId, false, refusal);
    }

    private static async Task<ConversationAccess> ThreadAsync(
        MessagingDbContext db,
        Conversation c,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var membership =
            await db
                .GroupMembers.AsNoTracking()
                .SingleOrDefaultAsync(g => g.GroupId == c.GroupId && g.UserId == userId && g.Active, cancellationToken)
            ?? throw new NotFoundException(NoSuchConversation);
        // A join announced after the group's deletion does not reopen its threads.
        if (await db.Groups.AnyAsync(g => g.GroupId == c.GroupId && g.Deleted, cancellationToken))
            throw new NotFoundException(NoSuchConversation);
        // A deleted thread's messages leave every read with it.
        if (await db.Threads.AnyAsync(t => t.Id == c.Id && t.DeletedAt != null, cancellationToken))
            throw new NotFoundException(NoSuchConversation);
        return new(c, userId, membership.Moderates, c.Closed ? Closed() : null);
    }

    private static async Task<ConversationAccess> EventChatAsync(
        MessagingDbContext db,
        Conversation c,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        if (
            !await db.ConversationMembers.AnyAsync(
                m => m.ConversationId == c.Id && m.UserId == userId && m.Active,
                cancellationToken
            )
        )
            throw new NotFoundException(NoSuchConversation);
        return new(c, userId, c.OwnerId == userId, c.Closed ? Closed() : null);
    }

    private static ConflictException Closed() => new("This conversation is closed for sending.");

    /// <summary>
    /// The caller's member row, made on first use for a thread (whose members come from the group, not from rows);
    /// direct and event-chat rows exist from the start.
    /// </summary>
    public Task EnsureMemberRowAsync(MessagingDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        Conversation.Kind != ConversationKinds.Thread
            ? Task.CompletedTask
            : db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO conversation_members
                    (conversation_id, user_id, role, active, read_seq, muted, joined_at, as_of)
                VALUES ({Conversation.Id}, {UserId}, 'member', true, 0, false, {now}, {now})
                ON CONFLICT (conversation_id, user_id) DO NOTHING
                """,
                cancellationToken
            );
}
