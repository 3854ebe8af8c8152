extern alias EventsApi;
extern alias PaymentsApi;
using Community.LocalInfrastructure;
using EventsProgram = EventsApi::Program;
using PaymentsProgram = PaymentsApi::Program;

namespace Community.SystemTests;

/// <summary>Events and payments on one private RabbitMQ node the test can stop, each with its own database.</summary>
public sealed class CheckoutRaceFixture() : ServiceFixture<PaymentsProgram>(ResourceNames.Payments)
{
    public RabbitMqServer Rabbit { get; private set; } = null!;
    public ServiceHost<EventsProgram> Events { get; private set; } = null!;
    public HttpClient EventsClient { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(nameof(CheckoutRaceTests));
        Rabbit = await TestInfrastructure.StartPrivateRabbitMqAsync();
        var broker = await Rabbit.CreateVhostAsync("race");
        Host = StartHost(brokerUri: broker);
        Client = Host.NewClient();
        Events = new ServiceHost<EventsProgram>(
            new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{ResourceNames.DatabaseOf(ResourceNames.Events)}"] =
                    await Resources.AddDatabaseAsync(ResourceNames.Events),
                [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = broker,
                ["Logging:LogLevel:Default"] = "Warning",
            },
            ConfigureServices
        ).Start();
        EventsClient = Events.NewClient();
        await BusReadyAsync(Host);
    }

    public override async Task DisposeAsync()
    {
        EventsClient.Dispose();
        await Events.DisposeAsync();
        await base.DisposeAsync();
        await Rabbit.DisposeAsync();
    }
}

/// <summary>
/// The 402 -> checkout race: a client that asks for the checkout before the hold has reached
/// payments is told 409 with Retry-After (not a 404), and the same request succeeds once it has.
/// </summary>
public sealed class CheckoutRaceTests(CheckoutRaceFixture fx) : IClassFixture<CheckoutRaceFixture>
{
    [Fact]
    public async Task A_checkout_before_the_hold_arrived_is_409_with_retry_after_and_the_retry_succeeds_once_it_has()
    {
        var (_, organizer) = fx.User("organizer");
        var starts = fx.Clock.GetUtcNow().AddDays(7);
        var created = await (
            await fx.EventsClient.PostJson(
                "/api/v1/events",
                new
                {
                    title = "Paid talk " + Guid.NewGuid().ToString("N")[..6],
                    event_type = "workshop",
                    latitude = 48.8566,
                    longitude = 2.3522,
                    starts_at = starts,
                    ends_at = starts.AddHours(2),
                    time_zone = "Europe/Paris",
                    capacity = 5,
                    price_cents = 1800,
                    currency = "EUR",
                },
                organizer
            )
        ).AssertStatus(201);
        var eventId = created["id"]!.GetValue<string>();
        await (await fx.EventsClient.PostJson($"/api/v1/events/{eventId}/publish", new { }, organizer)).AssertStatus(
            200
        );
        var (_, buyer) = fx.User();
        var request = (string registrationId) =>
            fx.Client.PostJson(
                "/api/v1/payments/checkout",
                new
                {
                    purpose = "event_registration",
                    reference_id = registrationId,
                    payment_method = "card",
                    success_url = "https://app.example/paid",
                    cancel_url = "https://app.example/cancelled",
                },
                buyer
            );

        string registrationId;
        await fx.Rabbit.StopAsync();
        try
        {
            // Events answers 402 with the hold in its outbox; TicketHoldCreated cannot reach payments while the broker
            // is down.
            var hold = await (
                await fx.EventsClient.PostJson($"/api/v1/events/{eventId}/registrations", new { }, buyer)
            ).AssertProblem(402);
            registrationId = hold["registration_id"]!.GetValue<string>();

            var early = await request(registrationId);
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), early.Headers.RetryAfter?.Delta);
            var problem = await early.AssertProblem(409);
            Assert.Contains("yet", problem["detail"]!.GetValue<string>());
        }
        finally
        {
            await fx.Rabbit.StartAsync();
        }

        // What a client does with Retry-After: the same request again, until the hold has arrived.
        HttpResponseMessage? answer = null;
        await Eventually.TrueAsync(
            async () =>
            {
                answer = await request(registrationId);
                Assert.True(
                    answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict,
                    $"checkout answered {answer.StatusCode}"
                );
                return answer.StatusCode == HttpStatusCode.OK;
            },
            "payments never learned of the hold after the broker came back",
            TimeSpan.FromSeconds(120)
        );
        var checkout = await answer!.AssertStatus(200);
        Assert.Equal(1800, checkout["amount_cents"]!.GetValue<long>());
        Assert.Equal("pending", checkout["status"]!.GetValue<string>());
    }
}
