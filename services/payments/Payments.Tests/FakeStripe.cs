using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.Payments.Tests;

/// <summary>A refund the fake Stripe made, by our API call or in its dashboard (no refund_id then).</summary>
public sealed record StripeRefund(
    string Id,
    string PaymentIntent,
    long Amount,
    string Status,
    IReadOnlyDictionary<string, string> Metadata
)
{
    public string? RefundId => Metadata.GetValueOrDefault("refund_id");
}

/// <summary>What the fake Stripe received: one API call, its headers and form fields (a GET's query).</summary>
public sealed record StripeRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Form
)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? Field(string name) => Form.TryGetValue(name, out var value) ? value : null;

    public string? IdempotencyKey => Header("Idempotency-Key");

    /// <summary>The form as one comparable string (field order aside).</summary>
    public string Canonical =>
        string.Join("&", Form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
}

/// <summary>
/// A stand-in for api.stripe.com on a real loopback port: it checks the secret key, validates the
/// checkout, refund and subscription calls the way Stripe does (expires_at window, lowercase
/// currency, mode-specific fields), replays the first answer for a reused Idempotency-Key, a
/// success or a refusal made after its checks (refusing a key reused with other parameters), for
/// 24 hours of the test's clock as Stripe keeps keys, refuses an update of a cancelled subscription,
/// deletes customers (and their subscriptions) once, lists the payments of the invoices it was told
/// of and the refunds it made (a page at a time, newest first), records every request, and can be
/// told to fail or refuse the next calls to a path, or to lose its answers to them.
/// </summary>
public sealed class FakeStripe : FakeHttpServer<StripeRequest>
{
    public const string SecretKey = "sk_test_x";

    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<
        string,
        (string Request, int Status, string Answer, DateTimeOffset At)
    > _answered = new();
    private readonly List<(string Path, int Status, string Message, bool Remembered)> _failures = [];
    private readonly ConcurrentDictionary<string, bool> _losing = new();
    private readonly List<StripeRefund> _refunds = [];
    private readonly ConcurrentDictionary<string, string> _refundStatuses = new();
    private readonly ConcurrentDictionary<string, bool> _cancelled = new();
    private readonly ConcurrentDictionary<string, bool> _goneCustomers = new();
    private readonly ConcurrentDictionary<string, string> _customerSubscriptions = new();
    private readonly ConcurrentDictionary<string, string> _invoiceIntents = new();
    private readonly ConcurrentDictionary<string, string> _sessionStatuses = new();
    private readonly ConcurrentDictionary<
        string,
        (string Invoice, string Subscription, string Reason, Guid? PaymentId)
    > _billed = new();

    private FakeStripe(TimeProvider clock) => _clock = clock;

    /// <summary>How long Stripe remembers an Idempotency-Key's answer: 24 hours from its first use.</summary>
    public static readonly TimeSpan KeysKeptFor = TimeSpan.FromHours(24);

    public IReadOnlyList<StripeRequest> WithKey(string idempotencyKey) =>
        [.. Received.Where(r => r.IdempotencyKey == idempotencyKey)];

    /// <summary>The refunds made of <paramref name="paymentIntent"/>, oldest first.</summary>
    public IReadOnlyList<StripeRefund> RefundsOf(string paymentIntent)
    {
        lock (_refunds)
            return [.. _refunds.Where(r => r.PaymentIntent == paymentIntent)];
    }

    /// <summary>
    /// <paramref name="count"/> refunds of <paramref name="paymentIntent"/> made in Stripe's dashboard (one cent each,
    /// none of our ids on them).
    /// </summary>
    public void RefundedInDashboard(string paymentIntent, int count)
    {
        for (var i = 0; i < count; i++)
            Made(
                new StripeRefund(
                    "re_dashboard_" + Guid.NewGuid().ToString("N"),
                    paymentIntent,
                    1,
                    "succeeded",
                    new Dictionary<string, string>()
                )
            );
    }

    /// <summary>
    /// Calls to <paramref name="path"/> are handled (what they make is kept under their Idempotency-Key) but their
    /// answers never arrive: the connection is cut, as a timeout or a crash would leave them, until
    /// <see cref="StopLosing"/>.
    /// </summary>
    public void LoseAnswers(string path) => _losing[path] = true;

    public void StopLosing(string path) => _losing.TryRemove(path, out _);

    /// <summary>
    /// Checkout <paramref name="sessionId"/> is unknown to the account our key opens (it was opened with other keys:
    /// test ones before live, another account): Stripe answers 404 resource_missing about it.
    /// </summary>
    public void OpenedWithOtherKeys(string sessionId) => _sessionStatuses.TryRemove(sessionId, out _);

    /// <summary>
    /// The requests to stop <paramref name="subscriptionId"/> at its period end (each under a key of its own).
    /// </summary>
    public IReadOnlyList<StripeRequest> PeriodEndCancellations(string subscriptionId) =>
        [
            .. Received.Where(r =>
                r.IdempotencyKey?.StartsWith($"cancel-{subscriptionId}-", StringComparison.Ordinal) == true
            ),
        ];

    /// <summary>The requests to delete customer <paramref name="customerId"/>, whatever their answer.</summary>
    public IReadOnlyList<StripeRequest> CustomerDeletions(string customerId) =>
        [.. Received.Where(r => r.Method == "DELETE" && r.Path == "/v1/customers/" + customerId)];

    /// <summary>Whether <paramref name="customerId"/> is gone at Stripe (deleted by us or elsewhere).</summary>
    public bool IsGone(string customerId) => _goneCustomers.ContainsKey(customerId);

    public static async Task<FakeStripe> StartAsync(TimeProvider clock)
    {
        var stripe = new FakeStripe(clock);
        await stripe.StartServerAsync();
        return stripe;
    }

    protected override void Map(WebApplication app) => app.Run(AnswerAsync);

    /// <summary>
    /// The next <paramref name="times"/> calls to <paramref name="path"/> fail, before Stripe's idempotency layer (so
    /// nothing is remembered).
    /// </summary>
    public void FailNext(string path, int status, string message = "An unknown error occurred.", int times = 1)
    {
        lock (_failures)
            for (var i = 0; i < times; i++)
                _failures.Add((path, status, message, false));
    }

    /// <summary>The failures still waiting for calls to <paramref name="path"/> are dropped.</summary>
    public void StopFailing(string path)
    {
        lock (_failures)
            _failures.RemoveAll(f => f.Path == path && !f.Remembered);
    }

    /// <summary>
    /// The next call to <paramref name="path"/> is refused once it passed Stripe's checks (a charge charged back, say):
    /// as Stripe does, the refusal is kept under the call's Idempotency-Key and replayed to every retry with that key.
    /// </summary>
    public void RefuseNext(string path, int status, string message)
    {
        lock (_failures)
            _failures.Add((path, status, message, true));
    }

    /// <summary>
    /// Refunds of <paramref name="paymentIntent"/> are answered with <paramref name="status"/> (pending,
    /// requires_action, failed...) instead of succeeded.
    /// </summary>
    public void AnswerRefunds(string paymentIntent, string status) => _refundStatuses[paymentIntent] = status;

    /// <summary>
    /// The buyer paid checkout <paramref name="sessionId"/> at Stripe: it is complete, whatever its webhook does (sent
    /// later, or not yet delivered). Sessions are otherwise open until expired with POST .../expire, as Stripe may
    /// leave one open a while past its expires_at.
    /// </summary>
    public void CompletedAtStripe(string sessionId) => _sessionStatuses[sessionId] = "complete";

    /// <summary>
    /// <paramref name="subscriptionId"/> was cancelled at Stripe by other means (the dashboard, unpaid renewals): an
    /// update of it is refused as Stripe refuses one of a canceled subscription, and a DELETE finds it gone.
    /// </summary>
    public void CancelledElsewhere(string subscriptionId) => _cancelled[subscriptionId] = true;

    /// <summary>
    /// <paramref name="customerId"/> was deleted at Stripe by other means (the dashboard): a DELETE of it is answered
    /// 404 resource_missing.
    /// </summary>
    public void CustomerGoneElsewhere(string customerId) => _goneCustomers[customerId] = true;

    /// <summary>
    /// <paramref name="subscriptionId"/> is <paramref name="customerId"/>'s: deleting the customer cancels it, as
    /// Stripe does (a DELETE of it then finds it gone).
    /// </summary>
    public void Subscribes(string customerId, string subscriptionId) =>
        _customerSubscriptions[subscriptionId] = customerId;

    /// <summary>
    /// GET /v1/invoice_payments?invoice=<paramref name="invoiceId"/> lists <paramref name="paymentIntentId"/> as the
    /// invoice's default payment, paid.
    /// </summary>
    public void PaysInvoice(string invoiceId, string paymentIntentId) => _invoiceIntents[invoiceId] = paymentIntentId;

    /// <summary>
    /// <paramref name="paymentIntentId"/> paid <paramref name="invoiceId"/> of <paramref name="subscriptionId"/>,
    /// billed for <paramref name="billingReason"/>: GET /v1/invoice_payments?payment[payment_intent]= lists it (with
    /// the invoice expanded when asked).
    /// </summary>
    public void BillsInvoice(
        string paymentIntentId,
        string invoiceId,
        string subscriptionId,
        string billingReason,
        Guid? paymentId = null
    )
    {
        _billed[paymentIntentId] = (invoiceId, subscriptionId, billingReason, paymentId);
        _invoiceIntents[invoiceId] = paymentIntentId;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync(context.RequestAborted) : null;
        var received = new StripeRequest(
            request.Method,
            request.Path.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            form?.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal)
                ?? request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal)
        );
        Record(received);

        var (status, answer) = Answer(received);
        if (_losing.ContainsKey(received.Path))
        {
            context.Abort();
            return;
        }
        context.Response.StatusCode = status;
        context.Response.Headers["Request-Id"] = "req_" + Guid.NewGuid().ToString("N")[..14];
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    private (int Status, string Answer) Answer(StripeRequest request)
    {
        if (request.Header("Authorization") != "Bearer " + SecretKey)
            return Error(401, "invalid_request_error", "Invalid API Key provided: sk_****");
        lock (_failures)
        {
            var failure = _failures.FindIndex(f => f.Path == request.Path && !f.Remembered);
            if (failure >= 0)
            {
                var (_, status, message, _) = _failures[failure];
                _failures.RemoveAt(failure);
                return Error(status, status >= 500 ? "api_error" : "invalid_request_error", message);
            }
        }
        if (request.Method == "DELETE" && request.Path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal))
            return CancelNow(request);
        if (request.Method == "DELETE" && request.Path.StartsWith(CustomersPath, StringComparison.Ordinal))
            return DeleteCustomer(request);
        if (request.Method == "GET" && request.Path == "/v1/invoice_payments")
            return InvoicePayments(request);
        if (request.Method == "GET" && request.Path == "/v1/refunds")
            return Refunds(request);
        if (request.Method == "GET" && request.Path.StartsWith(SessionsPath, StringComparison.Ordinal))
            return SessionNamed(request.Path[SessionsPath.Length..]);
        if (request.Method != "POST")
            return Error(404, "invalid_request_error", "Unrecognized request URL.");

        var key = request.IdempotencyKey;
        var fingerprint = request.Path + "?" + request.Canonical;
        var now = _clock.GetUtcNow();
        // Stripe forgets a key a day after its first use: the same request then makes a new object.
        if (key is not null && _answered.TryGetValue(key, out var forgotten) && now - forgotten.At >= KeysKeptFor)
            _answered.TryRemove(KeyValuePair.Create(key, forgotten));
        if (key is not null && _answered.TryGetValue(key, out var earlier))
            return earlier.Request == fingerprint
                ? (earlier.Status, earlier.Answer)
                : Error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with."
                );

        var refusal = Refusal(request.Path);
        var (code, answer) =
            refusal
            ?? request.Path switch
            {
                "/v1/checkout/sessions" => CheckoutSession(request),
                var path when path.StartsWith(SessionsPath, StringComparison.Ordinal) && path.EndsWith("/expire") =>
                    ExpireSession(path[SessionsPath.Length..^"/expire".Length]),
                "/v1/refunds" => Refund(request),
                var path when path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal) => Subscription(request),
                _ => Error(404, "invalid_request_error", "Unrecognized request URL."),
            };
        if (key is not null && (code == 200 || refusal is not null))
            _answered.TryAdd(key, (fingerprint, code, answer, now));
        return (code, answer);
    }

    private (int, string)? Refusal(string path)
    {
        lock (_failures)
        {
            var refusal = _failures.FindIndex(f => f.Path == path && f.Remembered);
            if (refusal < 0)
                return null;
            var (_, status, message, _) = _failures[refusal];
            _failures.RemoveAt(refusal);
            return Error(status, "invalid_request_error", message);
        }
    }

    private (int, string) CheckoutSession(StripeRequest r)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var mode = r.Field("mode");
        if (mode is not ("payment" or "subscription"))
            return Invalid("mode", "Invalid mode.");
        foreach (var required in new[] { "success_url", "cancel_url", "line_items[0][price_data][product_data][name]" })
            if (string.IsNullOrEmpty(r.Field(required)))
                return Invalid(required, $"Missing required param: {required}.");
        if (r.Field("line_items[0][quantity]") != "1")
            return Invalid("line_items[0][quantity]", "Invalid quantity.");
        if (
            r.Field("line_items[0][price_data][currency]") is not { Length: 3 } currency
            || currency != currency.ToLowerInvariant()
        )
            return Invalid("line_items[0][price_data][currency]", "Invalid currency.");
        if (
            !long.TryParse(
                r.Field("line_items[0][price_data][unit_amount]"),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var amount
            )
            || amount < 1
        )
            return Invalid("line_items[0][price_data][unit_amount]", "Invalid integer.");
        var method = r.Field("allowed_payment_method_types[0]");
        if (method is not ("card" or "alipay" or "wechat_pay"))
            return Invalid("allowed_payment_method_types[0]", "Invalid payment method type.");
        if (method == "wechat_pay" && r.Field("payment_method_options[wechat_pay][client]") != "web")
            return Invalid(
                "payment_method_options[wechat_pay][client]",
                "payment_method_options[wechat_pay][client] is required for wechat_pay."
            );
        if (
            !long.TryParse(r.Field("expires_at"), NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt)
            || expiresAt < now + 30 * 60
            || expiresAt > now + 24 * 3600
        )
            return Invalid(
                "expires_at",
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation."
            );
        var recurring = r.Form.Keys.Any(k =>
            k.StartsWith("line_items[0][price_data][recurring]", StringComparison.Ordinal)
        );
        if (
            mode == "payment"
            && (recurring || r.Form.Keys.Any(k => k.StartsWith("subscription_data", StringComparison.Ordinal)))
        )
            return Invalid("mode", "You must use subscription mode for recurring prices and subscription_data.");
        if (
            mode == "subscription"
            && (!recurring || r.Form.Keys.Any(k => k.StartsWith("payment_intent_data", StringComparison.Ordinal)))
        )
            return Invalid("mode", "Subscription mode needs a recurring price and accepts no payment_intent_data.");

        var id = "cs_test_" + Guid.NewGuid().ToString("N");
        _sessionStatuses[id] = "open";
        return (
            200,
            JsonSerializer.Serialize(
                new
                {
                    id,
                    @object = "checkout.session",
                    mode,
                    status = "open",
                    payment_status = "unpaid",
                    url = "https://checkout.stripe.test/c/pay/" + id,
                    expires_at = expiresAt,
                    amount_total = amount,
                    currency,
                    client_reference_id = r.Field("client_reference_id"),
                    metadata = Metadata(r, "metadata"),
                }
            )
        );
    }

    private const string SessionsPath = "/v1/checkout/sessions/";

    /// <summary>GET /v1/checkout/sessions/{id}: the session with its status (open, complete or expired).</summary>
    private (int, string) SessionNamed(string id) =>
        _sessionStatuses.TryGetValue(id, out var status)
            ? (
                200,
                JsonSerializer.Serialize(
                    new
                    {
                        id,
                        @object = "checkout.session",
                        status,
                    }
                )
            )
            : Error(404, "invalid_request_error", $"No such checkout.session: '{id}'", "session", "resource_missing");

    /// <summary>POST /v1/checkout/sessions/{id}/expire: an open session expires; any other is refused.</summary>
    private (int, string) ExpireSession(string id)
    {
        if (!_sessionStatuses.TryGetValue(id, out var status))
            return Error(
                404,
                "invalid_request_error",
                $"No such checkout.session: '{id}'",
                "session",
                "resource_missing"
            );
        if (status != "open" || !_sessionStatuses.TryUpdate(id, "expired", "open"))
            return Error(
                400,
                "invalid_request_error",
                "Only Checkout Sessions with a status in [\"open\"] can be expired."
            );
        return SessionNamed(id);
    }

    private (int, string) Refund(StripeRequest r)
    {
        if (string.IsNullOrEmpty(r.Field("payment_intent")))
            return Invalid("payment_intent", "One of charge or payment_intent is required.");
        if (
            !long.TryParse(r.Field("amount"), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || amount < 1
        )
            return Invalid("amount", "Invalid integer.");
        var status = _refundStatuses.GetValueOrDefault(r.Field("payment_intent")!, "succeeded");
        var refund = new StripeRefund(
            "re_test_" + Guid.NewGuid().ToString("N"),
            r.Field("payment_intent")!,
            amount,
            status,
            Metadata(r, "metadata")
        );
        Made(refund);
        return (200, JsonSerializer.Serialize(RefundObject(refund)));
    }

    private void Made(StripeRefund refund)
    {
        lock (_refunds)
            _refunds.Add(refund);
    }

    private static object RefundObject(StripeRefund refund) =>
        new
        {
            id = refund.Id,
            @object = "refund",
            amount = refund.Amount,
            payment_intent = refund.PaymentIntent,
            status = refund.Status,
            failure_reason = refund.Status == "failed" ? "expired_or_canceled_card" : null,
            metadata = refund.Metadata,
        };

    /// <summary>
    /// GET /v1/refunds: the refunds of a payment intent (or all), newest first, <c>limit</c> (10 unless told, at most
    /// 100) at a time after <c>starting_after</c>. A list object.
    /// </summary>
    private (int, string) Refunds(StripeRequest r)
    {
        var limit = 10;
        if (
            r.Field("limit") is { } asked
            && (
                !int.TryParse(asked, NumberStyles.None, CultureInfo.InvariantCulture, out limit)
                || limit is < 1 or > 100
            )
        )
            return Invalid("limit", "This value must be between 1 and 100.");
        List<StripeRefund> refunds;
        lock (_refunds)
            refunds =
            [
                .. _refunds
                    .AsEnumerable()
                    .Reverse()
                    .Where(x => r.Field("payment_intent") is not { } intent || x.PaymentIntent == intent),
            ];
        if (r.Field("starting_after") is { } after)
        {
            var at = refunds.FindIndex(x => x.Id == after);
            if (at < 0)
                return Error(
                    404,
                    "invalid_request_error",
                    $"No such refund: '{after}'",
                    "starting_after",
                    "resource_missing"
                );
            refunds = refunds[(at + 1)..];
        }
        return (
            200,
            JsonSerializer.Serialize(
                new
                {
                    @object = "list",
                    data = refunds.Take(limit).Select(RefundObject),
                    has_more = refunds.Count > limit,
                    url = "/v1/refunds",
                }
            )
        );
    }

    /// <summary>
    /// POST /v1/subscriptions/{id}: an update, which Stripe refuses for a canceled subscription (a 400 with no error
    /// code of its own; only its cancellation_details and metadata may still change, which we never ask).
    /// </summary>
    private (int, string) Subscription(StripeRequest r)
    {
        var id = r.Path["/v1/subscriptions/".Length..];
        if (_cancelled.ContainsKey(id))
            return Error(
                400,
                "invalid_request_error",
                "A canceled subscription can only update its cancellation_details and metadata."
            );
        return r.Field("cancel_at_period_end") is "true" or "false"
            ? (
                200,
                JsonSerializer.Serialize(
                    new
                    {
                        id,
                        @object = "subscription",
                        status = "active",
                        cancel_at_period_end = r.Field("cancel_at_period_end") == "true",
                    }
                )
            )
            : Invalid("cancel_at_period_end", "Invalid boolean.");
    }

    /// <summary>
    /// DELETE /v1/subscriptions/{id}: idempotent by definition, so Stripe wants no Idempotency-Key; the second time it
    /// is already gone.
    /// </summary>
    private (int, string) CancelNow(StripeRequest r)
    {
        if (r.IdempotencyKey is not null)
            return Invalid("idempotency_key", "Idempotency keys are not accepted on DELETE requests.");
        var id = r.Path["/v1/subscriptions/".Length..];
        return _cancelled.TryAdd(id, true)
            ? (
                200,
                JsonSerializer.Serialize(
                    new
                    {
                        id,
                        @object = "subscription",
                        status = "canceled",
                    }
                )
            )
            : Error(404, "invalid_request_error", $"No such subscription: '{id}'");
    }

    private const string CustomersPath = "/v1/customers/";

    /// <summary>
    /// DELETE /v1/customers/{id}: the customer and its subscriptions go, at once; idempotent by definition (no
    /// Idempotency-Key), the second time it is missing. Any customer id exists until deleted.
    /// </summary>
    private (int, string) DeleteCustomer(StripeRequest r)
    {
        if (r.IdempotencyKey is not null)
            return Invalid("idempotency_key", "Idempotency keys are not accepted on DELETE requests.");
        var id = r.Path[CustomersPath.Length..];
        if (!_goneCustomers.TryAdd(id, true))
            return Error(404, "invalid_request_error", $"No such customer: '{id}'", "id", "resource_missing");
        foreach (var subscription in _customerSubscriptions.Where(s => s.Value == id))
            _cancelled.TryAdd(subscription.Key, true);
        return (
            200,
            JsonSerializer.Serialize(
                new
                {
                    id,
                    @object = "customer",
                    deleted = true,
                }
            )
        );
    }

    /// <summary>
    /// GET /v1/invoice_payments: the payments of one invoice, or the one a payment intent made (its invoice expanded
    /// when asked); Stripe lists all invoices' without a filter, our calls always give one. A list object.
    /// </summary>
    private (int, string) InvoicePayments(StripeRequest r)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var data = new List<object>();
        object Paid(object invoice, string intent) =>
            new
            {
                @object = "invoice_payment",
                id = "inpay_" + Guid.NewGuid().ToString("N"),
                invoice,
                is_default = true,
                status = "paid",
                payment = new { type = "payment_intent", payment_intent = intent },
                amount_paid = 999,
                amount_requested = 999,
                currency = "eur",
                created = now,
                livemode = false,
                status_transitions = new { paid_at = now },
            };
        var paidOnly = r.Field("status") is null or "paid";
        if (r.Field("payment[payment_intent]") is { Length: > 0 } paying)
        {
            if (r.Field("payment[type]") != "payment_intent")
                return Invalid("payment[type]", "Missing required param: payment[type].");
            var expanded = r.Form.Any(f =>
                f.Key.StartsWith("expand[", StringComparison.Ordinal) && f.Value == "data.invoice"
            );
            if (paidOnly && _billed.TryGetValue(paying, out var billed))
                data.Add(
                    Paid(
                        expanded
                            ? new
                            {
                                id = billed.Invoice,
                                @object = "invoice",
                                status = "paid",
                                billing_reason = billed.Reason,
                                parent = new
                                {
                                    type = "subscription_details",
                                    subscription_details = new
                                    {
                                        subscription = billed.Subscription,
                                        metadata = billed.PaymentId is { } paymentId
                                            ? new Dictionary<string, string> { ["payment_id"] = paymentId.ToString() }
                                            : [],
                                    },
                                },
                            }
                            : billed.Invoice,
                        paying
                    )
                );
        }
        else if (r.Field("invoice") is not { Length: > 0 } invoice)
            return Invalid("invoice", "Missing required param: invoice.");
        else if (paidOnly && _invoiceIntents.TryGetValue(invoice, out var intent))
            data.Add(Paid(invoice, intent));
        return (
            200,
            JsonSerializer.Serialize(
                new
                {
                    @object = "list",
                    data,
                    has_more = false,
                    url = "/v1/invoice_payments",
                }
            )
        );
    }

    private static Dictionary<string, string> Metadata(StripeRequest r, string prefix) =>
        r
            .Form.Where(f => f.Key.StartsWith(prefix + "[", StringComparison.Ordinal))
            .ToDictionary(f => f.Key[(prefix.Length + 1)..^1], f => f.Value);

    private static (int, string) Invalid(string param, string message) =>
        Error(400, "invalid_request_error", message, param);

    private static (int, string) Error(
        int status,
        string type,
        string message,
        string? param = null,
        string? code = null
    ) =>
        (
            status,
            JsonSerializer.Serialize(
                new
                {
                    error = new
                    {
                        type,
                        code,
                        message,
                        param,
                    },
                }
            )
        );
}
