using System.Text.Json.Nodes;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Payments.Tests;

/// <summary>
/// Payments on real Kestrel with its own database and vhost, the sandbox provider, a movable
/// clock and test-signed tokens. <see cref="Settings"/> lets a subclass add configuration
/// (e.g. Stripe pointed at a fake Stripe server).
/// </summary>
public class PaymentsFixture : IAsyncLifetime
{
    public IsolatedResources Resources { get; protected set; } = null!;
    public TestClock Clock { get; } = new();
    public TestTokens Tokens { get; }
    public ServiceHost<Program> Host { get; protected set; } = null!;
    public HttpClient Client { get; protected set; } = null!;

    public PaymentsFixture() => Tokens = new TestTokens(Clock);

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(GetType().Name);
        Host = StartPayments(Settings);
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Host.BaseAddress };
        await BusReadyAsync(Host);
    }

    /// <summary>
    /// Waits until the host's receive endpoints are bound (the bus starts in the background): a
    /// message a test publishes before that would reach no queue.
    /// </summary>
    public static Task BusReadyAsync(ServiceHost<Program> host) => Eventually.TrueAsync(
        () => Task.FromResult(host.Services.GetRequiredService<IBusControl>().CheckHealth().Status == BusHealthStatus.Healthy),
        "the payments bus never became ready");

    public ServiceHost<Program> StartPayments(IDictionary<string, string?>? extra = null, string? brokerUri = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:payments-db"] = Resources.DatabaseConnectionString,
            ["ConnectionStrings:rabbitmq"] = brokerUri ?? Resources.BrokerUri,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return new ServiceHost<Program>(settings, services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ISigningKeySource>(Tokens);
        }).Start();
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Tokens.Dispose();
        await Resources.DisposeAsync();
    }

    public (Guid Id, string Token) User(string role = "member")
    {
        var id = Guid.NewGuid();
        return (id, Tokens.Issue(id, role));
    }

    public string TokenFor(Guid userId, string role = "member") => Tokens.Issue(userId, role);

    /// <summary>What the events service would have announced for a held seat, written straight into payments' projection.</summary>
    public async Task<Guid> SeatHeldAsync(Guid userId, long amountCents, string currency = "EUR", Guid? organizerId = null, Guid? eventId = null, TimeSpan? holdFor = null)
    {
        var registrationId = Guid.NewGuid();
        await ExecuteAsync(
            "INSERT INTO sellable_items (reference_id, purpose, user_id, amount_cents, currency, event_id, seller_user_id, expires_at, created_at) " +
            "VALUES (@r, 'event_registration', @u, @a, @c, @e, @s, @x, now())",
            ("r", registrationId), ("u", userId), ("a", amountCents), ("c", currency), ("e", eventId ?? Guid.NewGuid()),
            ("s", organizerId ?? Guid.NewGuid()), ("x", Clock.GetUtcNow() + (holdFor ?? TimeSpan.FromMinutes(15))));
        return registrationId;
    }

    public async Task<JsonNode> CheckoutAsync(string token, string purpose, Guid referenceId, string method = "card")
    {
        var response = await Client.PostJson("/api/v1/payments/checkout", new
        {
            purpose, reference_id = referenceId, payment_method = method,
            success_url = "https://app.example/paid", cancel_url = "https://app.example/cancelled",
        }, token);
        return await response.AssertStatus(200);
    }

    /// <summary>Presses the sandbox's Pay (or Decline) button, as a browser would.</summary>
    public async Task<HttpResponseMessage> PressAsync(JsonNode checkout, bool pay = true)
    {
        var page = new Uri(checkout["checkout_url"]!.GetValue<string>());
        var form = page.AbsolutePath + (pay ? "/pay" : "/decline");
        return await Client.PostAsync(form, new FormUrlEncodedContent([]));
    }

    public Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        Sql.ExecuteAsync(Resources.DatabaseConnectionString, sql, parameters);

    public Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        Sql.ScalarAsync<T>(Resources.DatabaseConnectionString, sql, parameters);

    public Task<long> OutboxCountAsync(string eventType) => Sql.OutboxCountAsync(Resources.DatabaseConnectionString, eventType);

    /// <summary>Outbox rows of <paramref name="eventType"/> about one payment (the class's tests share the database).</summary>
    public Task<long> OutboxCountAsync(string eventType, Guid paymentId) =>
        ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND payload->>'paymentId' = @id",
            ("type", eventType), ("id", paymentId.ToString()));

    /// <summary>The sandbox's checkout page for <paramref name="checkout"/>, as a browser would fetch it.</summary>
    public Task<string> CheckoutPageAsync(JsonNode checkout) =>
        Client.GetStringAsync(new Uri(checkout["checkout_url"]!.GetValue<string>()).AbsolutePath);
}
