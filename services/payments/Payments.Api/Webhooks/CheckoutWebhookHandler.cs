using System.Text.Json;
using Community.Payments.Checkout;
using Community.Payments.Data;

namespace Community.Payments.Webhooks;

/// <summary>Checkout sessions, payment intents and charges: what moves a one-off payment.</summary>
public sealed class CheckoutWebhookHandler(PaymentBook book, ILogger<CheckoutWebhookHandler> logger) : IWebhookHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
    [
        "checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed",
        "checkout.session.expired", "payment_intent.payment_failed", "charge.refunded", "invoice.paid",
    ];

    public async Task HandleAsync(StripeEvent e, CancellationToken cancellationToken)
    {
        var payment = await FindAsync(e, cancellationToken);
        if (payment is null)
        {
            logger.LogWarning("Stripe event {EventId} ({Type}) names no payment of ours; ignored", e.Id, e.Type);
            return;
        }

        switch (e.Type)
        {
            case "checkout.session.completed":
                if (e.String("subscription") is { } subscription) payment.ProviderSubscriptionId ??= subscription;
                // Delayed methods complete the session unpaid; async_payment_succeeded settles them later.
                if (e.String("payment_status") is "paid" or "no_payment_required") book.Capture(payment, e.String("payment_intent"));
                else if (e.String("payment_intent") is { } intent) payment.PaymentIntentId ??= intent;
                break;
            case "checkout.session.async_payment_succeeded":
                book.Capture(payment, e.String("payment_intent"));
                break;
            case "checkout.session.async_payment_failed":
                book.End(payment, PaymentStatus.Failed, "async_payment_failed");
                break;
            case "checkout.session.expired":
                book.End(payment, PaymentStatus.Expired, "expired");
                break;
            case "payment_intent.payment_failed":
                // One declined attempt: the buyer may pay with another card in the same session, which only expiry ends.
                book.RecordDecline(payment, FailureCode(e) ?? "payment_failed");
                break;
            case "invoice.paid":
                // A subscription checkout is paid by the subscription's first invoice: its payment intent is
                // what a refund of the payment names (and what charge.refunded reports). Renewals are not ours.
                if (e.String("subscription") is { } subscriptionId) payment.ProviderSubscriptionId ??= subscriptionId;
                if (e.String("billing_reason") == "subscription_create" && e.String("payment_intent") is { } invoiceIntent)
                    payment.PaymentIntentId ??= invoiceIntent;
                break;
            case "charge.refunded":
                // A refund reported before the completion settles the payment first, with the charge's intent.
                book.Capture(payment, e.String("payment_intent"));
                if (e.Long("amount_refunded") is { } refunded) await book.RecordReportedRefundTotalAsync(payment, refunded, cancellationToken);
                break;
        }
    }

    private async Task<Payment?> FindAsync(StripeEvent e, CancellationToken cancellationToken)
    {
        if (e.PaymentId is { } paymentId) return await book.LockAsync(paymentId, cancellationToken);
        if (e.Type == "invoice.paid")
        {
            // The subscription's metadata (our payment id) is copied onto its invoices as subscription_details.metadata.
            if (Guid.TryParse(SubscriptionMetadata(e, "payment_id"), out var invoicePaymentId)) return await book.LockAsync(invoicePaymentId, cancellationToken);
            return e.String("subscription") is { } subscriptionId ? await book.LockBySubscriptionAsync(subscriptionId, cancellationToken) : null;
        }
        if (e.Type.StartsWith("checkout.session.", StringComparison.Ordinal) && e.String("id") is { } sessionId)
            return await book.LockBySessionAsync(sessionId, cancellationToken);
        var intent = e.Type == "charge.refunded" ? e.String("payment_intent") : e.String("id");
        return intent is null ? null : await book.LockByIntentAsync(intent, cancellationToken);
    }

    private static string? SubscriptionMetadata(StripeEvent e, string name) =>
        e.Object.TryGetProperty("subscription_details", out var details) && details.ValueKind == JsonValueKind.Object
        && details.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? FailureCode(StripeEvent e) =>
        e.Object.TryGetProperty("last_payment_error", out var error) && error.ValueKind == JsonValueKind.Object
            ? (error.TryGetProperty("decline_code", out var decline) && decline.ValueKind == JsonValueKind.String ? decline.GetString()
                : error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null)
            : null;
}
