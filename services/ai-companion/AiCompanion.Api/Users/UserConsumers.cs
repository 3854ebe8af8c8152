using Community.Contracts;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.AiCompanion.Users;

// The companion's view of its users: each write compares as-of times (an older message changes nothing), and a
// deleted user stays deleted.

/// <summary>
/// The account's username. A row written before it came (a tier change payments announced first) gets the username it
/// lacks; one that has a username already (a profile update, as new or newer) and a tombstone are left as they are.
/// </summary>
public sealed class UserRegisteredConsumer(CompanionDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserRegistered> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, as_of) VALUES ({m.UserId}, {m.Username}, {m.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username,
                as_of = GREATEST(user_profiles.as_of, EXCLUDED.as_of)
            WHERE user_profiles.username IS NULL AND user_profiles.deleted_at IS NULL
            """,
            cancellationToken
        );
    }
}

/// <summary>
/// The profile summary a user may share with the companion, and the date of birth the minors' rules need. It replaces
/// what a message of the same time wrote too: identity announces an account again as a registration and a profile
/// update of one time, and the registration's row (a username alone) must not keep the profile out.
/// </summary>
public sealed class UserProfileUpdatedConsumer(CompanionDbContext db, ILogger<UserProfileUpdatedConsumer> logger)
    : IdempotentConsumer<UserProfileUpdated, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserProfileUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var interests = m.Interests.ToArray();
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, region, city, country, interests, identity_badge,
                date_of_birth, as_of)
            VALUES ({m.UserId}, {m.Username}, {m.Region}, {m.City}, {m.Country}, {interests}, {m.IdentityBadge},
                {m.DateOfBirth}, {m.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, region = EXCLUDED.region,
                city = EXCLUDED.city, country = EXCLUDED.country, interests = EXCLUDED.interests,
                identity_badge = EXCLUDED.identity_badge, date_of_birth = EXCLUDED.date_of_birth,
                as_of = EXCLUDED.as_of
            WHERE user_profiles.as_of <= EXCLUDED.as_of AND user_profiles.deleted_at IS NULL
            """,
            cancellationToken
        );
    }
}

/// <summary>The tier the daily limits are read from when no token is at hand (a request's own claim wins).</summary>
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
                $"SubscriptionChanged {m.MessageId} names tier '{m.Tier}', "
                    + $"which is not one of {string.Join(", ", Tiers.All)}."
            );
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, as_of, tier, tier_as_of)
            VALUES ({m.UserId}, '-infinity', {m.Tier}, {m.OccurredAt})
            ON CONFLICT (user_id) DO UPDATE SET tier = EXCLUDED.tier, tier_as_of = EXCLUDED.tier_as_of
            WHERE user_profiles.tier_as_of < EXCLUDED.tier_as_of AND user_profiles.deleted_at IS NULL
            """,
            cancellationToken
        );
    }
}
