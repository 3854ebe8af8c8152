using System.Globalization;
using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Credits;

/// <summary>
/// A credit pack was paid (our own PaymentSucceeded, back from the bus): the buyer gets the credits
/// the payment recorded at checkout, once per payment however often the event arrives.
/// </summary>
public sealed class CreditPackPaidConsumer(PaymentsDbContext db, CreditLedger ledger, ILogger<CreditPackPaidConsumer> logger)
    : IdempotentConsumer<PaymentSucceeded, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<PaymentSucceeded> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        if (m.Purpose != Purposes.Credits) return;
        var payment = await Db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == m.PaymentId, cancellationToken);
        // The pack's size at checkout, not today's configuration: a pack changed since still gives what was bought.
        if (payment is null || !int.TryParse(payment.Product, NumberStyles.None, CultureInfo.InvariantCulture, out var credits) || credits <= 0)
            throw new InvalidOperationException($"Payment {m.PaymentId} bought credits but does not say how many; it waits in the error queue.");
        var posting = await ledger.GrantAsync(payment.UserId, credits, "credit_pack", "payment:" + payment.Id, cancellationToken);
        if (posting.Applied) logger.LogInformation("Granted {Credits} credits to {UserId} for payment {PaymentId}", credits, payment.UserId, payment.Id);
    }
}
