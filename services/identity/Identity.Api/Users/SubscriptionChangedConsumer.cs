using Community.Contracts;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.Identity.Users;

/// <summary>
/// Payments changed a user's tier: the next access token (login or refresh) carries it. Tokens
/// already issued keep the old tier until they expire. The newest change wins, whatever order
/// the changes arrive in.
/// </summary>
public sealed class SubscriptionChangedConsumer(
    IdentityDbContext db,
    TimeProvider clock,
    ILogger<SubscriptionChangedConsumer> logger
) : IdempotentConsumer<SubscriptionChanged, IdentityDbContext>(db, logger)
{
    protected override async Task HandleAsync(
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

        var now = clock.GetUtcNow();
        // One conditional statement: two changes handled at once cannot interleave between a read and a write.
        var applied = await Db
            .Users.Where(u => u.Id == m.UserId && (u.TierChangedAt == null || u.TierChangedAt < m.OccurredAt))
            .ExecuteUpdateAsync(
                s =>
                    s.SetProperty(u => u.Tier, m.Tier)
                        .SetProperty(u => u.TierChangedAt, m.OccurredAt)
                        .SetProperty(u => u.UpdatedAt, now),
                cancellationToken
            );
        if (applied == 0)
            logger.LogInformation(
                "Tier change {EventId} for user {UserId} not applied: no such user, or a newer change is already in",
                m.MessageId,
                m.UserId
            );
    }
}
