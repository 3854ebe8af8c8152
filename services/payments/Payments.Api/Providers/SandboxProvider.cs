namespace Community.Payments.Providers;

/// <summary>
/// The offline provider: its checkout page is served by this service (/sandbox/checkout/{id}),
/// and paying there sends this service a webhook signed exactly as Stripe signs them
/// (see <see cref="Sandbox.SandboxApi"/>), so local runs and tests go through the real webhook path.
/// </summary>
public sealed class SandboxProvider(IOptions<PaymentsOptions> options) : IPaymentProvider
{
    public const string ProviderName = "sandbox";
    public string Name => ProviderName;

    public Task<CheckoutSession> CreateCheckoutSessionAsync(
        CheckoutSessionRequest request,
        CancellationToken cancellationToken
    )
    {
        var sessionId = "cs_sandbox_" + request.PaymentId.ToString("N");
        var url = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/sandbox/checkout/{sessionId}";
        return Task.FromResult(new CheckoutSession(sessionId, url, request.ExpiresAt));
    }

    // Open as long as Stripe would keep it.
    public DateTimeOffset FitSessionExpiry(DateTimeOffset wanted, DateTimeOffset now) =>
        StripeProvider.SessionExpiry(wanted, now);

    // The sandbox's page refuses a payment once the session's end has passed and sends its webhook while the buyer
    // waits: a session past its end was never completed unseen.
    public Task<bool> ExpireCheckoutSessionAsync(
        string sessionId,
        Guid paymentId,
        CancellationToken cancellationToken
    ) => Task.FromResult(true);

    public Task<ProviderRefund> RefundAsync(
        Payment payment,
        long amountCents,
        Guid refundId,
        CancellationToken cancellationToken
    ) => Task.FromResult(new ProviderRefund("re_sandbox_" + refundId.ToString("N"), "succeeded"));

    // The sandbox keeps nothing and answers every refund at once, under the same id each time: asking again is finding.
    public Task<ProviderRefund?> FindRefundAsync(Payment payment, Guid refundId, CancellationToken cancellationToken) =>
        Task.FromResult<ProviderRefund?>(null);

    public Task CancelSubscriptionAtPeriodEndAsync(string subscriptionId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task ResumeSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task CancelSubscriptionNowAsync(string subscriptionId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    // The sandbox's checkouts make no customers: there is nothing to delete.
    public Task DeleteCustomerAsync(string customerId, CancellationToken cancellationToken) => Task.CompletedTask;

    // The sandbox bills no invoices (its refunds need no intent): there is nothing to find.
    public Task<string?> FindInvoicePaymentIntentAsync(string invoiceId, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(null);

    public Task<SubscriptionInvoice?> FindSubscriptionInvoiceAsync(
        string paymentIntentId,
        CancellationToken cancellationToken
    ) => Task.FromResult<SubscriptionInvoice?>(null);
}
