using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Community.Payments.Providers;
using Community.Payments.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Community.Payments.Tests;

/// <summary>What the fake Stripe received: one API call, its headers and form fields.</summary>
public sealed record StripeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Form)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    public string? Field(string name) => Form.TryGetValue(name, out var value) ? value : null;
    public string? IdempotencyKey => Header("Idempotency-Key");

    /// <summary>The form as one comparable string (field order aside).</summary>
    public string Canonical => string.Join("&", Form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
}

/// <summary>
/// A stand-in for api.stripe.com on a real loopback port: it checks the secret key, validates the
/// checkout, refund and subscription calls the way Stripe does (expires_at window, lowercase
/// currency, mode-specific fields), replays the first successful answer for a reused
/// Idempotency-Key (refusing one reused with other parameters), records every request, and can be
/// told to fail the next calls to a path.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_x";

    private readonly WebApplication _app;
    private readonly TimeProvider _clock;
    private readonly ConcurrentQueue<StripeRequest> _received = new();
    private readonly ConcurrentDictionary<string, (string Request, string Answer)> _answered = new();
    private readonly List<(string Path, int Status, string Message)> _failures = [];
    private readonly ConcurrentDictionary<string, string> _refundStatuses = new();
    private readonly ConcurrentDictionary<string, bool> _cancelled = new();

    private FakeStripe(WebApplication app, TimeProvider clock) => (_app, _clock) = (app, clock);

    public Uri Address { get; private set; } = null!;
    public IReadOnlyList<StripeRequest> Received => [.. _received];
    public IReadOnlyList<StripeRequest> WithKey(string idempotencyKey) => [.. _received.Where(r => r.IdempotencyKey == idempotencyKey)];

    public static async Task<FakeStripe> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var stripe = new FakeStripe(app, clock);
        app.Run(stripe.AnswerAsync);
        await app.StartAsync();
        stripe.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return stripe;
    }

    /// <summary>The next <paramref name="times"/> calls to <paramref name="path"/> fail, before Stripe's idempotency layer (so nothing is remembered).</summary>
    public void FailNext(string path, int status, string message = "An unknown error occurred.", int times = 1)
    {
        lock (_failures) for (var i = 0; i < times; i++) _failures.Add((path, status, message));
    }

    /// <summary>Refunds of <paramref name="paymentIntent"/> are answered with <paramref name="status"/> (pending, requires_action, failed...) instead of succeeded.</summary>
    public void AnswerRefunds(string paymentIntent, string status) => _refundStatuses[paymentIntent] = status;

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync(context.RequestAborted) : null;
        var received = new StripeRequest(request.Method, request.Path.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            form?.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal) ?? new Dictionary<string, string>());
        _received.Enqueue(received);

        var (status, answer) = Answer(received);
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
            var failure = _failures.FindIndex(f => f.Path == request.Path);
            if (failure >= 0)
            {
                var (_, status, message) = _failures[failure];
                _failures.RemoveAt(failure);
                return Error(status, status >= 500 ? "api_error" : "invalid_request_error", message);
            }
        }
        if (request.Method == "DELETE" && request.Path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal))
            return CancelNow(request);
        if (request.Method != "POST") return Error(404, "invalid_request_error", "Unrecognized request URL.");

        var key = request.IdempotencyKey;
        var fingerprint = request.Path + "?" + request.Canonical;
        if (key is not null && _answered.TryGetValue(key, out var earlier))
            return earlier.Request == fingerprint
                ? (200, earlier.Answer)
                : Error(400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with.");

        var (code, answer) = request.Path switch
        {
            "/v1/checkout/sessions" => CheckoutSession(request),
            "/v1/refunds" => Refund(request),
            var path when path.StartsWith("/v1/subscriptions/", StringComparison.Ordinal) => Subscription(request),
            _ => Error(404, "invalid_request_error", "Unrecognized request URL."),
        };
        if (code == 200 && key is not null) _answered.TryAdd(key, (fingerprint, answer));
        return (code, answer);
    }

    private (int, string) CheckoutSession(StripeRequest r)
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var mode = r.Field("mode");
        if (mode is not ("payment" or "subscription")) return Invalid("mode", "Invalid mode.");
        foreach (var required in new[] { "success_url", "cancel_url", "line_items[0][price_data][product_data][name]" })
            if (string.IsNullOrEmpty(r.Field(required))) return Invalid(required, $"Missing required param: {required}.");
        if (r.Field("line_items[0][quantity]") != "1") return Invalid("line_items[0][quantity]", "Invalid quantity.");
        if (r.Field("line_items[0][price_data][currency]") is not { Length: 3 } currency || currency != currency.ToLowerInvariant())
            return Invalid("line_items[0][price_data][currency]", "Invalid currency.");
        if (!long.TryParse(r.Field("line_items[0][price_data][unit_amount]"), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
            return Invalid("line_items[0][price_data][unit_amount]", "Invalid integer.");
        var method = r.Field("payment_method_types[0]");
        if (method is not ("card" or "alipay" or "wechat_pay")) return Invalid("payment_method_types[0]", "Invalid payment method type.");
        if (method == "wechat_pay" && r.Field("payment_method_options[wechat_pay][client]") != "web")
            return Invalid("payment_method_options[wechat_pay][client]", "payment_method_options[wechat_pay][client] is required for wechat_pay.");
        if (!long.TryParse(r.Field("expires_at"), NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt)
            || expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600)
            return Invalid("expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.");
        var recurring = r.Form.Keys.Any(k => k.StartsWith("line_items[0][price_data][recurring]", StringComparison.Ordinal));
        if (mode == "payment" && (recurring || r.Form.Keys.Any(k => k.StartsWith("subscription_data", StringComparison.Ordinal))))
            return Invalid("mode", "You must use subscription mode for recurring prices and subscription_data.");
        if (mode == "subscription" && (!recurring || r.Form.Keys.Any(k => k.StartsWith("payment_intent_data", StringComparison.Ordinal))))
            return Invalid("mode", "Subscription mode needs a recurring price and accepts no payment_intent_data.");

        var id = "cs_test_" + Guid.NewGuid().ToString("N");
        return (200, JsonSerializer.Serialize(new
        {
            id, @object = "checkout.session", mode, status = "open", payment_status = "unpaid",
            url = "https://checkout.stripe.test/c/pay/" + id, expires_at = expiresAt, amount_total = amount, currency,
            client_reference_id = r.Field("client_reference_id"), metadata = Metadata(r, "metadata"),
        }));
    }

    private (int, string) Refund(StripeRequest r)
    {
        if (string.IsNullOrEmpty(r.Field("payment_intent"))) return Invalid("payment_intent", "One of charge or payment_intent is required.");
        if (!long.TryParse(r.Field("amount"), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount < 1)
            return Invalid("amount", "Invalid integer.");
        var status = _refundStatuses.GetValueOrDefault(r.Field("payment_intent")!, "succeeded");
        return (200, JsonSerializer.Serialize(new
        {
            id = "re_test_" + Guid.NewGuid().ToString("N"), @object = "refund", amount, payment_intent = r.Field("payment_intent"),
            status, failure_reason = status == "failed" ? "expired_or_canceled_card" : null, metadata = Metadata(r, "metadata"),
        }));
    }

    private static (int, string) Subscription(StripeRequest r) =>
        r.Field("cancel_at_period_end") is "true" or "false"
            ? (200, JsonSerializer.Serialize(new
            {
                id = r.Path["/v1/subscriptions/".Length..], @object = "subscription", status = "active",
                cancel_at_period_end = r.Field("cancel_at_period_end") == "true",
            }))
            : Invalid("cancel_at_period_end", "Invalid boolean.");

    /// <summary>DELETE /v1/subscriptions/{id}: idempotent by definition, so Stripe wants no Idempotency-Key; the second time it is already gone.</summary>
    private (int, string) CancelNow(StripeRequest r)
    {
        if (r.IdempotencyKey is not null) return Invalid("idempotency_key", "Idempotency keys are not accepted on DELETE requests.");
        var id = r.Path["/v1/subscriptions/".Length..];
        return _cancelled.TryAdd(id, true)
            ? (200, JsonSerializer.Serialize(new { id, @object = "subscription", status = "canceled" }))
            : Error(404, "invalid_request_error", $"No such subscription: '{id}'");
    }

    private static Dictionary<string, string> Metadata(StripeRequest r, string prefix) =>
        r.Form.Where(f => f.Key.StartsWith(prefix + "[", StringComparison.Ordinal))
            .ToDictionary(f => f.Key[(prefix.Length + 1)..^1], f => f.Value);

    private static (int, string) Invalid(string param, string message) => Error(400, "invalid_request_error", message, param);

    private static (int, string) Error(int status, string type, string message, string? param = null) =>
        (status, JsonSerializer.Serialize(new { error = new { type, message, param } }));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A signed webhook body and its event id.</summary>
public sealed record WebhookBody(string EventId, byte[] Bytes);

/// <summary>Payments with Stripe as its provider, Stripe being <see cref="FakeStripe"/>; two webhook secrets (a rotation).</summary>
public sealed class StripePaymentsFixture : PaymentsFixture
{
    public const string WebhookSecret = "whsec_test_1";
    public const string RotatedWebhookSecret = "whsec_test_2";

    public FakeStripe Stripe { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
        ["Payments:Stripe:ApiBaseUrl"] = Stripe.Address.ToString(),
        ["Payments:Stripe:WebhookSecrets:0"] = WebhookSecret,
        ["Payments:Stripe:WebhookSecrets:1"] = RotatedWebhookSecret,
    };

    public override async Task InitializeAsync()
    {
        Stripe = await FakeStripe.StartAsync(Clock);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }

    /// <summary>A buyer with a held seat sold by <c>SellerId</c>, and the checkout opened for it.</summary>
    public async Task<(Guid UserId, string Token, Guid SellerId, Guid PaymentId, string SessionId)> OpenCheckoutAsync(
        long amountCents = 2500, string method = "card")
    {
        var (userId, token) = User();
        var sellerId = Guid.NewGuid();
        var registration = await SeatHeldAsync(userId, amountCents, organizerId: sellerId);
        var checkout = await CheckoutAsync(token, "event_registration", registration, method);
        return (userId, token, sellerId, Guid.Parse(checkout["payment_id"]!.GetValue<string>()), checkout["session_id"]!.GetValue<string>());
    }

    public static WebhookBody Event(string type, object dataObject, string? eventId = null)
    {
        var id = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        return new WebhookBody(id, JsonSerializer.SerializeToUtf8Bytes(new
        {
            id, @object = "event", type, api_version = "2024-06-20", created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), livemode = false,
            data = new { @object = dataObject },
        }));
    }

    /// <summary>A checkout.session object as Stripe sends it, naming our payment in its metadata.</summary>
    public static object Session(string sessionId, Guid paymentId, string paymentStatus = "paid", string? paymentIntent = "auto") => new
    {
        id = sessionId, @object = "checkout.session", mode = "payment", status = "complete", payment_status = paymentStatus,
        payment_intent = paymentIntent == "auto" ? IntentOf(paymentId) : paymentIntent,
        client_reference_id = paymentId.ToString(), metadata = new { payment_id = paymentId.ToString() },
    };

    public static object Charge(Guid paymentId, long amount, long amountRefunded) => new
    {
        id = "ch_" + paymentId.ToString("N"), @object = "charge", amount, amount_refunded = amountRefunded, refunded = amountRefunded == amount,
        payment_intent = IntentOf(paymentId), metadata = new { payment_id = paymentId.ToString() },
    };

    public static string IntentOf(Guid paymentId) => "pi_" + paymentId.ToString("N");

    public string Sign(WebhookBody body, string secret = WebhookSecret, DateTimeOffset? at = null) =>
        WebhookSignature.Header(secret, at ?? Clock.GetUtcNow(), body.Bytes);

    public Task<HttpResponseMessage> DeliverAsync(WebhookBody body, string secret = WebhookSecret) => DeliverAsync(body.Bytes, Sign(body, secret));

    public async Task<HttpResponseMessage> DeliverAsync(byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        if (signature is not null) request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await Client.SendAsync(request);
    }

    /// <summary>Delivers a correctly signed event and asserts it was accepted; returns whether it was a duplicate.</summary>
    public async Task<bool> AcceptedAsync(WebhookBody body, string secret = WebhookSecret)
    {
        var receipt = await (await DeliverAsync(body, secret)).AssertStatus(200);
        Assert.True(receipt["received"]!.GetValue<bool>());
        return receipt["duplicate"]!.GetValue<bool>();
    }

    /// <summary>Asks for a refund as <paramref name="token"/>'s holder, with an Idempotency-Key.</summary>
    public async Task<HttpResponseMessage> RefundAsync(Guid paymentId, string token, long? amountCents, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/{paymentId}/refunds")
        {
            Content = JsonContent.Create(new { amount_cents = amountCents, reason = "goodwill" }, options: Json.Options),
        };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client.SendAsync(request);
    }

    public Task<string?> StatusOfAsync(Guid paymentId) => ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId));

    public Task<long> WebhookEventsAsync(string eventId) => ScalarAsync<long>("SELECT count(*) FROM webhook_events WHERE id = @id", ("id", eventId));

    public async Task<long[]> RefundDeltasAsync(Guid paymentId) =>
        (await ScalarAsync<string>(
            "SELECT string_agg(payload->>'refundedCents', ',' ORDER BY sequence) FROM outbox_messages " +
            "WHERE type LIKE '%.PaymentRefunded,%' AND payload->>'paymentId' = @id", ("id", paymentId.ToString())) ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
}

public sealed class StripeProviderTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    private static readonly TimeSpan HoldLength = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task Checkout_asks_stripe_for_the_held_seats_price_whatever_the_client_sends()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 2500, holdFor: HoldLength);
        var holdEnds = fx.Clock.GetUtcNow() + HoldLength;

        // Amount, currency and price fields in the body are not part of the contract: they change nothing.
        var response = await fx.Client.PostJson("/api/v1/payments/checkout", new
        {
            purpose = "event_registration", reference_id = registration, payment_method = "card",
            success_url = "https://app.example/paid", cancel_url = "https://app.example/cancelled",
            amount_cents = 1, amount = 1, unit_amount = 1, currency = "USD", price_data = new { unit_amount = 1 },
        }, token);
        var checkout = await response.AssertStatus(200);
        var paymentId = checkout["payment_id"]!.GetValue<string>();
        Assert.Equal(2500, checkout["amount_cents"]!.GetValue<long>());
        Assert.Equal("EUR", checkout["currency"]!.GetValue<string>());

        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("POST", call.Method);
        Assert.Equal("/v1/checkout/sessions", call.Path);
        Assert.Equal("Bearer " + FakeStripe.SecretKey, call.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", call.Header("Content-Type"));
        Assert.Equal("payment", call.Field("mode"));
        Assert.Equal("https://app.example/paid", call.Field("success_url"));
        Assert.Equal("https://app.example/cancelled", call.Field("cancel_url"));
        Assert.Equal(paymentId, call.Field("client_reference_id"));
        Assert.Equal("card", call.Field("payment_method_types[0]"));
        Assert.Null(call.Field("payment_method_types[1]"));
        Assert.Equal("1", call.Field("line_items[0][quantity]"));
        Assert.Equal("eur", call.Field("line_items[0][price_data][currency]"));
        Assert.Equal("2500", call.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal("Event ticket", call.Field("line_items[0][price_data][product_data][name]"));
        Assert.DoesNotContain(call.Form.Keys, k => k.Contains("recurring") || k.StartsWith("subscription_data") || k.StartsWith("payment_method_options"));
        Assert.Equal(paymentId, call.Field("metadata[payment_id]"));
        Assert.Equal("event_registration", call.Field("metadata[purpose]"));
        Assert.Equal(registration.ToString(), call.Field("metadata[reference_id]"));
        Assert.Equal(userId.ToString(), call.Field("metadata[user_id]"));
        Assert.Equal(paymentId, call.Field("payment_intent_data[metadata][payment_id]"));

        // Stripe keeps a session open at least 30 minutes: the 15-minute hold is outlived, never cut short.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(call.Field("expires_at")!, CultureInfo.InvariantCulture));
        Assert.InRange(expiresAt, fx.Clock.GetUtcNow() + StripeProvider.MinimumSessionLifetime, fx.Clock.GetUtcNow() + StripeProvider.MaximumSessionLifetime);
        Assert.True(expiresAt >= holdEnds);

        // Our answer is Stripe's session.
        var sessionId = checkout["session_id"]!.GetValue<string>();
        Assert.StartsWith("cs_test_", sessionId);
        Assert.Equal("https://checkout.stripe.test/c/pay/" + sessionId, checkout["checkout_url"]!.GetValue<string>());
        Assert.Equal(expiresAt, checkout["expires_at"]!.GetValue<DateTimeOffset>());

        // The same thing asked again: the open checkout, no second call to Stripe.
        var again = await fx.CheckoutAsync(token, "event_registration", registration);
        Assert.Equal(sessionId, again["session_id"]!.GetValue<string>());
        Assert.Equal(paymentId, again["payment_id"]!.GetValue<string>());
        Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("pending", await fx.StatusOfAsync(Guid.Parse(paymentId)));
    }

    [Theory]
    [InlineData("alipay")]
    [InlineData("wechat_pay")]
    public async Task Alipay_and_wechat_pay_are_asked_for_as_the_only_method(string method)
    {
        var (_, _, _, paymentId, _) = await fx.OpenCheckoutAsync(1800, method);

        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal(method, call.Field("payment_method_types[0]"));
        Assert.Null(call.Field("payment_method_types[1]"));
        Assert.Equal(method == "wechat_pay" ? "web" : null, call.Field("payment_method_options[wechat_pay][client]"));
        Assert.Equal("1800", call.Field("line_items[0][price_data][unit_amount]"));
    }

    [Fact]
    public async Task A_stripe_500_is_retried_with_the_same_idempotency_key_and_opens_one_session()
    {
        fx.Stripe.FailNext("/v1/checkout/sessions", 500);
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();

        var calls = fx.Stripe.WithKey("checkout-" + paymentId);
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Canonical, calls[1].Canonical);
        Assert.StartsWith("cs_test_", sessionId);
    }

    [Fact]
    public async Task A_stripe_400_is_our_502_with_nothing_opened_or_settled_and_a_later_attempt_reuses_the_payment()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 2500);
        var before = fx.Stripe.Received.Count;
        fx.Stripe.FailNext("/v1/checkout/sessions", 400, "Invalid currency: eur.");

        var refused = await fx.Client.PostJson("/api/v1/payments/checkout", new
        {
            purpose = "event_registration", reference_id = registration, payment_method = "card",
            success_url = "https://app.example/paid", cancel_url = "https://app.example/cancelled",
        }, token);
        var problem = await refused.AssertProblem(502);
        Assert.DoesNotContain(FakeStripe.SecretKey, problem.ToJsonString());

        // A 400 is not transient: asked once, not retried.
        Assert.Equal(before + 1, fx.Stripe.Received.Count);
        var paymentId = await fx.ScalarAsync<Guid>("SELECT id FROM payments WHERE reference_id = @r", ("r", registration));
        Assert.Equal("pending", await fx.StatusOfAsync(paymentId));
        Assert.Null(await fx.ScalarAsync<string>("SELECT session_id FROM payments WHERE id = @id", ("id", paymentId)));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", paymentId));

        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);
        Assert.Equal(paymentId.ToString(), checkout["payment_id"]!.GetValue<string>());
        Assert.Equal(2, fx.Stripe.WithKey("checkout-" + paymentId).Count);
    }

    [Fact]
    public async Task A_checkout_retried_minutes_after_stripe_failed_sends_the_same_parameters_under_the_same_key()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 3100, holdFor: HoldLength);
        fx.Stripe.FailNext("/v1/checkout/sessions", 503, "Service unavailable", times: 4);

        var failed = await fx.Client.PostJson("/api/v1/payments/checkout", new
        {
            purpose = "event_registration", reference_id = registration, payment_method = "card",
            success_url = "https://app.example/paid", cancel_url = "https://app.example/cancelled",
        }, token);
        await failed.AssertProblem(502);

        // Minutes later, still inside the hold: Stripe would refuse the key with changed parameters (an expiry computed from "now").
        fx.Clock.Advance(TimeSpan.FromMinutes(3));
        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);
        var paymentId = checkout["payment_id"]!.GetValue<string>();

        var calls = fx.Stripe.WithKey("checkout-" + paymentId);
        Assert.Equal(5, calls.Count);
        Assert.All(calls, c => Assert.Equal(calls[0].Canonical, c.Canonical));
    }

    [Fact]
    public async Task Refunds_ask_stripe_for_the_intent_and_amount_under_the_refund_key_and_survive_a_500()
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(StripePaymentsFixture.Event("checkout.session.completed", StripePaymentsFixture.Session(sessionId, paymentId)));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));

        fx.Stripe.FailNext("/v1/refunds", 500);
        var refund = await (await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), 1000, "refund-test-1")).AssertStatus(201);
        var refundId = refund["id"]!.GetValue<string>();
        Assert.Equal("succeeded", refund["status"]!.GetValue<string>());

        var calls = fx.Stripe.WithKey("refund-" + refundId);
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Canonical, calls[1].Canonical);
        var call = calls[1];
        Assert.Equal("/v1/refunds", call.Path);
        Assert.Equal("Bearer " + FakeStripe.SecretKey, call.Header("Authorization"));
        Assert.Equal(StripePaymentsFixture.IntentOf(paymentId), call.Field("payment_intent"));
        Assert.Equal("1000", call.Field("amount"));
        Assert.Equal(paymentId.ToString(), call.Field("metadata[payment_id]"));
        Assert.Equal(refundId, call.Field("metadata[refund_id]"));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));

        // The same request again refunds nothing more; Stripe's own charge.refunded for it adds no second PaymentRefunded.
        var again = await (await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), 1000, "refund-test-1")).AssertStatus(201);
        Assert.Equal(refundId, again["id"]!.GetValue<string>());
        await fx.AcceptedAsync(StripePaymentsFixture.Event("charge.refunded", StripePaymentsFixture.Charge(paymentId, 2500, 1000)));
        Assert.Equal(2, fx.Stripe.WithKey("refund-" + refundId).Count);
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));
        Assert.Equal(1000, await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId)));
    }

    [Fact]
    public async Task A_refund_stripe_refuses_is_our_502_and_nothing_is_recorded()
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(StripePaymentsFixture.Event("checkout.session.completed", StripePaymentsFixture.Session(sessionId, paymentId)));
        var before = fx.Stripe.Received.Count;
        fx.Stripe.FailNext("/v1/refunds", 400, "Charge ch_x has been charged back.");

        await (await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), null, "refund-test-2")).AssertProblem(502);

        Assert.Equal(before + 1, fx.Stripe.Received.Count);
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId)));
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId)));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }

    [Fact]
    public async Task A_payment_without_a_payment_intent_cannot_be_refunded_by_api_422()
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(StripePaymentsFixture.Event("checkout.session.completed",
            StripePaymentsFixture.Session(sessionId, paymentId, paymentIntent: null)));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        var before = fx.Stripe.Received.Count;

        var problem = await (await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), 500, "refund-test-3")).AssertProblem(422);

        Assert.Contains("payment intent", problem["detail"]!.GetValue<string>());
        Assert.Equal(before, fx.Stripe.Received.Count);
        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId)));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
    }

    [Theory]
    [InlineData(30, "month", "1")]
    [InlineData(7, "day", "7")]
    public async Task Subscription_checkouts_ask_for_a_recurring_price_and_put_our_ids_on_the_subscription(int days, string interval, string count)
    {
        var paymentId = Guid.NewGuid();
        using var scope = fx.Host.Services.CreateScope();
        var provider = Assert.IsType<StripeProvider>(scope.ServiceProvider.GetRequiredService<IPaymentProvider>());

        var session = await provider.CreateCheckoutSessionAsync(new CheckoutSessionRequest(
            paymentId, "subscription", "Premium membership", 999, "EUR", "card", "https://app.example/ok", "https://app.example/no",
            fx.Clock.GetUtcNow() + TimeSpan.FromHours(2),
            new Dictionary<string, string> { ["payment_id"] = paymentId.ToString(), ["purpose"] = "subscription", ["product"] = "premium" },
            days), CancellationToken.None);

        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("subscription", call.Field("mode"));
        Assert.Equal(interval, call.Field("line_items[0][price_data][recurring][interval]"));
        Assert.Equal(count, call.Field("line_items[0][price_data][recurring][interval_count]"));
        Assert.Equal("999", call.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal(paymentId.ToString(), call.Field("subscription_data[metadata][payment_id]"));
        Assert.Equal("premium", call.Field("subscription_data[metadata][product]"));
        Assert.Equal("premium", call.Field("metadata[product]"));
        Assert.DoesNotContain(call.Form.Keys, k => k.StartsWith("payment_intent_data"));
        // Two hours fits Stripe's window: asked for as it is.
        var wanted = (fx.Clock.GetUtcNow() + TimeSpan.FromHours(2)).ToUnixTimeSeconds();
        Assert.InRange(long.Parse(call.Field("expires_at")!, CultureInfo.InvariantCulture), wanted - 5, wanted);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(long.Parse(call.Field("expires_at")!, CultureInfo.InvariantCulture)), session.ExpiresAt);
    }

    [Fact]
    public async Task Cancelling_a_subscription_sets_cancel_at_period_end_under_the_cancel_key()
    {
        using var scope = fx.Host.Services.CreateScope();
        var provider = scope.ServiceProvider.GetRequiredService<IPaymentProvider>();
        var subscriptionId = "sub_" + Guid.NewGuid().ToString("N");

        await provider.CancelSubscriptionAtPeriodEndAsync(subscriptionId, CancellationToken.None);

        var call = Assert.Single(fx.Stripe.WithKey("cancel-" + subscriptionId));
        Assert.Equal("POST", call.Method);
        Assert.Equal("/v1/subscriptions/" + subscriptionId, call.Path);
        Assert.Equal("true", call.Field("cancel_at_period_end"));
        Assert.Equal("Bearer " + FakeStripe.SecretKey, call.Header("Authorization"));
    }

    [Fact]
    public async Task A_subscription_is_refunded_through_its_first_invoices_intent_and_then_ends_at_stripe_too()
    {
        var (userId, token) = fx.User();
        var checkout = await (await fx.Client.PostJson("/api/v1/subscriptions/checkout", new
        {
            tier = "premium", success_url = "https://app.example/paid", cancel_url = "https://app.example/cancelled",
        }, token)).AssertStatus(200);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var subscriptionId = "sub_" + paymentId.ToString("N");
        await fx.AcceptedAsync(StripePaymentsFixture.Event("checkout.session.completed", new
        {
            id = checkout["session_id"]!.GetValue<string>(), @object = "checkout.session", mode = "subscription", status = "complete",
            payment_status = "paid", payment_intent = (string?)null, subscription = subscriptionId,
            metadata = new { payment_id = paymentId.ToString() },
        }));
        await Eventually.TrueAsync(async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "premium", "never premium");
        var admin = fx.User("admin").Token;

        // Before the first invoice is reported there is no intent to refund by: refused, nothing asked of Stripe.
        await (await fx.RefundAsync(paymentId, admin, null, "sub-refund-early")).AssertProblem(422);
        Assert.DoesNotContain(fx.Stripe.Received, r => r.Path == "/v1/refunds" && r.Field("metadata[payment_id]") == paymentId.ToString());

        // The first invoice names the intent (found by the subscription's metadata); a renewal's intent is not the payment's.
        await fx.AcceptedAsync(StripePaymentsFixture.Event("invoice.paid", Invoice(subscriptionId, "pi_first_" + paymentId.ToString("N"), "subscription_create", paymentId)));
        await fx.AcceptedAsync(StripePaymentsFixture.Event("invoice.paid", Invoice(subscriptionId, "pi_renewal_" + paymentId.ToString("N"), "subscription_cycle", null)));

        var refund = await (await fx.RefundAsync(paymentId, admin, null, "sub-refund")).AssertStatus(201);
        var call = Assert.Single(fx.Stripe.WithKey("refund-" + refund["id"]!.GetValue<string>()));
        Assert.Equal("pi_first_" + paymentId.ToString("N"), call.Field("payment_intent"));
        Assert.Equal("999", call.Field("amount"));

        // Refunded in full: the subscription ends now, and Stripe is told to stop it (DELETE, no key).
        await Eventually.TrueAsync(async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "free", "the refunded subscription kept its tier");
        Assert.Equal("canceled", (await SubscriptionAsync(token))["status"]!.GetValue<string>());
        var cancel = Assert.Single(fx.Stripe.Received, r => r.Method == "DELETE");
        Assert.Equal("/v1/subscriptions/" + subscriptionId, cancel.Path);
        Assert.Null(cancel.IdempotencyKey);
        Assert.Equal(1L, await fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND payload->>'userId' = @u AND payload->>'tier' = 'free'",
            ("u", userId.ToString())));
    }

    private static object Invoice(string subscriptionId, string paymentIntent, string billingReason, Guid? paymentId) => new
    {
        id = "in_" + Guid.NewGuid().ToString("N"), @object = "invoice", status = "paid", billing_reason = billingReason,
        subscription = subscriptionId, payment_intent = paymentIntent, metadata = new { },
        subscription_details = new { metadata = paymentId is null ? new Dictionary<string, string>() : new() { ["payment_id"] = paymentId.Value.ToString() } },
    };

    private async Task<JsonNode> SubscriptionAsync(string token) => await (await fx.Client.Get("/api/v1/subscriptions/me", token)).AssertStatus(200);

    [Fact]
    public void Session_expiry_stays_inside_stripes_window_and_does_not_move_with_the_clock()
    {
        var now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var hold = now + TimeSpan.FromMinutes(15);

        var first = StripeProvider.SessionExpiry(hold, now);
        Assert.InRange(first, now + StripeProvider.MinimumSessionLifetime, now + StripeProvider.MaximumSessionLifetime);
        Assert.Equal(first, StripeProvider.SessionExpiry(hold, now + TimeSpan.FromMinutes(14)));
        Assert.Equal(now + TimeSpan.FromHours(3), StripeProvider.SessionExpiry(now + TimeSpan.FromHours(3), now));
        Assert.InRange(StripeProvider.SessionExpiry(now + TimeSpan.FromDays(3), now), now + TimeSpan.FromHours(23), now + StripeProvider.MaximumSessionLifetime);
        Assert.InRange(StripeProvider.SessionExpiry(now - TimeSpan.FromHours(1), now), now + StripeProvider.MinimumSessionLifetime, now + TimeSpan.FromHours(1));
    }

}
