using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Boosts;

/// <summary>
/// A boost was paid: the boost runs its days from now, or from the end of the boost still running,
/// so boosts bought back to back add up.
/// </summary>
public sealed class BoostPaymentConsumer(PaymentsDbContext db, TimeProvider clock, ILogger<BoostPaymentConsumer> logger)
    : IdempotentConsumer<PaymentSucceeded, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<PaymentSucceeded> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        if (m.Purpose != Purposes.Boost) return;
        var payment = await Db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == m.PaymentId, cancellationToken)
            ?? throw new InvalidOperationException($"Payment {m.PaymentId} of a PaymentSucceeded is not in the database.");
        if (!int.TryParse(payment.Product, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) || days <= 0)
            throw new InvalidOperationException($"Boost payment {payment.Id} names no number of days ('{payment.Product}').");

        // From the payment, not from now: a message that waited in the queue costs the buyer nothing.
        var from = payment.SucceededAt ?? m.OccurredAt;
        var length = TimeSpan.FromDays(days);
        var now = clock.GetUtcNow();
        // One statement, so two boosts paid at once both count.
        var boost = (await Db.Set<Boost>().FromSql(
                $"""
                INSERT INTO boosts (user_id, boosted_until, updated_at) VALUES ({payment.UserId}, {from + length}, {now})
                ON CONFLICT (user_id) DO UPDATE SET boosted_until = GREATEST(boosts.boosted_until, {from}) + {length}, updated_at = {now}
                RETURNING *
                """)
            .AsNoTracking().ToListAsync(cancellationToken)).Single();
        Db.AddIntegrationEvent(new BoostPurchased(Guid.NewGuid(), now, payment.UserId, boost.BoostedUntil));
    }
}
