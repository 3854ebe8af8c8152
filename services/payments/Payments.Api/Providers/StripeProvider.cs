using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Stripe;
using Stripe.Checkout;

namespace Community.Payments.Providers;

/// <summary>
/// Stripe through Stripe.net: every POST carries an Idempotency-Key from our own ids, so the resilience handler may
/// retry it; whatever Stripe refuses or leaves unanswered surfaces as <see cref="HttpRequestException"/>.
/// </summary>
public sealed class StripeProvider(HttpClient http, IOptions<PaymentsOptions> options) : IPaymentProvider
{
    public const string ProviderName = "stripe";

    /// <summary>
    /// Stripe accepts a checkout session's expires_at from 30 minutes to 24 hours after its creation.
    /// </summary>
    public static readonly TimeSpan MinimumSessionLifetime = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MaximumSessionLifetime = TimeSpan.FromHours(24);

    // Room for the request's own travel, so a bound computed here still holds when Stripe checks it.
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    private readonly StripeClient _stripe = new(
        new StripeClientOptions
        {
            ApiKey = string.IsNullOrWhiteSpace(options.Value.Stripe.SecretKey)
                ? throw new InvalidOperationException("Payments:Stripe:SecretKey is not configured.")
                : options.Value.Stripe.SecretKey,
            ApiBase = options.Value.Stripe.ApiBaseUrl.TrimEnd('/'),
            HttpClient = new SystemNetHttpClient(http, maxNetworkRetries: 0),
        }
    );

    public string Name => ProviderName;

    public async Task<CheckoutSession> CreateCheckoutSessionAsync(
        CheckoutSessionRequest request,
        CancellationToken cancellationToken
    )
    {
        if (request.Mode is not ("payment" or "subscription"))
            throw new ArgumentException(
                $"Checkout mode must be payment or subscription, not '{request.Mode}'.",
                nameof(request)
            );
        var subscription = request.Mode == "subscription";
        var price = new SessionLineItemPriceDataOptions
        {
            Currency = request.Currency.ToLowerInvariant(),
            UnitAmount = request.AmountCents,
            ProductData = new SessionLineItemPriceDataProductDataOptions { Name = request.Description },
        };
        if (subscription)
        {
            var days =
                request.IntervalDays
                ?? throw new ArgumentException("A subscription checkout needs its billing period.", nameof(request));
            var monthly = BillingPeriods.IsMonthly(days);
            price.Recurring = new SessionLineItemPriceDataRecurringOptions
            {
                Interval = monthly ? "month" : "day",
                IntervalCount = monthly ? 1 : days,
            };
        }

        // Stripe reads an empty metadata value as "unset"; nothing is lost by leaving it out.
        var metadata = request.Metadata.Where(m => m.Value.Length > 0).ToDictionary(m => m.Key, m => m.Value);
        // Our ids ride on the session and on what it creates (the payment intent or the subscription), so every later
        // webhook names the payment.
        var carried = new Dictionary<string, string>(metadata);
        if (!request.Metadata.ContainsKey("payment_id"))
            carried["payment_id"] = request.PaymentId.ToString();
        var create = new SessionCreateOptions
        {
            Mode = request.Mode,
            SuccessUrl = request.SuccessUrl,
            CancelUrl = request.CancelUrl,
            ClientReferenceId = request.PaymentId.ToString(),
            // API version endive removed payment_method_types; one allowed type offers that method alone.
            AllowedPaymentMethodTypes = [request.PaymentMethod],
            // Charged in the price's currency, whatever the account's dashboard says: Adaptive Pricing would charge the
            // buyer's, and every amount Stripe reports back (refunds, disputes) is checked against ours in ours.
            AdaptivePricing = new SessionAdaptivePricingOptions { Enabled = false },
            LineItems = [new SessionLineItemOptions { Quantity = 1, PriceData = price }],
            ExpiresAt = request.ExpiresAt.UtcDateTime,
            Metadata = metadata.Count > 0 ? metadata : null,
            SubscriptionData = subscription ? new SessionSubscriptionDataOptions { Metadata = carried } : null,
            PaymentIntentData = subscription ? null : new SessionPaymentIntentDataOptions { Metadata = carried },
        };
        if (request.PaymentMethod == "wechat_pay")
            create.PaymentMethodOptions = new SessionPaymentMethodOptionsOptions
            {
                WechatPay = new SessionPaymentMethodOptionsWechatPayOptions { Client = "web" },
            };

        var session = await CallAsync(
            "POST /v1/checkout/sessions",
            () =>
                new SessionService(_stripe).CreateAsync(
                    create,
                    Keyed("checkout-" + request.PaymentId),
                    cancellationToken
                )
        );
        if (session.Id is null || session.Url is null || session.ExpiresAt == default)
            throw new HttpRequestException("Stripe's checkout session lacks id, url or expires_at.");
        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(session.ExpiresAt, DateTimeKind.Utc));
        return new CheckoutSession(session.Id, session.Url, expiresAt);
    }

    public DateTimeOffset FitSessionExpiry(DateTimeOffset wanted, DateTimeOffset now) => SessionExpiry(wanted, now);

    public async Task<bool> ExpireCheckoutSessionAsync(
        string sessionId,
        Guid paymentId,
        CancellationToken cancellationToken
    )
    {
        var sessions = new SessionService(_stripe);
        var what = $"GET /v1/checkout/sessions/{sessionId}";
        Session session;
        try
        {
            // A GET creates nothing: no Idempotency-Key, and the resilience handler may repeat it.
            session = await CallAsync(what, () => sessions.GetAsync(sessionId, cancellationToken: cancellationToken));
        }
        catch (HttpRequestException exception) when (IsMissing(exception))
        {
            // Whether it ended is for the caller to say, by the end it was opened with (CheckoutService).
            throw new UnknownCheckoutSessionException($"Stripe does not know checkout {sessionId}.", exception);
        }
        if (session.Status == "open")
            try
            {
                // Stripe closes a session at its expires_at, give or take: one still open is closed now, so that it
                // cannot be paid beside the next one.
                session = await CallAsync(
                    $"POST /v1/checkout/sessions/{sessionId}/expire",
                    () => sessions.ExpireAsync(sessionId, null, Keyed("expire-" + paymentId), cancellationToken)
                );
            }
            catch (HttpRequestException exception) when (exception.IsRefusal())
            {
                // Only an open session can be expired: this one was completed (or expired) meanwhile.
                session = await CallAsync(
                    what,
                    () => sessions.GetAsync(sessionId, cancellationToken: cancellationToken)
                );
            }
        return session.Status switch
        {
            "expired" => true,
            "complete" => false,
            _ => throw new HttpRequestException(
                $"Stripe's checkout session {sessionId} is '{session.Status}' after it was expired."
            ),
        };
    }

    public async Task<ProviderRefund> RefundAsync(
        Payment payment,
        long amountCents,
        Guid refundId,
        CancellationToken cancellationToken
    )
    {
        // A subscription's payment intent comes with its first invoice (invoice.paid); until that arrives there is
        // nothing to refund by.
        if (string.IsNullOrEmpty(payment.PaymentIntentId))
            throw new RefundNotYetPossibleException(
                $"Payment {payment.Id} has no Stripe payment intent yet (a subscription's comes with its first "
                    + "invoice.paid); try again later or refund it from the Stripe dashboard."
            );
        var create = new RefundCreateOptions
        {
            PaymentIntent = payment.PaymentIntentId,
            Amount = amountCents,
            Metadata = new() { ["payment_id"] = payment.Id.ToString(), ["refund_id"] = refundId.ToString() },
        };
        var refund = await CallAsync(
            "POST /v1/refunds",
            () => new RefundService(_stripe).CreateAsync(create, Keyed("refund-" + refundId), cancellationToken)
        );
        return Answer(refund);
    }

    public async Task<ProviderRefund?> FindRefundAsync(
        Payment payment,
        Guid refundId,
        CancellationToken cancellationToken
    )
    {
        // Without an intent nothing was sent (RefundAsync refuses first), so nothing was made.
        if (string.IsNullOrEmpty(payment.PaymentIntentId))
            return null;
        var options = new RefundListOptions { PaymentIntent = payment.PaymentIntentId, Limit = 100 };
        // A GET creates nothing: no Idempotency-Key, and the resilience handler may repeat it. Every page is read (a
        // payment refunded in many parts, from the dashboard too, lists an older refund of ours past the first).
        var made = await CallAsync<Stripe.Refund?>(
            "GET /v1/refunds",
            async () =>
            {
                var refunds = new RefundService(_stripe).ListAutoPagingAsync(
                    options,
                    cancellationToken: cancellationToken
                );
                await foreach (var refund in refunds)
                    if (Guid.TryParse(refund.Metadata?.GetValueOrDefault("refund_id"), out var id) && id == refundId)
                        return refund;
                return null;
            }
        );
        return made is null ? null : Answer(made);
    }

    /// <summary>A refund as Stripe reports it, reduced to what we record.</summary>
    private static ProviderRefund Answer(Stripe.Refund refund)
    {
        if (refund.Id is null)
            throw new HttpRequestException("Stripe's refund lacks an id.");
        var status = refund.Status ?? "pending";
        // A canceled refund never moves money; pending and requires_action are under way.
        return new ProviderRefund(refund.Id, status is "canceled" ? "failed" : status, refund.FailureReason);
    }

    public async Task CancelSubscriptionAtPeriodEndAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        // One key a request (its retries share it), not one a subscription: Stripe answers a key it saw in the last 24
        // hours with what it answered then, so a cancellation undone from the dashboard and asked again would be
        // "done" without being sent.
        var key = Keyed($"cancel-{subscriptionId}-{Guid.NewGuid():N}");
        try
        {
            await CallAsync(
                $"POST /v1/subscriptions/{subscriptionId}",
                () =>
                    new SubscriptionService(_stripe).UpdateAsync(
                        subscriptionId,
                        new SubscriptionUpdateOptions { CancelAtPeriodEnd = true },
                        key,
                        cancellationToken
                    )
            );
        }
        catch (HttpRequestException exception) when (IsAlreadyCanceled(exception))
        {
            // Stopped already (cancelled now after a refund or a deletion, from the dashboard, or unpaid): it renews
            // no more, which is what was asked.
        }
    }

    public async Task ResumeSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        // One key a request, as a cancellation's: resumed, cancelled and resumed again within Stripe's 24 hours, the
        // second resumption must be sent, not answered with the first one's answer.
        var key = Keyed($"resume-{subscriptionId}-{Guid.NewGuid():N}");
        await CallAsync(
            $"POST /v1/subscriptions/{subscriptionId}",
            () =>
                new SubscriptionService(_stripe).UpdateAsync(
                    subscriptionId,
                    new SubscriptionUpdateOptions { CancelAtPeriodEnd = false },
                    key,
                    cancellationToken
                )
        );
    }

    public async Task CancelSubscriptionNowAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            // DELETE is idempotent by definition at Stripe and takes no Idempotency-Key (Stripe.net adds none).
            await CallAsync(
                $"DELETE /v1/subscriptions/{subscriptionId}",
                () => new SubscriptionService(_stripe).CancelAsync(subscriptionId, cancellationToken: cancellationToken)
            );
        }
        catch (HttpRequestException exception) when (IsAlreadyCanceled(exception))
        {
            // Already cancelled (gone, or kept as canceled): what was asked is done.
        }
    }

    public async Task DeleteCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        try
        {
            // DELETE is idempotent by definition at Stripe and takes no Idempotency-Key (Stripe.net adds none).
            await CallAsync(
                $"DELETE /v1/customers/{customerId}",
                () => new CustomerService(_stripe).DeleteAsync(customerId, cancellationToken: cancellationToken)
            );
        }
        catch (HttpRequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone already (deleted before, from the dashboard or by an earlier attempt): what was asked is done.
        }
    }

    public async Task<string?> FindInvoicePaymentIntentAsync(string invoiceId, CancellationToken cancellationToken)
    {
        // A GET creates nothing: no Idempotency-Key, and the resilience handler may repeat it.
        var payments = await CallAsync(
            "GET /v1/invoice_payments",
            () =>
                new InvoicePaymentService(_stripe).ListAsync(
                    new InvoicePaymentListOptions { Invoice = invoiceId, Status = "paid" },
                    cancellationToken: cancellationToken
                )
        );
        return DefaultPaymentIntent(payments.Data);
    }

    public async Task<SubscriptionInvoice?> FindSubscriptionInvoiceAsync(
        string paymentIntentId,
        CancellationToken cancellationToken
    )
    {
        var options = new InvoicePaymentListOptions
        {
            Payment = new InvoicePaymentPaymentOptions { Type = "payment_intent", PaymentIntent = paymentIntentId },
            Status = "paid",
        };
        options.AddExpand("data.invoice");
        // A GET creates nothing: no Idempotency-Key, and the resilience handler may repeat it.
        var payments = await CallAsync(
            "GET /v1/invoice_payments",
            () => new InvoicePaymentService(_stripe).ListAsync(options, cancellationToken: cancellationToken)
        );
        return payments
            .Data.Select(p => p.Invoice)
            .Where(i => i?.Parent?.SubscriptionDetails?.SubscriptionId is not null)
            .Select(i => new SubscriptionInvoice(
                i.Id,
                i.Parent.SubscriptionDetails.SubscriptionId,
                i.BillingReason,
                Guid.TryParse(i.Parent.SubscriptionDetails.Metadata?.GetValueOrDefault("payment_id"), out var paymentId)
                    ? paymentId
                    : null
            ))
            .FirstOrDefault();
    }

    /// <summary>The intent of an invoice's default payment, else of any of its payments by intent.</summary>
    public static string? DefaultPaymentIntent(IEnumerable<InvoicePayment>? payments) =>
        payments
            ?.Where(p => p.Payment?.PaymentIntentId is not null)
            .OrderByDescending(p => p.IsDefault)
            .Select(p => p.Payment.PaymentIntentId)
            .FirstOrDefault();

    /// <summary>
    /// The expires_at to ask for: what the caller wants, inside Stripe's window as of <paramref name="now"/>. A sooner
    /// end (a 15-minute ticket hold) is pushed out by the minimum lifetime from the wanted end rather than from now.
    /// The session may therefore outlive the hold by up to 31 minutes; a payment arriving after the seat was released
    /// is refunded automatically (events answers PurchaseRejected). Computed once, at a payment's first attempt, and
    /// kept on the payment: a retry after the window moved asks the same (Stripe refuses a reused Idempotency-Key with
    /// other parameters).
    /// </summary>
    public static DateTimeOffset SessionExpiry(DateTimeOffset wanted, DateTimeOffset now)
    {
        var earliest = now + MinimumSessionLifetime + Margin;
        var latest = now + MaximumSessionLifetime - Margin;
        var expires = wanted >= earliest ? wanted : wanted + MinimumSessionLifetime + Margin;
        if (expires < earliest)
            expires = earliest;
        return expires > latest ? latest : expires;
    }

    private static RequestOptions Keyed(string idempotencyKey) => new() { IdempotencyKey = idempotencyKey };

    /// <summary>Stripe's 404 for an object the account does not have (resource_missing).</summary>
    private static bool IsMissing(HttpRequestException exception) =>
        exception.StatusCode == HttpStatusCode.NotFound
        && exception.InnerException is StripeException { StripeError.Code: "resource_missing" };

    /// <summary>
    /// Stripe's answer to an update of a subscription that is cancelled: 404 when it is gone, 400 "A canceled
    /// subscription can only update its cancellation_details and metadata." (no error code of its own) while it is
    /// kept as canceled.
    /// </summary>
    private static bool IsAlreadyCanceled(HttpRequestException exception) =>
        exception.StatusCode == HttpStatusCode.NotFound
        || (
            exception.StatusCode == HttpStatusCode.BadRequest
            && exception.InnerException is StripeException { StripeError.Message: { } message }
            && message.StartsWith("A canceled subscription", StringComparison.OrdinalIgnoreCase)
        );

    /// <summary>
    /// Stripe.net's refusals and the resilience handler's give-ups, as the HttpRequestException callers handle.
    /// </summary>
    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StripeException exception)
        {
            var status = (int)exception.HttpStatusCode >= 400 ? exception.HttpStatusCode : (HttpStatusCode?)null;
            var requestId = exception.StripeResponse?.RequestId;
            var message = (exception.StripeError?.Message ?? exception.StripeError?.Type ?? exception.Message).Replace(
                options.Value.Stripe.SecretKey!,
                "[secret key]",
                StringComparison.Ordinal
            );
            var request = requestId is null ? "" : $" (request {requestId})";
            throw new HttpRequestException(
                status is null
                    ? $"Stripe's answer to {what} is not usable: {message}"
                    : $"Stripe refused {what} with {(int)status}: {message}{request}",
                exception,
                status
            );
        }
        catch (Exception exception) when (exception is TimeoutRejectedException or BrokenCircuitException)
        {
            // Unanswered is not refused: the same key on the next attempt finds whatever Stripe did.
            throw new HttpRequestException($"Stripe did not answer {what} ({exception.Message}).", exception);
        }
    }
}

/// <summary>
/// The provider cannot refund this payment yet: it has not told us what to refund by (a subscription's payment intent
/// comes with its first invoice.paid). Nothing was asked of it; the same refund can be asked again once it has.
/// </summary>
public sealed class RefundNotYetPossibleException(string message) : InvalidOperationException(message);
