using Community.Contracts.Social;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.AiCompanion.Users;

public sealed class UserBlockedConsumer(CompanionDbContext db, ILogger<UserBlockedConsumer> logger)
    : IdempotentConsumer<UserBlocked, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserBlocked> context, CancellationToken cancellationToken) =>
        Blocks.SetAsync(
            Db,
            context.Message.BlockerUserId,
            context.Message.BlockedUserId,
            true,
            context.Message.OccurredAt,
            cancellationToken
        );
}

public sealed class UserUnblockedConsumer(CompanionDbContext db, ILogger<UserUnblockedConsumer> logger)
    : IdempotentConsumer<UserUnblocked, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserUnblocked> context, CancellationToken cancellationToken) =>
        Blocks.SetAsync(
            Db,
            context.Message.BlockerUserId,
            context.Message.BlockedUserId,
            false,
            context.Message.OccurredAt,
            cancellationToken
        );
}

public static class Blocks
{
    public static async Task SetAsync(
        CompanionDbContext db,
        Guid blocker,
        Guid blocked,
        bool isBlocked,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(db, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of)
            SELECT {blocker}, {blocked}, {isBlocked}, {at}
            WHERE NOT EXISTS (
                SELECT 1 FROM user_profiles WHERE user_id IN ({blocker}, {blocked}) AND deleted_at IS NOT NULL)
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET blocked = EXCLUDED.blocked, as_of = EXCLUDED.as_of
            WHERE blocks.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );
    }

    /// <summary>Whether either of the two has blocked the other.</summary>
    public static Task<bool> BetweenAsync(CompanionDbContext db, Guid a, Guid b, CancellationToken cancellationToken) =>
        db.Blocks.AnyAsync(
            x => x.Blocked && ((x.BlockerId == a && x.BlockedId == b) || (x.BlockerId == b && x.BlockedId == a)),
            cancellationToken
        );
}
