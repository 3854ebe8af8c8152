using Community.Payments.Subscriptions;
using Community.Payments.Users;
using Stripe;
using Stripe.Checkout;

namespace Community.Payments.Webhooks;

/// <summary>
/// Checkout sessions, payment intents, charges and their disputes: what moves a payment, and a subscription's renewal
/// disputed (it ends the subscription).
/// </summary>
public sealed class CheckoutWebhookHandler(
    PaymentBook book,
    SubscriptionAccess subscriptions,
    CustomerDeleter customers,
    IPaymentProvider provider,
    ILogger<CheckoutWebhookHandler> logger
) : IWebhookHandler
{
    // How soon an event whose intent the provider could not give is worth delivering again.
    private static readonly TimeSpan ProviderRetryAfter = TimeSpan.FromMinutes(1);

    public IReadOnlyCollection<string> EventTypes { get; } =
    [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
        "payment_intent.payment_failed",
        "charge.refunded",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
        "invoice.paid",
    ];

    public async Task HandleAsync(Event e, CancellationToken cancellationToken)
    {
        var payment = await FindAsync(e, cancellationToken);
        // A charge of a subscription's invoice carries none of our ids: its intent is ours only once the first
        // invoice's invoice.paid brought it, and a renewal's never is. The provider says which invoice it paid.
        if (
            payment is null
            && e.Type is ("charge.refunded" or "charge.dispute.funds_withdrawn" or "charge.dispute.funds_reinstated")
            && IntentOf(e) is { } chargedIntent
            && await SubscriptionInvoiceAsync(e, chargedIntent, cancellationToken) is { } billed
        )
        {
            if (billed.BillingReason != "subscription_create")
            {
                await RenewalTakenBackAsync(e, billed, cancellationToken);
                return;
            }
            // The first invoice's refund or chargeback, come before the invoice.paid that tells its intent.
            payment =
                await book.LockBySubscriptionAsync(billed.SubscriptionId, cancellationToken)
                ?? (billed.PaymentId is { } started ? await book.LockAsync(started, cancellationToken) : null);
            if (payment is { PaymentIntentId: null })
                payment.PaymentIntentId = chargedIntent;
            else if (payment?.PaymentIntentId != chargedIntent)
                payment = null;
            // Found by its id before its checkout completed: the subscription it started is known from now on, so the
            // full refund below stops it (SubscriptionRefundedConsumer).
            if (payment is not null)
                payment.ProviderSubscriptionId ??= billed.SubscriptionId;
        }
        if (payment is null)
        {
            // Our checkouts' intents carry our payment id; a subscription invoice's carry none (a renewal's is never
            // ours, a first one's only once its invoice.paid came): a failed attempt to pay one is Stripe's to retry.
            if (e.Type == "payment_intent.payment_failed" && e.PaymentId() is null)
                logger.LogInformation(
                    "Stripe event {EventId} ({Type}) is about intent {IntentId}, not a checkout's (a subscription "
                        + "invoice's); ignored",
                    e.Id,
                    e.Type,
                    e.ObjectId()
                );
            else
                logger.LogWarning("Stripe event {EventId} ({Type}) names no payment of ours; ignored", e.Id, e.Type);
            return;
        }

        // Stripe makes a customer for every subscription checkout (the buyer's e-mail, name, card): kept to be deleted
        // there with the account.
        if (CustomerOf(e) is { } customer)
            await customers.RecordAsync(payment, customer, cancellationToken);

        switch (e.Type, e.Data.Object)
        {
            case ("checkout.session.completed", Session session):
                if (session.SubscriptionId is { } subscription)
                    payment.ProviderSubscriptionId ??= subscription;
                // Delayed methods complete the session unpaid; async_payment_succeeded settles them later.
                if (session.PaymentStatus is "paid" or "no_payment_required")
                    book.Capture(payment, session.PaymentIntentId, ReportedAt(e));
                else if (session.PaymentIntentId is { } intent)
                    payment.PaymentIntentId ??= intent;
                break;
            case ("checkout.session.async_payment_succeeded", Session session):
                book.Capture(payment, session.PaymentIntentId, ReportedAt(e));
                break;
            case ("checkout.session.async_payment_failed", _):
                book.End(payment, PaymentStatus.Failed, "async_payment_failed");
                break;
            case ("checkout.session.expired", _):
                book.End(payment, PaymentStatus.Expired, "expired");
                break;
            case ("payment_intent.payment_failed", PaymentIntent failed):
                // One declined attempt: the buyer may pay with another card in the same session, which only expiry
                // ends.
                var error = failed.LastPaymentError;
                book.RecordDecline(payment, error?.DeclineCode ?? error?.Code ?? "payment_failed");
                break;
            case ("invoice.paid", Invoice invoice):
                // A subscription checkout is paid by the subscription's first invoice: its payment intent is
                // what a refund of the payment names (and what charge.refunded reports). Renewals are not ours.
                if (invoice.Parent?.SubscriptionDetails?.SubscriptionId is { } subscriptionId)
                    payment.ProviderSubscriptionId ??= subscriptionId;
                // Asked of the provider only for a payment of ours still without it (the webhook's transaction and
                // the payment's row wait for the answer): once a subscription.
                if (invoice.BillingReason == "subscription_create" && payment.PaymentIntentId is null)
                    payment.PaymentIntentId = await FirstInvoiceIntentAsync(e, invoice, cancellationToken);
                break;
            case ("charge.refunded", Charge charge):
                if (!string.Equals(charge.Currency, payment.Currency, StringComparison.OrdinalIgnoreCase))
                {
                    // Not comparable with what was paid, as a dispute's: counting it could take back too much or too
                    // little.
                    logger.LogWarning(
                        "Stripe reports {Amount} {Currency} refunded of charge {ChargeId} (event {EventId}) of payment "
                            + "{PaymentId}, paid in {PaymentCurrency}; nothing counted: an operator must settle it by "
                            + "hand",
                        charge.AmountRefunded,
                        charge.Currency,
                        charge.Id,
                        e.Id,
                        payment.Id,
                        payment.Currency
                    );
                    break;
                }
                // A refund reported before the completion settles the payment first, with the charge's intent.
                book.Capture(payment, charge.PaymentIntentId, ReportedAt(e));
                // Stripe's event times are whole seconds: one made in the second a failure was recorded is taken as
                // made before it, so it errs low.
                await book.RecordReportedRefundTotalAsync(
                    payment,
                    charge.AmountRefunded,
                    ReportedAt(e),
                    cancellationToken
                );
                break;
            case ("charge.dispute.funds_withdrawn", Dispute dispute):
                await RecordChargebackAsync(e, payment, dispute, cancellationToken);
                break;
            case ("charge.dispute.funds_reinstated", Dispute dispute):
                await RecordReinstatementAsync(e, payment, dispute, cancellationToken);
                break;
        }
    }

    // Stripe's event times are whole seconds (UTC).
    private static DateTimeOffset ReportedAt(Event e) => new(DateTime.SpecifyKind(e.Created, DateTimeKind.Utc));

    /// <summary>
    /// A chargeback: the disputed money left our balance, so it counts as refunded, and one that takes all that was
    /// left is a full refund (PaymentRefunded takes back what the payment bought; nothing is left to refund).
    /// </summary>
    private async Task RecordChargebackAsync(
        Event e,
        Payment payment,
        Dispute dispute,
        CancellationToken cancellationToken
    )
    {
        if (!string.Equals(dispute.Currency, payment.Currency, StringComparison.OrdinalIgnoreCase))
        {
            // Not comparable with what was paid: counting it could take back too much or too little.
            logger.LogWarning(
                "Stripe took {Amount} {Currency} for dispute {DisputeId} (event {EventId}) of payment {PaymentId}, "
                    + "paid in {PaymentCurrency}; nothing counted: an operator must settle it by hand",
                dispute.Amount,
                dispute.Currency,
                dispute.Id,
                e.Id,
                payment.Id,
                payment.Currency
            );
            return;
        }
        // A chargeback reported before the completion settles the payment first, as a refund does.
        book.Capture(payment, dispute.PaymentIntentId, ReportedAt(e));
        if (!await book.RecordChargebackAsync(payment, dispute.Id, dispute.Amount, cancellationToken))
            return;
        logger.LogWarning(
            "Stripe took {Amount} {Currency} of payment {PaymentId} back for dispute {DisputeId} ({Reason}); "
                + "{Refunded} of {Total} now count as refunded",
            dispute.Amount,
            payment.Currency,
            payment.Id,
            dispute.Id,
            dispute.Reason,
            payment.RefundedCents,
            payment.AmountCents
        );
        // A subscription's first payment disputed ends it now, as a disputed renewal does, whether renewed since or
        // not (a refund of it after a renewal is a goodwill gesture that leaves it be; a chargeback is not).
        if (
            payment.Purpose == PaymentPurposes.Subscription
            && payment.ProviderSubscriptionId is { } subscriptionId
            && await subscriptions.EndDisputedAsync(subscriptionId, cancellationToken) is { } userId
        )
            logger.LogWarning(
                "Dispute {DisputeId} of the first payment of subscription {SubscriptionId}: user {UserId}'s "
                    + "subscription ended now, at Stripe too",
                dispute.Id,
                subscriptionId,
                userId
            );
    }

    /// <summary>
    /// Money of a dispute came back. A lost dispute returns only what was refunded before it (the withdrawal took
    /// the whole charge; counted, it was capped at the rest), so nothing is owed. Anything else (won) leaves the
    /// payment counted as refunded and its take-backs done, which cannot be undone here: an operator must.
    /// </summary>
    private async Task RecordReinstatementAsync(
        Event e,
        Payment payment,
        Dispute dispute,
        CancellationToken cancellationToken
    )
    {
        if (!await book.RecordChargebackReinstatedAsync(payment, dispute.Id, cancellationToken))
        {
            logger.LogInformation(
                "Stripe returned money of dispute {DisputeId} (event {EventId}) of payment {PaymentId}, whose "
                    + "withdrawal counted nothing here or was returned already; nothing to do",
                dispute.Id,
                e.Id,
                payment.Id
            );
            return;
        }
        if (dispute.Status == "lost")
            logger.LogInformation(
                "Stripe returned {Amount} {Currency} of lost dispute {DisputeId} of payment {PaymentId}: what was "
                    + "refunded before it; the payment stays refunded",
                dispute.Amount,
                payment.Currency,
                dispute.Id,
                payment.Id
            );
        else
            logger.LogWarning(
                "Dispute {DisputeId} of payment {PaymentId} ended {Status} and Stripe returned its money; the "
                    + "payment still counts it as refunded and what a full refund took back (credits, rewards, "
                    + "boost days, subscription, ticket) stays taken: an operator must give it back by hand",
                dispute.Id,
                payment.Id,
                dispute.Status
            );
    }

    private static string? CustomerOf(Event e) =>
        e.Data.Object switch
        {
            Session session => session.CustomerId,
            Invoice invoice => invoice.CustomerId,
            _ => null,
        };

    private static string? IntentOf(Event e) =>
        e.Data.Object switch
        {
            Charge charge => charge.PaymentIntentId,
            Dispute dispute => dispute.PaymentIntentId,
            _ => null,
        };

    /// <summary>
    /// A renewal's money taken back. A chargeback (the member disputed paying for it) ends the subscription now, here
    /// and at the provider, as a full refund of its first payment does; a refund (made from the provider's dashboard,
    /// an operator's goodwill) changes nothing here; a dispute's money returned is a warning for an operator (what its
    /// chargeback ended stays ended).
    /// </summary>
    private async Task RenewalTakenBackAsync(Event e, SubscriptionInvoice invoice, CancellationToken cancellationToken)
    {
        if (e.Type == "charge.dispute.funds_reinstated")
        {
            logger.LogWarning(
                "Stripe returned the money of a dispute of renewal invoice {InvoiceId} of subscription "
                    + "{SubscriptionId} (event {EventId}): if its dispute ended the subscription, it stays ended, and "
                    + "an operator must restore it by hand",
                invoice.InvoiceId,
                invoice.SubscriptionId,
                e.Id
            );
            return;
        }
        if (e.Data.Object is not Dispute dispute)
        {
            logger.LogInformation(
                "Stripe event {EventId} refunds renewal invoice {InvoiceId} of subscription {SubscriptionId}; the "
                    + "subscription stays (a refund from the dashboard)",
                e.Id,
                invoice.InvoiceId,
                invoice.SubscriptionId
            );
            return;
        }
        if (await subscriptions.EndDisputedAsync(invoice.SubscriptionId, cancellationToken) is not { } userId)
        {
            logger.LogInformation(
                "Stripe took back renewal invoice {InvoiceId} of subscription {SubscriptionId} for dispute "
                    + "{DisputeId}; it is not a live subscription here, nothing to end",
                invoice.InvoiceId,
                invoice.SubscriptionId,
                dispute.Id
            );
            return;
        }
        logger.LogWarning(
            "Stripe took {Amount} {Currency} of renewal invoice {InvoiceId} back for dispute {DisputeId} ({Reason}): "
                + "user {UserId}'s subscription {SubscriptionId} ended now, at Stripe too",
            dispute.Amount,
            dispute.Currency,
            invoice.InvoiceId,
            dispute.Id,
            dispute.Reason,
            userId,
            invoice.SubscriptionId
        );
    }

    /// <summary>
    /// The subscription invoice <paramref name="intent"/> paid, asked of the provider; null when it paid none, or the
    /// provider refuses to say (the same no when the event comes again). Unanswered: 503, and the event comes again.
    /// </summary>
    private Task<SubscriptionInvoice?> SubscriptionInvoiceAsync(
        Event e,
        string intent,
        CancellationToken cancellationToken
    ) =>
        AskProviderAsync(
            e,
            $"the invoice payments of intent {intent}",
            () => provider.FindSubscriptionInvoiceAsync(intent, cancellationToken),
            "Stripe did not say which invoice the charge paid; deliver the event again."
        );

    private async Task<Payment?> FindAsync(Event e, CancellationToken cancellationToken)
    {
        if (e.PaymentId() is { } paymentId)
            return await book.LockAsync(paymentId, cancellationToken);
        if (e.Data.Object is Invoice invoice)
        {
            // The subscription's metadata (our payment id) is copied onto its invoices' parent.subscription_details.
            var details = invoice.Parent?.SubscriptionDetails;
            if (Guid.TryParse(details?.Metadata?.GetValueOrDefault("payment_id"), out var invoicePaymentId))
                return await book.LockAsync(invoicePaymentId, cancellationToken);
            return details?.SubscriptionId is { } subscriptionId
                ? await book.LockBySubscriptionAsync(subscriptionId, cancellationToken)
                : null;
        }
        if (e.Data.Object is Session { Id: { } sessionId })
            return await book.LockBySessionAsync(sessionId, cancellationToken);
        var intent = e.Data.Object switch
        {
            Charge charge => charge.PaymentIntentId,
            // A dispute's own metadata is empty: the intent it disputes names the payment.
            Dispute dispute => dispute.PaymentIntentId,
            _ => e.ObjectId(),
        };
        return intent is null ? null : await book.LockByIntentAsync(intent, cancellationToken);
    }

    /// <summary>
    /// The intent that paid a subscription's first invoice: from the invoice's payments when the event carries them,
    /// else asked of the provider (payments is includable, and webhook payloads leave it out).
    /// </summary>
    private async Task<string?> FirstInvoiceIntentAsync(Event e, Invoice invoice, CancellationToken cancellationToken)
    {
        if (StripeProvider.DefaultPaymentIntent(invoice.Payments?.Data) is { } carried)
            return carried;
        if (invoice.Id is not { } invoiceId)
            return null;
        // A definite no: the payment keeps no intent (it is refunded from the dashboard).
        return await AskProviderAsync(
            e,
            $"the payments of invoice {invoiceId}",
            () => provider.FindInvoicePaymentIntentAsync(invoiceId, cancellationToken),
            "Stripe did not list the payments of the subscription's first invoice; deliver the event again."
        );
    }

    /// <summary>
    /// Asks the provider while handling a webhook: a refusal is the same no when the event comes again, so it is
    /// logged and answered null; unanswered, nothing is recorded and the 503 makes Stripe deliver the event again.
    /// </summary>
    private async Task<T?> AskProviderAsync<T>(Event e, string what, Func<Task<T?>> ask, string unanswered)
        where T : class
    {
        try
        {
            return await ask();
        }
        catch (HttpRequestException exception) when (exception.IsRefusal())
        {
            logger.LogWarning(exception, "Stripe refused {What} (event {EventId}); taken as none", what, e.Id);
            return null;
        }
        catch (HttpRequestException exception)
        {
            throw new ServiceUnavailableException(unanswered, ProviderRetryAfter, exception);
        }
    }
}
