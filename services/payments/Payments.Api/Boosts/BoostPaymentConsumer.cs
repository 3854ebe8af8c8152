using System.Globalization;

namespace Community.Payments.Boosts;

/// <summary>
/// A boost was paid: the boost runs its days from now, or from the end of the boost still running,
/// so boosts bought back to back add up. The payment row is locked first, as
/// <see cref="BoostRefundedConsumer"/> locks it, so a boost refunded in full before this ran adds nothing.
/// </summary>
public sealed class BoostPaymentConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    TimeProvider clock,
    ILogger<BoostPaymentConsumer> logger
) : DeliveryConsumer(db, payments, logger)
{
    protected override string Purpose => PaymentPurposes.Boost;

    protected override async Task DeliverAsync(
        Payment payment,
        PaymentSucceeded message,
        CancellationToken cancellationToken
    )
    {
        // What this payment gave, for its refund to take back (that and nothing more, once).
        var granted = await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO boost_grants (payment_id, user_id, days, granted_at)
            VALUES ({payment.Id}, {payment.UserId}, {Days(payment)}, {clock.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        // Delivered already (the payment announced again under another message id): its days are not given twice.
        if (granted == 0)
            return;
        // From now, not from the payment: discovery boosts the profile from BoostPurchased, sent with this, so a
        // message that waited in the queue (a database outage, a redelivery) costs the buyer none of the days paid for.
        var now = clock.GetUtcNow();
        await BoostRules.AddDaysAsync(Db, payment.UserId, now, Days(payment), now, cancellationToken);
    }

    public static int Days(Payment payment) =>
        int.TryParse(payment.Product, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days > 0
            ? days
            : throw new InvalidOperationException(
                $"Boost payment {payment.Id} names no number of days ('{payment.Product}')."
            );
}

/// <summary>
/// A boost was refunded in full: its days are taken off the user's boost, as far as any are left
/// (the buyer got all the money back, so none of the days are theirs). BoostRevoked tells discovery
/// the new end. A partial refund is a goodwill gesture and takes nothing back.
/// </summary>
public sealed class BoostRefundedConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    TimeProvider clock,
    ILogger<BoostRefundedConsumer> logger
) : FullRefundConsumer(db, payments, logger)
{
    protected override string Purpose => PaymentPurposes.Boost;

    protected override async Task TakeBackAsync(Payment payment, CancellationToken cancellationToken)
    {
        // Only days this payment gave, and only once: a payment refunded before its delivery gave none (its delivery
        // then adds none either), and a second full refund (after one the provider failed) finds them taken.
        if (
            await Db.Database.ExecuteSqlAsync(
                $"""
                UPDATE boost_grants SET taken_back_at = {clock.GetUtcNow()}
                WHERE payment_id = {payment.Id} AND taken_back_at IS NULL
                """,
                cancellationToken
            ) == 0
        )
            return;
        var boost = (
            await Db.Set<Boost>()
                .FromSql($"SELECT * FROM boosts WHERE user_id = {payment.UserId} FOR UPDATE")
                .ToListAsync(cancellationToken)
        ).SingleOrDefault();
        var now = clock.GetUtcNow();
        if (boost is null || boost.BoostedUntil <= now)
            return;

        var left = boost.BoostedUntil - now;
        var taken = TimeSpan.FromDays(BoostPaymentConsumer.Days(payment));
        boost.BoostedUntil -= taken < left ? taken : left;
        // Later than the row's last change, as BoostRules.AddDaysAsync stamps it, so discovery keeps this one.
        boost.UpdatedAt = boost.UpdatedAt < now ? now : boost.UpdatedAt.AddTicks(TimeSpan.TicksPerMicrosecond);
        Db.AddIntegrationEvent(
            new BoostRevoked(Guid.CreateVersion7(), boost.UpdatedAt, payment.UserId, payment.Id, boost.BoostedUntil)
        );
        logger.LogInformation(
            "Boost payment {PaymentId} was refunded: {UserId} is boosted until {BoostedUntil}",
            payment.Id,
            payment.UserId,
            boost.BoostedUntil
        );
    }
}
