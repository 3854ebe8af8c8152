using Community.Contracts.Social;
using MassTransit;

namespace Community.Identity.Blocks;

/// <summary>Social's block, kept so identity's public profile hides a blocked pair from each other.</summary>
public sealed class UserBlockedConsumer(IdentityDbContext db, ILogger<UserBlockedConsumer> logger)
    : IdempotentConsumer<UserBlocked, IdentityDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserBlocked> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return BlockProjection.ApplyAsync(Db, m.BlockerUserId, m.BlockedUserId, true, m.OccurredAt, cancellationToken);
    }
}

/// <summary>A lifted block: the pair see each other's profiles again.</summary>
public sealed class UserUnblockedConsumer(IdentityDbContext db, ILogger<UserUnblockedConsumer> logger)
    : IdempotentConsumer<UserUnblocked, IdentityDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserUnblocked> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return BlockProjection.ApplyAsync(Db, m.BlockerUserId, m.BlockedUserId, false, m.OccurredAt, cancellationToken);
    }
}

internal static class BlockProjection
{
    /// <summary>
    /// The newest event wins whatever order the two queues deliver in; a pair with a deleted account is not
    /// recorded (its rows were erased and must not come back). Each account's row is share-locked as its key: a
    /// deletion under way is waited for and then seen (no row written), and one coming after waits for this and then
    /// erases what it wrote.
    /// </summary>
    public static Task ApplyAsync(
        IdentityDbContext db,
        Guid blocker,
        Guid blocked,
        bool isBlocked,
        DateTimeOffset occurredAt,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_blocks (blocker_user_id, blocked_user_id, blocked, as_of)
            SELECT {blocker}, {blocked}, {isBlocked}, {occurredAt.ToUniversalTime()}
            WHERE EXISTS (SELECT 1 FROM users WHERE id = {blocker} FOR KEY SHARE)
                AND EXISTS (SELECT 1 FROM users WHERE id = {blocked} FOR KEY SHARE)
            ON CONFLICT (blocker_user_id, blocked_user_id) DO UPDATE
                SET blocked = excluded.blocked, as_of = excluded.as_of
                WHERE user_blocks.as_of < excluded.as_of
            """,
            cancellationToken
        );
}
