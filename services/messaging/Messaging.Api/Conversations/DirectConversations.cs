using Community.Contracts;

namespace Community.Messaging.Conversations;

/// <summary>Direct conversations: one per pair of connected people, made on first use, never across a block.</summary>
public static class DirectConversations
{
    /// <summary>The pair's conversation (Created false) or a new one; refused between people who are not connected or
    /// across a block.</summary>
    public static async Task<(Guid Id, bool Created)> GetOrCreateAsync(
        MessagingDbContext db,
        Guid callerId,
        Guid otherId,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        if (otherId == callerId)
            throw new BusinessRuleException("You cannot start a conversation with yourself.");
        if (!await db.UserProfiles.AnyAsync(u => u.UserId == otherId && u.DeletedAt == null, cancellationToken))
            throw new NotFoundException("No such user.");
        var blockers = await db
            .Blocks.Where(b =>
                b.Blocked
                && (
                    (b.BlockerId == callerId && b.BlockedId == otherId)
                    || (b.BlockerId == otherId && b.BlockedId == callerId)
                )
            )
            .Select(b => b.BlockerId)
            .ToListAsync(cancellationToken);
        // Who blocked the caller is no one to them, as everywhere (404, like an account that is gone): a 403 would
        // tell them of the block.
        if (blockers.Contains(otherId))
            throw new NotFoundException("No such user.");
        if (blockers.Contains(callerId))
            throw new BusinessRuleException("You blocked this person; unblock them to message them.");
        var (low, high) = Pair.Of(callerId, otherId);
        if (
            !await db.Connections.AnyAsync(
                c => c.UserLow == low && c.UserHigh == high && c.Connected,
                cancellationToken
            )
        )
            throw new BusinessRuleException("You can message only the people you are connected with.");

        var existing = await ExistingAsync(db, low, high, cancellationToken);
        if (existing is { } found)
            return (found, false);
        var now = clock.GetUtcNow();
        var id = NewId.Next(now);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var made = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO conversations
                (id, kind, direct_low, direct_high, created_by, last_seq, last_activity_at, closed, created_at)
            VALUES ({id}, 'direct', {low}, {high}, {callerId}, 0, {now}, false, {now})
            ON CONFLICT (direct_low, direct_high) WHERE kind = 'direct' DO NOTHING
            """,
            cancellationToken
        );
        if (made == 0)
        {
            // Both people started it at once; the other request made it.
            await transaction.RollbackAsync(cancellationToken);
            return (
                await ExistingAsync(db, low, high, cancellationToken)
                    ?? throw new InvalidOperationException("The pair's conversation conflicted but cannot be read."),
                false
            );
        }
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO conversation_members (conversation_id, user_id, role, active, read_seq, muted, joined_at, as_of)
            VALUES ({id}, {low}, 'member', true, 0, false, {now}, {now}),
                   ({id}, {high}, 'member', true, 0, false, {now}, {now})
            """,
            cancellationToken
        );
        await transaction.CommitAsync(cancellationToken);
        return (id, true);
    }

    private static async Task<Guid?> ExistingAsync(
        MessagingDbContext db,
        Guid low,
        Guid high,
        CancellationToken cancellationToken
    ) =>
        await db
            .Conversations.Where(c => c.Kind == ConversationKinds.Direct && c.DirectLow == low && c.DirectHigh == high)
            .Select(c => (Guid?)c.Id)
            .FirstOrDefaultAsync(cancellationToken);
}
