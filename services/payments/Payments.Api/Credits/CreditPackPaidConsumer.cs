using System.Globalization;

namespace Community.Payments.Credits;

/// <summary>
/// A credit pack was paid (our own PaymentSucceeded, back from the bus): the buyer gets the credits
/// the payment recorded at checkout, once per payment however often the event arrives. The payment
/// row is locked first, as <see cref="CreditPackRefundedConsumer"/> locks it, so a pack refunded in
/// full before this ran grants nothing, and one refunded after is clawed back.
/// </summary>
public sealed class CreditPackPaidConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    CreditLedger ledger,
    ILogger<CreditPackPaidConsumer> logger
) : DeliveryConsumer(db, payments, logger)
{
    protected override string Purpose => PaymentPurposes.Credits;

    protected override async Task DeliverAsync(
        Payment payment,
        PaymentSucceeded message,
        CancellationToken cancellationToken
    )
    {
        // The pack's size at checkout, not today's configuration: a pack changed since still gives what was bought.
        if (
            !int.TryParse(payment.Product, NumberStyles.None, CultureInfo.InvariantCulture, out var credits)
            || credits <= 0
        )
            throw new InvalidOperationException(
                $"Payment {payment.Id} bought credits but does not say how many; it waits in the error queue."
            );
        var posting = await ledger.GrantAsync(
            payment.UserId,
            credits,
            CreditLedger.CreditPackGrant,
            GrantKey(payment.Id),
            cancellationToken
        );
        if (posting.Applied)
            logger.LogInformation(
                "Granted {Credits} credits to {UserId} for payment {PaymentId}",
                credits,
                payment.UserId,
                payment.Id
            );
    }

    /// <summary>The idempotency key of the grant a credit pack payment makes.</summary>
    public static string GrantKey(Guid paymentId) => "payment:" + paymentId;
}

/// <summary>
/// A credit pack was refunded in full: its credits are clawed back, as many as are still unspent
/// (the ledger never goes negative; the spent rest is owed and taken from spends paid back later).
/// A partial refund is a goodwill gesture and takes nothing back.
/// </summary>
public sealed class CreditPackRefundedConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    CreditLedger ledger,
    ILogger<CreditPackRefundedConsumer> logger
) : FullRefundConsumer(db, payments, logger)
{
    protected override string Purpose => PaymentPurposes.Credits;

    protected override async Task TakeBackAsync(Payment payment, CancellationToken cancellationToken)
    {
        var posting = await ledger.ClawBackAsync(
            CreditPackPaidConsumer.GrantKey(payment.Id),
            "credit_pack_refunded",
            cancellationToken
        );
        if (posting is { Applied: true })
            logger.LogInformation(
                "Took back {Credits} credits from {UserId}: credit pack payment {PaymentId} was refunded",
                posting.Transaction.Amount,
                payment.UserId,
                payment.Id
            );
    }
}
