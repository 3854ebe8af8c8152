using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Community.Payments.Data;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Community.Payments.Providers;

/// <summary>
/// Stripe over its REST API: form-encoded requests, JSON answers, the secret key as bearer token.
/// Every POST carries an Idempotency-Key derived from our own ids, so Stripe creates each thing once
/// however often it is asked, and ServiceDefaults' resilience handler may retry it through transient
/// failures. Anything Stripe refuses or cannot answer surfaces as <see cref="HttpRequestException"/>
/// (callers answer 502 and change nothing).
/// </summary>
public sealed class StripeProvider(HttpClient http, IOptions<PaymentsOptions> options, TimeProvider clock) : IPaymentProvider
{
    public const string ProviderName = "stripe";

    /// <summary>Stripe accepts a checkout session's expires_at from 30 minutes to 24 hours after its creation.</summary>
    public static readonly TimeSpan MinimumSessionLifetime = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MaximumSessionLifetime = TimeSpan.FromHours(24);

    // Room for the request's own travel, so a bound computed here still holds when Stripe checks it.
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    public string Name => ProviderName;

    public async Task<CheckoutSession> CreateCheckoutSessionAsync(CheckoutSessionRequest request, CancellationToken cancellationToken)
    {
        if (request.Mode is not ("payment" or "subscription"))
            throw new ArgumentException($"Checkout mode must be payment or subscription, not '{request.Mode}'.", nameof(request));
        var subscription = request.Mode == "subscription";
        var form = new List<KeyValuePair<string, string>>
        {
            new("mode", request.Mode),
            new("success_url", request.SuccessUrl),
            new("cancel_url", request.CancelUrl),
            new("client_reference_id", request.PaymentId.ToString()),
            new("payment_method_types[0]", request.PaymentMethod),
            new("line_items[0][quantity]", "1"),
            new("line_items[0][price_data][currency]", request.Currency.ToLowerInvariant()),
            new("line_items[0][price_data][unit_amount]", Number(request.AmountCents)),
            new("line_items[0][price_data][product_data][name]", request.Description),
            new("expires_at", Number(SessionExpiry(request.ExpiresAt, clock.GetUtcNow()).ToUnixTimeSeconds())),
        };
        if (request.PaymentMethod == "wechat_pay") form.Add(new("payment_method_options[wechat_pay][client]", "web"));
        if (subscription)
        {
            var days = request.IntervalDays ?? throw new ArgumentException("A subscription checkout needs its billing period.", nameof(request));
            var monthly = days == 30;
            form.Add(new("line_items[0][price_data][recurring][interval]", monthly ? "month" : "day"));
            form.Add(new("line_items[0][price_data][recurring][interval_count]", Number(monthly ? 1 : days)));
        }

        // Our ids ride on the session and on what it creates (the payment intent or the subscription), so every later webhook names the payment.
        var carrier = subscription ? "subscription_data" : "payment_intent_data";
        foreach (var (key, value) in request.Metadata.Where(m => m.Value.Length > 0))
        {
            // Stripe reads an empty metadata value as "unset"; nothing is lost by leaving it out.
            form.Add(new($"metadata[{key}]", value));
            form.Add(new($"{carrier}[metadata][{key}]", value));
        }
        if (!request.Metadata.ContainsKey("payment_id")) form.Add(new($"{carrier}[metadata][payment_id]", request.PaymentId.ToString()));

        using var answer = await PostAsync("v1/checkout/sessions", form, "checkout-" + request.PaymentId, cancellationToken);
        var root = answer.RootElement;
        var id = Text(root, "id");
        var url = Text(root, "url");
        if (id is null || url is null || !root.TryGetProperty("expires_at", out var expires) || !expires.TryGetInt64(out var expiresAt))
            throw new HttpRequestException("Stripe's checkout session lacks id, url or expires_at.");
        return new CheckoutSession(id, url, DateTimeOffset.FromUnixTimeSeconds(expiresAt));
    }

    public async Task<ProviderRefund> RefundAsync(Payment payment, long amountCents, Guid refundId, CancellationToken cancellationToken)
    {
        // A subscription's payment intent comes with its first invoice (invoice.paid); until that arrives there is nothing to refund by.
        if (string.IsNullOrEmpty(payment.PaymentIntentId))
            throw new RefundNotSupportedException(
                $"Payment {payment.Id} has no Stripe payment intent yet (a subscription's comes with its first invoice.paid); try again later or refund it from the Stripe dashboard.");
        using var answer = await PostAsync("v1/refunds",
        [
            new("payment_intent", payment.PaymentIntentId),
            new("amount", Number(amountCents)),
            new("metadata[payment_id]", payment.Id.ToString()),
            new("metadata[refund_id]", refundId.ToString()),
        ], "refund-" + refundId, cancellationToken);
        var id = Text(answer.RootElement, "id") ?? throw new HttpRequestException("Stripe's refund lacks an id.");
        var status = Text(answer.RootElement, "status") ?? "pending";
        // A canceled refund never moves money; pending and requires_action are under way.
        return new ProviderRefund(id, status is "canceled" ? "failed" : status, Text(answer.RootElement, "failure_reason"));
    }

    public async Task CancelSubscriptionAtPeriodEndAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        using var answer = await PostAsync($"v1/subscriptions/{Uri.EscapeDataString(subscriptionId)}",
            [new("cancel_at_period_end", "true")], "cancel-" + subscriptionId, cancellationToken);
    }

    public async Task CancelSubscriptionNowAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            // DELETE is idempotent by definition at Stripe and takes no Idempotency-Key.
            using var answer = await SendAsync(HttpMethod.Delete, $"v1/subscriptions/{Uri.EscapeDataString(subscriptionId)}", null, null, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Already cancelled and gone: what was asked is done.
        }
    }

    /// <summary>
    /// The expires_at to ask for: what the caller wants, inside Stripe's window. A sooner end (a
    /// 15-minute ticket hold) is pushed out by the minimum lifetime from the wanted end rather than
    /// from now, so a retry minutes later sends identical parameters (Stripe refuses a reused
    /// Idempotency-Key with different ones). The session may therefore outlive the hold by up to
    /// 31 minutes; a payment arriving after the seat was released is refunded automatically
    /// (events answers PurchaseRejected).
    /// </summary>
    public static DateTimeOffset SessionExpiry(DateTimeOffset wanted, DateTimeOffset now)
    {
        var earliest = now + MinimumSessionLifetime + Margin;
        var latest = now + MaximumSessionLifetime - Margin;
        var expires = wanted >= earliest ? wanted : wanted + MinimumSessionLifetime + Margin;
        if (expires < earliest) expires = earliest;
        return expires > latest ? latest : expires;
    }

    private Task<JsonDocument> PostAsync(
        string path, IEnumerable<KeyValuePair<string, string>> form, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, form, idempotencyKey, cancellationToken);

    private async Task<JsonDocument> SendAsync(
        HttpMethod method, string path, IEnumerable<KeyValuePair<string, string>>? form, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var secretKey = options.Value.Stripe.SecretKey;
        if (string.IsNullOrWhiteSpace(secretKey)) throw new InvalidOperationException("Payments:Stripe:SecretKey is not configured.");
        using var request = new HttpRequestMessage(method, path) { Content = form is null ? null : new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutRejectedException or BrokenCircuitException)
        {
            // Unanswered is not refused: the same key on the next attempt finds whatever Stripe did.
            throw new HttpRequestException($"Stripe did not answer {method} /{path} ({exception.Message}).", exception);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var requestId = response.Headers.TryGetValues("Request-Id", out var ids) ? ids.FirstOrDefault() : null;
                var message = (ErrorMessage(body) ?? response.ReasonPhrase ?? "no message").Replace(secretKey, "[secret key]", StringComparison.Ordinal);
                throw new HttpRequestException(
                    $"Stripe refused {method} /{path} with {(int)response.StatusCode}: {message}{(requestId is null ? "" : $" (request {requestId})")}",
                    null, response.StatusCode);
            }
            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException exception)
            {
                throw new HttpRequestException($"Stripe's answer to {method} /{path} is not JSON.", exception);
            }
        }
    }

    private static string? ErrorMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                ? Text(error, "message") ?? Text(error, "type")
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The provider cannot refund this payment by API (nothing was asked of it); a person must, in the provider's dashboard.</summary>
public sealed class RefundNotSupportedException(string message) : InvalidOperationException(message);
