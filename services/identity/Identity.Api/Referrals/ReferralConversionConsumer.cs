using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Identity.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Identity.Referrals;

/// <summary>
/// A referred member paid for something: their first paid purchase converts the referral, and
/// ReferralConverted goes out through the outbox in the same transaction (payments rewards both
/// sides). The update matches only a referral not yet converted, so a redelivery, a later payment
/// or two payments racing convert it once.
/// </summary>
public sealed class ReferralConversionConsumer(IdentityDbContext db, TimeProvider clock, ILogger<ReferralConversionConsumer> logger)
    : IdempotentConsumer<PaymentSucceeded, IdentityDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<PaymentSucceeded> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var referrers = await Db.Database.SqlQuery<Guid>($"""
            UPDATE referrals SET converted_at = {m.OccurredAt.ToUniversalTime()}, conversion_payment_id = {m.PaymentId}
            WHERE referred_user_id = {m.UserId} AND converted_at IS NULL
            RETURNING referrer_user_id AS "Value"
            """).ToListAsync(cancellationToken);
        if (referrers.Count == 0) return;

        Db.AddIntegrationEvent(new ReferralConverted(Guid.CreateVersion7(), clock.GetUtcNow(), referrers[0], m.UserId, m.PaymentId));
        logger.LogInformation("Referral of {UserId} by {ReferrerId} converted by payment {PaymentId}", m.UserId, referrers[0], m.PaymentId);
    }
}
