namespace Community.Payments.Providers;

/// <summary>What to ask the provider for: one line item, our payment id in the metadata.</summary>
/// <param name="Mode">"payment" or "subscription" (then <paramref name="IntervalDays"/> is the billing period).</param>
/// <param name="ExpiresAt">
/// The end to ask for, as is: fitted to the provider's window once (<see cref="IPaymentProvider.FitSessionExpiry"/>)
/// and kept on the payment, so every retry asks the same.
/// </param>
public sealed record CheckoutSessionRequest(
    Guid PaymentId,
    string Mode,
    string Description,
    long AmountCents,
    string Currency,
    string PaymentMethod,
    string SuccessUrl,
    string CancelUrl,
    DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, string> Metadata,
    int? IntervalDays = null
);

public sealed record CheckoutSession(string SessionId, string Url, DateTimeOffset ExpiresAt);

/// <param name="FailureReason">The provider's reason when it failed the refund at once.</param>
public sealed record ProviderRefund(string RefundId, string Status, string? FailureReason = null);

/// <summary>
/// The payment provider seam: Stripe through Stripe.net, or the offline sandbox. Every call that
/// creates something carries an idempotency key derived from our own ids, so a retry never
/// charges or refunds twice.
/// </summary>
public interface IPaymentProvider
{
    string Name { get; }

    Task<CheckoutSession> CreateCheckoutSessionAsync(
        CheckoutSessionRequest request,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// The end to ask a checkout session for, to end at <paramref name="wanted"/>: fitted to the provider's window as
    /// of <paramref name="now"/>, at a payment's first attempt. It is kept on the payment and asked again unchanged by
    /// every retry under its idempotency key (Stripe refuses a key reused with other parameters).
    /// </summary>
    DateTimeOffset FitSessionExpiry(DateTimeOffset wanted, DateTimeOffset now);

    /// <summary>
    /// Ends a checkout session whose end has passed here, before another is opened for the same thing: true when it
    /// ended unpaid (expired at the provider, now or before), false when the buyer completed it in its last moments and
    /// its webhook is still on its way (its payment is being confirmed: a second checkout would charge twice).
    /// <see cref="UnknownCheckoutSessionException"/> when the provider does not know it (opened with other keys).
    /// </summary>
    Task<bool> ExpireCheckoutSessionAsync(string sessionId, Guid paymentId, CancellationToken cancellationToken);

    /// <summary>Refunds part or all of a settled payment; <paramref name="refundId"/> makes it idempotent.</summary>
    Task<ProviderRefund> RefundAsync(
        Payment payment,
        long amountCents,
        Guid refundId,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// The refund the provider made of <paramref name="payment"/> for <paramref name="refundId"/> (ours carry it in
    /// their metadata), null when it made none: asked before a refund is sent again once its idempotency key may have
    /// been forgotten (Stripe keeps one 24 hours), when sending would make a second refund.
    /// </summary>
    Task<ProviderRefund?> FindRefundAsync(Payment payment, Guid refundId, CancellationToken cancellationToken);

    /// <summary>
    /// Stops a subscription renewing; it stays active until the period ends. One already cancelled counts as stopped.
    /// </summary>
    Task CancelSubscriptionAtPeriodEndAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// Undoes a stop at the period end: the subscription renews again. One already ended cannot be resumed (refused).
    /// </summary>
    Task ResumeSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Ends a subscription at once (its payment was refunded); one already gone counts as ended.</summary>
    Task CancelSubscriptionNowAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a customer and what the provider keeps of it (e-mail, name, saved cards), which also cancels its
    /// subscriptions; one already gone counts as deleted.
    /// </summary>
    Task DeleteCustomerAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>
    /// The payment intent that paid <paramref name="invoiceId"/> (its default paid payment); null when none did.
    /// </summary>
    Task<string?> FindInvoicePaymentIntentAsync(string invoiceId, CancellationToken cancellationToken);

    /// <summary>
    /// The subscription invoice <paramref name="paymentIntentId"/> paid (its subscription and why it was billed:
    /// subscription_create for the first, subscription_cycle for a renewal...); null when it paid none.
    /// </summary>
    Task<SubscriptionInvoice?> FindSubscriptionInvoiceAsync(
        string paymentIntentId,
        CancellationToken cancellationToken
    );
}

/// <summary>
/// A subscription's invoice as the provider billed it; PaymentId: our payment its subscription carries in its metadata
/// (the one that started it).
/// </summary>
public sealed record SubscriptionInvoice(
    string InvoiceId,
    string SubscriptionId,
    string? BillingReason,
    Guid? PaymentId = null
);
