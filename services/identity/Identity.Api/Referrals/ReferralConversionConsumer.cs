using Community.Contracts;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.Identity.Referrals;

/// <summary>
/// A referred member's first purchase from the platform (a membership, a boost, a credit pack) converts the referral
/// (ReferralConverted: payments rewards both sides); the referral's row is locked and must still be unconverted, so
/// redeliveries and racing payments convert it once. What members sell one another (tickets, courses, paid groups)
/// converts nothing: a referrer could sell their referrals something for a cent, refund most of it, and farm the
/// rewards. A payment whose refund in full was handled first (<see cref="ReferralRefund"/>) converts the referral
/// revoked at once, as the other order would have left it, and rewards nothing. Only a purchase made once the referred
/// member confirmed an e-mail or a phone converts (one made before converts nothing; the next one may).
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
        // The row is locked before the refunds are read, as ReferralRefundConsumer locks it before it writes one: a
        // refund handled at the same moment has either committed (and is read below) or waits, then finds this
        // conversion to revoke. A racing payment waits here too, then finds the referral converted.
        var referrers = await Db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT referrer_user_id AS "Value" FROM referrals
                WHERE referred_user_id = {m.UserId} AND converted_at IS NULL
                FOR UPDATE
                """
            )
            .ToListAsync(cancellationToken);
        if (referrers.Count == 0)
            return;
        // Only a member who proved an inbox or a phone of their own before paying converts (a payment handled late,
        // after a confirmation, is judged as of its time): throwaway accounts (an address made up, never confirmed)
        // buying the cheapest boost would otherwise farm a referrer's milestones.
        var paidAt = m.OccurredAt.ToUniversalTime();
        if (
            !await Db.Users.AnyAsync(
                u => u.Id == m.UserId && (u.EmailVerifiedAt <= paidAt || u.PhoneVerifiedAt <= paidAt),
                cancellationToken
            )
        )
        {
            logger.LogInformation(
                "Payment {PaymentId} of {UserId}, referred by {ReferrerId}, converts nothing: no confirmed e-mail or "
                    + "phone yet",
                m.PaymentId,
                m.UserId,
                referrers[0]
            );
            return;
        }

        var refunded = await Db.ReferralRefunds.AnyAsync(
            r => r.PaymentId == m.PaymentId && r.TotalRefundedCents >= m.AmountCents,
            cancellationToken
        );
        await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE referrals
            SET converted_at = {m.OccurredAt.ToUniversalTime()},
                conversion_payment_id = {m.PaymentId},
                conversion_amount_cents = {m.AmountCents},
                revoked_at = CASE WHEN {refunded} THEN {clock.GetUtcNow()} END
            WHERE referred_user_id = {m.UserId}
            """,
            cancellationToken
        );
        // The referral is decided: no refund remembered for it can change anything any more.
        await Db.ReferralRefunds.Where(r => r.ReferredUserId == m.UserId).ExecuteDeleteAsync(cancellationToken);
        if (refunded)
        {
            logger.LogInformation(
                "Payment {PaymentId} of {UserId} was refunded in full before it arrived: the referral by {ReferrerId} "
                    + "converted revoked, and earns nothing",
                m.PaymentId,
                m.UserId,
                referrers[0]
            );
            return;
        }

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
/// refund changes nothing, and a revoked referral never converts again. A refund of a referred member's payment that
/// comes while the referral is unconverted is remembered (<see cref="ReferralRefund"/>): PaymentSucceeded arrives on
/// another queue and may come second, and then must not convert the referral as if nothing had been refunded.
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
        // The payer's referral is locked before anything is read or written, as the conversion locks it: whichever of
        // the two comes second sees what the first wrote. No row: nobody referred the payer.
        var converted = await Db
            .Database.SqlQuery<bool>(
                $"""
                SELECT converted_at IS NOT NULL AS "Value" FROM referrals
                WHERE referred_user_id = {m.UserId}
                FOR UPDATE
                """
            )
            .ToListAsync(cancellationToken);
        if (converted.Count == 0)
            return;

        if (!converted[0])
        {
            // The highest running total wins: an older refund of the same payment arriving late lowers nothing.
            await Db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO referral_refunds (payment_id, referred_user_id, total_refunded_cents, refunded_at)
                VALUES ({m.PaymentId}, {m.UserId}, {m.TotalRefundedCents}, {m.OccurredAt.ToUniversalTime()})
                ON CONFLICT (payment_id) DO UPDATE
                SET total_refunded_cents = EXCLUDED.total_refunded_cents, refunded_at = EXCLUDED.refunded_at
                WHERE referral_refunds.total_refunded_cents < EXCLUDED.total_refunded_cents
                """,
                cancellationToken
            );
            logger.LogInformation(
                "Payment {PaymentId} of {UserId} was refunded while their referral is unconverted: remembered, "
                    + "should the payment arrive after its refund",
                m.PaymentId,
                m.UserId
            );
            return;
        }

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
