using Community.Contracts;

namespace Community.Payments.Tests;

/// <summary>
/// Payments on real Kestrel with its own database and vhost, the sandbox provider, a movable
/// clock and test-signed tokens. <see cref="ServiceFixture{TProgram}.Settings"/> lets a subclass add
/// configuration (e.g. Stripe pointed at a fake Stripe server).
/// </summary>
public class PaymentsFixture() : ServiceFixture<Program>(ResourceNames.Payments)
{
    /// <summary>What the service logs at Warning and above (the hosts' level), for tests that a healthy path warns of
    /// nothing.</summary>
    public LogCapture Logs { get; } = new();

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        Logs.AddTo(services);
    }

    /// <summary>Redirects are not followed: tests assert on the sandbox's 302s.</summary>
    protected override HttpClient NewClient(ServiceHost<Program> host) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };

    /// <summary>
    /// What the events service would have announced for a held seat, written straight into payments' projection.
    /// </summary>
    public async Task<Guid> SeatHeldAsync(
        Guid userId,
        long amountCents,
        string currency = "EUR",
        Guid? organizerId = null,
        Guid? eventId = null,
        TimeSpan? holdFor = null
    )
    {
        var registrationId = Guid.NewGuid();
        await ExecuteAsync(
            "INSERT INTO sellable_items (reference_id, purpose, user_id, amount_cents, currency, event_id, "
                + "seller_user_id, expires_at, created_at) "
                + "VALUES (@r, 'event_registration', @u, @a, @c, @e, @s, @x, now())",
            ("r", registrationId),
            ("u", userId),
            ("a", amountCents),
            ("c", currency),
            ("e", eventId ?? Guid.NewGuid()),
            ("s", organizerId ?? Guid.NewGuid()),
            ("x", Clock.GetUtcNow() + (holdFor ?? TimeSpan.FromMinutes(15)))
        );
        return registrationId;
    }

    public async Task<JsonNode> CheckoutAsync(string token, string purpose, Guid referenceId, string method = "card")
    {
        var response = await StartCheckoutAsync(token, purpose, referenceId, method);
        return await response.AssertStatus(200);
    }

    /// <summary>A checkout asked for, whatever the answer.</summary>
    public Task<HttpResponseMessage> StartCheckoutAsync(
        string token,
        string purpose,
        Guid referenceId,
        string method = "card"
    ) =>
        Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose,
                reference_id = referenceId,
                payment_method = method,
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );

    /// <summary>Presses the sandbox's Pay (or Decline) button, as a browser would.</summary>
    public async Task<HttpResponseMessage> PressAsync(JsonNode checkout, bool pay = true)
    {
        var page = new Uri(checkout["checkout_url"]!.GetValue<string>());
        var form = page.AbsolutePath + (pay ? "/pay" : "/decline");
        return await Client.PostAsync(form, new FormUrlEncodedContent([]));
    }

    /// <summary>
    /// Outbox rows of <paramref name="eventType"/> about one payment (the class's tests share the database).
    /// </summary>
    public Task<long> OutboxCountAsync(string eventType, Guid paymentId) =>
        ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND "
                + "payload->>'paymentId' = @id",
            ("type", eventType),
            ("id", paymentId.ToString())
        );

    /// <summary>The sandbox's checkout page for <paramref name="checkout"/>, as a browser would fetch it.</summary>
    public Task<string> CheckoutPageAsync(JsonNode checkout) =>
        Client.GetStringAsync(new Uri(checkout["checkout_url"]!.GetValue<string>()).AbsolutePath);

    /// <summary>A premium subscription's checkout started for <paramref name="token"/>'s user: its answer.</summary>
    public async Task<JsonNode> SubscriptionCheckoutAsync(string token) =>
        await (await StartSubscriptionCheckoutAsync(token)).AssertStatus(200);

    /// <summary>A premium subscription's checkout asked for, whatever the answer.</summary>
    public Task<HttpResponseMessage> StartSubscriptionCheckoutAsync(string token) =>
        Client.PostJson(
            "/api/v1/subscriptions/checkout",
            new
            {
                tier = "premium",
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );
}
