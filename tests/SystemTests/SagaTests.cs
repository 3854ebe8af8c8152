extern alias EventsApi;
extern alias GatewayApp;
extern alias PaymentsApi;
using Community.LocalInfrastructure;
using EventsProgram = EventsApi::Program;
using GatewayProgram = GatewayApp::Program;
using PaymentsProgram = PaymentsApi::Program;

namespace Community.SystemTests;

/// <summary>
/// The paid-ticket saga for real: events, payments and the gateway on one private RabbitMQ node
/// (so the test can stop it), each service with its own database, all driven through the gateway.
/// </summary>
public sealed class SagaFixture() : ServiceFixture<PaymentsProgram>(ResourceNames.Payments)
{
    public RabbitMqServer Rabbit { get; private set; } = null!;
    public ServiceHost<EventsProgram> Events { get; private set; } = null!;
    public ServiceHost<GatewayProgram> Gateway { get; private set; } = null!;
    public HttpClient Edge { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(nameof(SagaTests));
        Rabbit = await TestInfrastructure.StartPrivateRabbitMqAsync();
        var broker = await Rabbit.CreateVhostAsync("saga");
        var eventsDatabase = await Resources.AddDatabaseAsync(ResourceNames.Events);
        var gatewayPort = ServiceHost<GatewayProgram>.FreePort();
        var edge = $"http://127.0.0.1:{gatewayPort}";

        Host = StartHost(new Dictionary<string, string?> { ["Payments:PublicBaseUrl"] = edge }, broker);
        Client = Host.NewClient();
        Events = new ServiceHost<EventsProgram>(
            new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{ResourceNames.DatabaseOf(ResourceNames.Events)}"] = eventsDatabase,
                [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = broker,
                ["Events:HoldSweepInterval"] = "00:00:00.200",
                ["Logging:LogLevel:Default"] = "Warning",
            },
            ConfigureServices
        ).Start();
        Gateway = new ServiceHost<GatewayProgram>(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Events}"] = Events.BaseAddress.ToString().TrimEnd('/'),
                [$"Services:{ResourceNames.Payments}"] = Host.BaseAddress.ToString().TrimEnd('/'),
                ["Logging:LogLevel:Default"] = "Warning",
            },
            ConfigureServices
        ).Start(gatewayPort);
        Edge = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(edge) };
        // Payments learns a hold's price only from events' TicketHoldCreated, and events of a payment from payments'
        // PaymentSucceeded: both queues must be bound before the first test publishes either.
        await BusReadyAsync(Host);
        await BusReadyAsync(Events);
    }

    public override async Task DisposeAsync()
    {
        Edge.Dispose();
        await Gateway.DisposeAsync();
        await Events.DisposeAsync();
        await base.DisposeAsync();
        await Rabbit.DisposeAsync();
    }
}

public sealed class SagaTests(SagaFixture fx) : IClassFixture<SagaFixture>
{
    private HttpClient Edge => fx.Edge;

    private async Task<string> PaidEventAsync(int capacity, long priceCents = 2500)
    {
        var (_, organizer) = fx.User("organizer");
        var starts = fx.Clock.GetUtcNow().AddDays(7);
        var created = await (
            await Edge.PostJson(
                "/api/v1/events",
                new
                {
                    title = "Paid workshop " + Guid.NewGuid().ToString("N")[..6],
                    event_type = "workshop",
                    latitude = 48.8566,
                    longitude = 2.3522,
                    starts_at = starts,
                    ends_at = starts.AddHours(2),
                    time_zone = "Europe/Paris",
                    capacity,
                    price_cents = priceCents,
                    currency = "EUR",
                },
                organizer
            )
        ).AssertStatus(201);
        var id = created["id"]!.GetValue<string>();
        await (await Edge.PostJson($"/api/v1/events/{id}/publish", new { }, organizer)).AssertStatus(200);
        return id;
    }

    /// <summary>402, then a checkout as soon as payments has heard of the hold.</summary>
    private async Task<(string RegistrationId, JsonNode Checkout)> HoldAndCheckoutAsync(string eventId, string token)
    {
        var hold = await (await Edge.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token)).AssertProblem(
            402
        );
        var registrationId = hold["registration_id"]!.GetValue<string>();
        JsonNode? checkout = null;
        await Eventually.TrueAsync(
            async () =>
            {
                var response = await Edge.PostJson(
                    "/api/v1/payments/checkout",
                    new
                    {
                        purpose = "event_registration",
                        reference_id = registrationId,
                        payment_method = "card",
                        success_url = "https://app.example/paid",
                        cancel_url = "https://app.example/cancelled",
                    },
                    token
                );
                if (response.StatusCode != HttpStatusCode.OK)
                    return false;
                checkout = await response.Body();
                return true;
            },
            "payments never learned of the seat hold"
        );
        Assert.StartsWith(
            fx.Edge.BaseAddress!.ToString().TrimEnd('/') + "/sandbox/checkout/",
            checkout!["checkout_url"]!.GetValue<string>()
        );
        return (registrationId, checkout!);
    }

    /// <summary>The buyer's browser: open the checkout page through the gateway, press Pay.</summary>
    private async Task PayThroughTheGatewayAsync(JsonNode checkout)
    {
        var page = new Uri(checkout["checkout_url"]!.GetValue<string>()).AbsolutePath;
        var html = await Edge.GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Contains("/pay\"", await html.Content.ReadAsStringAsync());
        var pressed = await Edge.PostAsync(page + "/pay", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Redirect, pressed.StatusCode);
    }

    private async Task<JsonNode> MyRegistrationAsync(string eventId, Guid userId) =>
        await (await Edge.Get($"/api/v1/events/{eventId}/registrations/me", fx.TokenFor(userId))).AssertStatus(200);

    [Fact]
    public async Task A_paid_ticket_is_held_paid_for_in_the_sandbox_and_issued_all_through_the_gateway()
    {
        var eventId = await PaidEventAsync(capacity: 2);
        var (buyerId, buyer) = fx.User();

        var (registrationId, checkout) = await HoldAndCheckoutAsync(eventId, buyer);
        Assert.Equal(2500, checkout["amount_cents"]!.GetValue<long>());
        await PayThroughTheGatewayAsync(checkout);

        await Eventually.TrueAsync(
            async () => (await MyRegistrationAsync(eventId, buyerId))["status"]!.GetValue<string>() == "confirmed",
            "the paid registration was never confirmed"
        );
        var registration = await MyRegistrationAsync(eventId, buyerId);
        Assert.Equal(registrationId, registration["id"]!.GetValue<string>());
        Assert.Matches("^EVT-[A-Z2-7]{10}$", registration["ticket_code"]!.GetValue<string>());
        var payment = await (
            await Edge.Get($"/api/v1/payments/{checkout["payment_id"]}", fx.TokenFor(buyerId))
        ).AssertStatus(200);
        Assert.Equal("succeeded", payment["status"]!.GetValue<string>());
        var ticket = await (
            await Edge.Get($"/api/v1/events/{eventId}/registrations/me/ticket", fx.TokenFor(buyerId))
        ).AssertStatus(200);
        Assert.StartsWith("CT1.", ticket["qr_payload"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_payment_after_the_hold_expired_and_the_seat_was_taken_is_refunded_and_nothing_is_oversold()
    {
        var eventId = await PaidEventAsync(capacity: 1);
        var (lateId, late) = fx.User();
        var (_, checkout) = await HoldAndCheckoutAsync(eventId, late);

        // the hold ends; the checkout (30 min, like Stripe's minimum) is still open
        fx.Clock.Advance(TimeSpan.FromMinutes(16));
        var (quickId, quick) = fx.User();
        var (_, quickCheckout) = await HoldAndCheckoutAsync(eventId, quick);
        await PayThroughTheGatewayAsync(quickCheckout);
        await PayThroughTheGatewayAsync(checkout);

        await Eventually.TrueAsync(
            async () => (await MyRegistrationAsync(eventId, quickId))["status"]!.GetValue<string>() == "confirmed",
            "the second buyer never got the seat"
        );
        await Eventually.TrueAsync(
            async () =>
                (await (await Edge.Get($"/api/v1/payments/{checkout["payment_id"]}", fx.TokenFor(lateId))).Body())[
                    "status"
                ]!.GetValue<string>() == "refunded",
            "the late payment was never refunded"
        );
        await Eventually.TrueAsync(
            async () => (await MyRegistrationAsync(eventId, lateId))["status"]!.GetValue<string>() == "refunded",
            "the late registration never ended as refunded"
        );
        var details = await (await Edge.Get($"/api/v1/events/{eventId}")).AssertStatus(200);
        Assert.Equal(0, details["spots_remaining"]!.GetValue<int>());
        Assert.Equal(1, details["registration_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task With_the_broker_down_while_the_webhook_is_processed_the_ticket_is_still_issued_once_it_is_back()
    {
        var eventId = await PaidEventAsync(capacity: 3);
        var (buyerId, buyer) = fx.User();
        var (_, checkout) = await HoldAndCheckoutAsync(eventId, buyer);

        await fx.Rabbit.StopAsync();
        try
        {
            // The webhook is accepted and recorded with PaymentSucceeded in payments' outbox; nothing can be published
            // yet.
            await PayThroughTheGatewayAsync(checkout);
            var payment = await (
                await Edge.Get($"/api/v1/payments/{checkout["payment_id"]}", fx.TokenFor(buyerId))
            ).AssertStatus(200);
            Assert.Equal("succeeded", payment["status"]!.GetValue<string>());
            Assert.Equal("held", (await MyRegistrationAsync(eventId, buyerId))["status"]!.GetValue<string>());
        }
        finally
        {
            await fx.Rabbit.StartAsync();
        }

        await Eventually.TrueAsync(
            async () => (await MyRegistrationAsync(eventId, buyerId))["status"]!.GetValue<string>() == "confirmed",
            "the ticket was never issued after the broker came back",
            TimeSpan.FromSeconds(120)
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.PaymentSucceeded,%' "
                    + "AND payload->>'paymentId' = @id",
                ("id", checkout["payment_id"]!.GetValue<string>())
            )
        );
    }
}
