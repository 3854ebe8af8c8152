using Community.AiCompanion.Data;
using Community.Contracts;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Contracts.Social;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.AiCompanion.Projections;

// The companion's view of its users: inbox consumers (a redelivery is skipped) whose writes compare as-of
// times (an older message changes nothing); a deleted user stays deleted.

public sealed class UserRegisteredConsumer(CompanionDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserRegistered> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO users (user_id, username, as_of) VALUES ({m.UserId}, {m.Username}, {m.OccurredAt})
            ON CONFLICT (user_id) DO NOTHING
            """,
            cancellationToken
        );
    }
}

/// <summary>The profile as it now is: the summary a user may share with the companion, and the date of birth the minors' rules need.</summary>
public sealed class UserProfileUpdatedConsumer(CompanionDbContext db, ILogger<UserProfileUpdatedConsumer> logger)
    : IdempotentConsumer<UserProfileUpdated, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserProfileUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var interests = m.Interests.ToArray();
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO users (user_id, username, region, city, country, interests, identity_badge, date_of_birth, as_of)
            VALUES ({m.UserId}, {m.Username}, {m.Region}, {m.City}, {m.Country}, {interests}, {m.IdentityBadge}, {m.DateOfBirth}, {m.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, region = EXCLUDED.region, city = EXCLUDED.city,
                country = EXCLUDED.country, interests = EXCLUDED.interests, identity_badge = EXCLUDED.identity_badge,
                date_of_birth = EXCLUDED.date_of_birth, as_of = EXCLUDED.as_of
            WHERE users.as_of < EXCLUDED.as_of AND NOT users.deleted
            """,
            cancellationToken
        );
    }
}

/// <summary>The tier the daily limits are read from when no token is at hand (the token's own tier claim wins on requests).</summary>
public sealed class SubscriptionChangedConsumer(CompanionDbContext db, ILogger<SubscriptionChangedConsumer> logger)
    : IdempotentConsumer<SubscriptionChanged, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(
        ConsumeContext<SubscriptionChanged> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        if (!Tiers.All.Contains(m.Tier))
            throw new InvalidOperationException(
                $"SubscriptionChanged {m.MessageId} names tier '{m.Tier}', which is not one of {string.Join(", ", Tiers.All)}."
            );
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO users (user_id, as_of, tier, tier_as_of) VALUES ({m.UserId}, '-infinity', {m.Tier}, {m.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE SET tier = EXCLUDED.tier, tier_as_of = EXCLUDED.tier_as_of
            WHERE users.tier_as_of < EXCLUDED.tier_as_of AND NOT users.deleted
            """,
            cancellationToken
        );
    }
}

/// <summary>
/// A deleted account: the profile goes, and every feature erases what it holds of the user
/// (<see cref="IUserErasure"/>) in the same transaction as the inbox record, so a redelivery finds nothing left.
/// </summary>
public sealed class UserDeletedConsumer(
    CompanionDbContext db,
    IEnumerable<IUserErasure> erasures,
    ILogger<UserDeletedConsumer> logger
) : IdempotentConsumer<UserDeleted, CompanionDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<UserDeleted> context, CancellationToken cancellationToken)
    {
        var (userId, at) = (context.Message.UserId, context.Message.OccurredAt);
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO users (user_id, deleted, as_of) VALUES ({userId}, true, {at})
            ON CONFLICT (user_id) DO UPDATE SET username = '', region = NULL, city = NULL, country = NULL, interests = ARRAY[]::text[],
                identity_badge = NULL, date_of_birth = NULL, deleted = true, as_of = GREATEST(users.as_of, EXCLUDED.as_of)
            """,
            cancellationToken
        );
        await Db
            .Blocks.Where(b => b.BlockerId == userId || b.BlockedId == userId)
            .ExecuteDeleteAsync(cancellationToken);
        foreach (var erasure in erasures)
            await erasure.EraseAsync(Db, userId, cancellationToken);
    }
}

/// <summary>What one feature keeps of a user, erased when the account is deleted (register with <c>AddScoped&lt;IUserErasure, T&gt;</c>).</summary>
public interface IUserErasure
{
    Task EraseAsync(CompanionDbContext db, Guid userId, CancellationToken cancellationToken);
}

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
    public static Task SetAsync(
        CompanionDbContext db,
        Guid blocker,
        Guid blocked,
        bool isBlocked,
        DateTimeOffset at,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of) VALUES ({blocker}, {blocked}, {isBlocked}, {at})
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET blocked = EXCLUDED.blocked, as_of = EXCLUDED.as_of
            WHERE blocks.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );

    /// <summary>Whether either of the two has blocked the other.</summary>
    public static Task<bool> BetweenAsync(CompanionDbContext db, Guid a, Guid b, CancellationToken cancellationToken) =>
        db.Blocks.AnyAsync(
            x => x.Blocked && ((x.BlockerId == a && x.BlockedId == b) || (x.BlockerId == b && x.BlockedId == a)),
            cancellationToken
        );
}
