using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Stripe;

namespace Community.Payments.Tests;

/// <summary>A signed webhook body and its event id.</summary>
public sealed record WebhookBody(string EventId, byte[] Bytes);

/// <summary>
/// Payments with Stripe as its provider, Stripe being <see cref="FakeStripe"/>; two webhook secrets (a rotation).
/// </summary>
public class StripePaymentsFixture : PaymentsFixture
{
    public const string WebhookSecret = "whsec_test_1";
    public const string RotatedWebhookSecret = "whsec_test_2";

    public FakeStripe Stripe { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>
        {
            ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
            ["Payments:Stripe:ApiBaseUrl"] = Stripe.BaseAddress.ToString(),
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
        long amountCents = 2500,
        string method = "card"
    )
    {
        var (userId, token) = User();
        var sellerId = Guid.NewGuid();
        var registration = await SeatHeldAsync(userId, amountCents, organizerId: sellerId);
        var checkout = await CheckoutAsync(token, "event_registration", registration, method);
        return (
            userId,
            token,
            sellerId,
            Guid.Parse(checkout["payment_id"]!.GetValue<string>()),
            checkout["session_id"]!.GetValue<string>()
        );
    }

    /// <summary>
    /// Stripe's checkout.session.completed for the subscription checkout <paramref name="checkout"/> answered: paid,
    /// without an intent (a subscription's comes with its first invoice.paid), its subscription sub_{payment id}, its
    /// customer <see cref="CustomerOf"/> the payment.
    /// </summary>
    public static WebhookBody SubscriptionCheckoutCompleted(System.Text.Json.Nodes.JsonNode checkout)
    {
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        return Event(
            "checkout.session.completed",
            new
            {
                id = checkout["session_id"]!.GetValue<string>(),
                @object = "checkout.session",
                mode = "subscription",
                status = "complete",
                payment_status = "paid",
                payment_intent = (string?)null,
                subscription = "sub_" + paymentId.ToString("N"),
                customer = CustomerOf(paymentId),
                metadata = new { payment_id = paymentId.ToString() },
            }
        );
    }

    /// <summary>A Stripe event; <paramref name="created"/> (whole seconds, as Stripe's) is now unless given.</summary>
    public static WebhookBody Event(
        string type,
        object dataObject,
        string? eventId = null,
        DateTimeOffset? created = null
    )
    {
        var id = eventId ?? "evt_test_" + Guid.NewGuid().ToString("N");
        return new WebhookBody(
            id,
            JsonSerializer.SerializeToUtf8Bytes(
                new
                {
                    id,
                    @object = "event",
                    type,
                    api_version = StripeConfiguration.ApiVersion,
                    created = (created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
                    livemode = false,
                    data = new { @object = dataObject },
                }
            )
        );
    }

    /// <summary>A checkout.session object as Stripe sends it, naming our payment in its metadata.</summary>
    public static object Session(
        string sessionId,
        Guid paymentId,
        string paymentStatus = "paid",
        string? paymentIntent = "auto"
    ) =>
        new
        {
            id = sessionId,
            @object = "checkout.session",
            mode = "payment",
            status = "complete",
            payment_status = paymentStatus,
            payment_intent = paymentIntent == "auto" ? IntentOf(paymentId) : paymentIntent,
            client_reference_id = paymentId.ToString(),
            metadata = new { payment_id = paymentId.ToString() },
        };

    /// <summary>A charge of the payment, in euros (as the tests' payments are) unless told.</summary>
    public static object Charge(Guid paymentId, long amount, long amountRefunded, string currency = "eur") =>
        new
        {
            id = "ch_" + paymentId.ToString("N"),
            @object = "charge",
            amount,
            amount_refunded = amountRefunded,
            currency,
            refunded = amountRefunded == amount,
            payment_intent = IntentOf(paymentId),
            metadata = new { payment_id = paymentId.ToString() },
        };

    public static string IntentOf(Guid paymentId) => "pi_" + paymentId.ToString("N");

    /// <summary>The customer Stripe made for a subscription checkout of ours.</summary>
    public static string CustomerOf(Guid paymentId) => "cus_" + paymentId.ToString("N");

    public string Sign(WebhookBody body, string secret = WebhookSecret, DateTimeOffset? at = null) =>
        EventUtility.GenerateSignatureHeader(
            Encoding.UTF8.GetString(body.Bytes),
            secret,
            (at ?? Clock.GetUtcNow()).ToUnixTimeSeconds()
        );

    public Task<HttpResponseMessage> DeliverAsync(WebhookBody body, string secret = WebhookSecret) =>
        DeliverAsync(body.Bytes, Sign(body, secret));

    public async Task<HttpResponseMessage> DeliverAsync(byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        if (signature is not null)
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await Client.SendAsync(request);
    }

    /// <summary>
    /// Delivers a correctly signed event and asserts it was accepted; returns whether it was a duplicate.
    /// </summary>
    public async Task<bool> AcceptedAsync(WebhookBody body, string secret = WebhookSecret)
    {
        var receipt = await (await DeliverAsync(body, secret)).AssertStatus(200);
        Assert.True(receipt["received"]!.GetValue<bool>());
        return receipt["duplicate"]!.GetValue<bool>();
    }

    /// <summary>Asks for a refund as <paramref name="token"/>'s holder, with an Idempotency-Key.</summary>
    public async Task<HttpResponseMessage> RefundAsync(
        Guid paymentId,
        string token,
        long? amountCents,
        string idempotencyKey
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/{paymentId}/refunds")
        {
            Content = JsonContent.Create(
                new { amount_cents = amountCents, reason = "goodwill" },
                options: Json.Options
            ),
        };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client.SendAsync(request);
    }

    public Task<string?> StatusOfAsync(Guid paymentId) =>
        ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId));

    public Task<long> WebhookEventsAsync(string eventId) =>
        ScalarAsync<long>("SELECT count(*) FROM webhook_events WHERE id = @id", ("id", eventId));

    public async Task<long[]> RefundDeltasAsync(Guid paymentId) =>
        (
            await ScalarAsync<string>(
                "SELECT string_agg(payload->>'refundedCents', ',' ORDER BY sequence) FROM outbox_messages "
                    + "WHERE type LIKE '%.PaymentRefunded,%' AND payload->>'paymentId' = @id",
                ("id", paymentId.ToString())
            ) ?? ""
        )
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(long.Parse)
            .ToArray();
}
