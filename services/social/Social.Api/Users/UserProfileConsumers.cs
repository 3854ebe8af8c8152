using Community.Contracts;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.Social.Users;

// The profile projection's inputs. Each is an inbox consumer (a redelivered message is skipped) and
// each write compares as-of times (an older message changes nothing), so replays change nothing.

/// <summary>A new account enters the projection with its username, name and role.</summary>
public sealed class UserRegisteredConsumer(SocialDbContext db, ILogger<UserRegisteredConsumer> logger)
    : IdempotentConsumer<UserRegistered, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserRegistered> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.RegisterAsync(
            Db,
            m.UserId,
            m.Username,
            m.FullName,
            m.Role,
            m.IsVerified,
            m.OccurredAt,
            m.RegisteredAt ?? m.OccurredAt,
            cancellationToken
        );
    }
}

/// <summary>A changed profile replaces the projected one, unless a newer message already did.</summary>
public sealed class UserProfileUpdatedConsumer(SocialDbContext db, ILogger<UserProfileUpdatedConsumer> logger)
    : IdempotentConsumer<UserProfileUpdated, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserProfileUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var fields = new UserProfileProjection.ProfileFields(
            m.Username,
            m.FullName,
            m.Bio,
            m.Region,
            m.City,
            m.Country,
            m.Gender,
            m.DateOfBirth,
            m.Interests,
            m.Languages,
            m.ProfileImageUrl,
            m.IdentityBadge,
            m.IsVerified
        );
        return UserProfileProjection.UpdateProfileAsync(Db, m.UserId, fields, m.OccurredAt, cancellationToken);
    }
}

public sealed class UserRoleChangedConsumer(SocialDbContext db, ILogger<UserRoleChangedConsumer> logger)
    : IdempotentConsumer<UserRoleChanged, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<UserRoleChanged> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.ChangeRoleAsync(Db, m.UserId, m.NewRole, m.OccurredAt, cancellationToken);
    }
}

/// <summary>The tier discovery shows; what a caller may filter by comes from the caller's token instead.</summary>
public sealed class SubscriptionChangedConsumer(SocialDbContext db, ILogger<SubscriptionChangedConsumer> logger)
    : IdempotentConsumer<SubscriptionChanged, SocialDbContext>(db, logger)
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
        return UserProfileProjection.ChangeTierAsync(Db, m.UserId, m.Tier, m.OccurredAt, cancellationToken);
    }
}

/// <summary>Discovery ranks the user first until BoostedUntil.</summary>
public sealed class BoostPurchasedConsumer(SocialDbContext db, ILogger<BoostPurchasedConsumer> logger)
    : IdempotentConsumer<BoostPurchased, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<BoostPurchased> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.SetBoostAsync(Db, m.UserId, m.BoostedUntil, m.OccurredAt, cancellationToken);
    }
}

/// <summary>A refunded boost ends earlier (BoostedUntil at or before now: no boost).</summary>
public sealed class BoostRevokedConsumer(SocialDbContext db, ILogger<BoostRevokedConsumer> logger)
    : IdempotentConsumer<BoostRevoked, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<BoostRevoked> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return UserProfileProjection.SetBoostAsync(Db, m.UserId, m.BoostedUntil, m.OccurredAt, cancellationToken);
    }
}
