using Community.Contracts;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.Identity.Referrals;

/// <summary>
/// A referred member's first purchase from the platform (a membership, a boost, a credit pack) converts the referral
/// (ReferralConverted: payments rewards both sides); the update matches only an unconverted referral, so redeliveries
/// and racing payments convert it once. What members sell one another (tickets, courses, paid groups) converts
/// nothing: a referrer could sell their referrals something for a cent, refund most of it, and farm the rewards.
/// </summary>
public sealed class ReferralConversionConsumer(
    IdentityDbContext db,
    TimeProvider clock,
    ILogger<ReferralConversionConsumer> logger
) : IdempotentConsumer<PaymentSucceeded, IdentityDbContext>(db, logger)
{
    /// <summary>What the platform itself sells: its price is the platform's, not a referrer's.</summary>
    private static readonly HashSet<string> PlatformSales =
    [
        PaymentPurposes.Subscription,
        PaymentPurposes.Boost,
        PaymentPurposes.Credits,
    ];

    protected override async Task HandleAsync(
        ConsumeContext<PaymentSucceeded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        if (!PlatformSales.Contains(m.Purpose))
            return;
        var referrers = await Db
            .Database.SqlQuery<Guid>(
                $"""
                UPDATE referrals
                SET converted_at = {m.OccurredAt.ToUniversalTime()},
                    conversion_payment_id = {m.PaymentId},
                    conversion_amount_cents = {m.AmountCents}
                WHERE referred_user_id = {m.UserId} AND converted_at IS NULL
                RETURNING referrer_user_id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        if (referrers.Count == 0)
            return;

        Db.AddIntegrationEvent(
            new ReferralConverted(Guid.CreateVersion7(), clock.GetUtcNow(), referrers[0], m.UserId, m.PaymentId)
        );
        logger.LogInformation(
            "Referral of {UserId} by {ReferrerId} converted by payment {PaymentId}",
            m.UserId,
            referrers[0],
            m.PaymentId
        );
    }
}

/// <summary>
/// A full refund of the converting payment revokes the conversion, as payments takes back its credits; a partial
/// refund changes nothing, and a revoked referral never converts again.
/// </summary>
public sealed class ReferralRefundConsumer(
    IdentityDbContext db,
    TimeProvider clock,
    ILogger<ReferralRefundConsumer> logger
) : IdempotentConsumer<PaymentRefunded, IdentityDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<PaymentRefunded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var revoked = await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE referrals SET revoked_at = {clock.GetUtcNow()}
            WHERE conversion_payment_id = {m.PaymentId} AND revoked_at IS NULL
                AND conversion_amount_cents <= {m.TotalRefundedCents}
            """,
            cancellationToken
        );
        if (revoked > 0)
            logger.LogInformation(
                "Payment {PaymentId} was refunded in full: the referral it converted no longer counts",
                m.PaymentId
            );
    }
}
