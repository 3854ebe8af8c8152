extern alias EventsApi;
extern alias PaymentsApi;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Community.Events.Bench;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using Community.TicketDrop.Bench;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using EventsProgram = EventsApi::Program;
using PaymentsProgram = PaymentsApi::Program;

// The paid-ticket saga's end-to-end latency: from the moment payments receives Stripe's signed
// checkout.session.completed webhook to the moment events has confirmed the registration and
// issued its ticket (webhook -> outbox -> RabbitMQ -> events' consumer -> confirmation).
// Both instants come from the services' own rows (webhook_events.received_at and
// registrations.confirmed_at), so polling does not blur the figures.
var sequential = Arg("--sequential", 200);
var burst = Arg("--burst", 50);

// In-process hosting needs each service's content root (where its appsettings.json lives).
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Community.sln")))
    root = root.Parent;
if (root is null)
    throw new InvalidOperationException("Run the benchmark from inside the repository.");
Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_PAYMENTS",
    Path.Combine(root.FullName, "services/payments/Payments.Api")
);
Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_EVENTS",
    Path.Combine(root.FullName, "services/events/Events.Api")
);

var started = Stopwatch.StartNew();
await using var resources = await TestInfrastructure.IsolateAsync("sagabench");
var eventsDatabase = await resources.AddDatabaseAsync("events");
var clock = TimeProvider.System;

// Its users exist as if identity had announced them (writes by unknown users are refused).
using var tokens = new TestTokens(clock)
{
    Issued = new KnownUsersRecorder(() => resources.DatabaseConnectionStrings).Record,
};
void Shared(IServiceCollection services) => services.AddSingleton<ISigningKeySource>(tokens);
var quiet = new Dictionary<string, string?>
{
    ["Logging:LogLevel:Default"] = "Warning",
    ["ConnectionStrings:rabbitmq"] = resources.BrokerUri,
};

await using var payments = new ServiceHost<PaymentsProgram>(
    new Dictionary<string, string?>(quiet) { ["ConnectionStrings:payments-db"] = resources.DatabaseConnectionString },
    Shared
).Start();
await using var events = new ServiceHost<EventsProgram>(
    new Dictionary<string, string?>(quiet) { ["ConnectionStrings:events-db"] = eventsDatabase },
    Shared
).Start();
using var paymentsClient = payments.NewClient();
using var eventsClient = events.NewClient();
Console.WriteLine($"infrastructure and services up in {started.Elapsed.TotalSeconds:0.0} s");

var organizer = tokens.Issue(Guid.NewGuid(), "organizer");
var starts = DateTimeOffset.UtcNow.AddDays(10);
var created = await Json(
    await eventsClient.PostJson(
        "/api/v1/events",
        new
        {
            title = "Benchmark gala",
            event_type = "social",
            latitude = 52.52,
            longitude = 13.40,
            starts_at = starts,
            ends_at = starts.AddHours(3),
            time_zone = "Europe/Berlin",
            capacity = 100_000,
            price_cents = 1500,
            currency = "EUR",
        },
        organizer
    )
);
var eventId = created.GetProperty("id").GetString()!;
(await eventsClient.PostJson($"/api/v1/events/{eventId}/publish", new { }, organizer)).EnsureSuccessStatusCode();
var secret = await SandboxSecretAsync();

// Warm-up: JIT, connection pools, queues.
foreach (var _ in Enumerable.Range(0, 10))
    await OneAsync();

var one = new List<double>();
for (var i = 0; i < sequential; i++)
    one.Add(await OneAsync());

// The burst: every buyer holds a seat and has opened a checkout first; then all the webhooks arrive at once, and one
// watcher (not one poller per buyer, which would load the machine more than the saga does) waits for every ticket.
// Bursts first run unmeasured until the JIT has settled on their paths too (a batch of outbox rows, consumers at work
// side by side), as on services that have been up for a while; at least two, at most 40.
var warmBursts = 0;
long compiledInBurst;
do
{
    var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
    var warm = await Task.WhenAll(Enumerable.Range(0, burst).Select(_ => PrepareAsync()));
    await Task.WhenAll(warm.Select(DeliverAsync));
    await ConfirmationsAsync(warm);
    compiledInBurst = System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore;
    warmBursts++;
} while (warmBursts < 2 || (compiledInBurst > 25 && warmBursts < 40));

var ready = await Task.WhenAll(Enumerable.Range(0, burst).Select(_ => PrepareAsync()));
var cpuBefore = CpuShare.Read();
var burstWatch = Stopwatch.StartNew();
await Task.WhenAll(ready.Select(DeliverAsync));
var many = await ConfirmationsAsync(ready);
burstWatch.Stop();
var burstCpu = CpuShare.Read().Since(cpuBefore);

var oneStats = LatencyStats.From("sequential", one);
var bursted = LatencyStats.From("burst", many);
var report = new StringBuilder();
report.AppendLine(
    $"Paid-ticket saga: webhook received -> ticket confirmed ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, "
        + $"{Environment.ProcessorCount} cores, load average {CpuShare.LoadAverage()})"
);
report.AppendLine(
    $"warm-up: 10 purchases, then {warmBursts} unmeasured bursts (the last JIT-compiled {compiledInBurst} methods)"
);
report.AppendLine(Line("sequential", one));
report.AppendLine(Line($"burst of {burst}", many));
report.AppendLine(
    string.Create(
        CultureInfo.InvariantCulture,
        $"ratios: sequential p95/p50 {oneStats.P95 / oneStats.P50:0.00}; burst p50 / sequential p50 "
            + $"{bursted.P50 / oneStats.P50:0.00}; burst wall (first webhook sent to last ticket seen) "
            + $"{burstWatch.Elapsed.TotalMilliseconds:0} ms"
    )
);
report.AppendLine(await StagesAsync(ready));
report.AppendLine("burst " + burstCpu.PerRequest(burst).Replace("per request", "per purchase"));
Console.Write(report);
var results = Path.Combine(root.FullName, "bench/results");
Directory.CreateDirectory(results);
await File.WriteAllTextAsync(Path.Combine(results, "saga-latest.txt"), report.ToString());
return;

// One purchase on its own: hold, checkout, webhook, ticket.
async Task<double> OneAsync()
{
    var purchase = await PrepareAsync();
    await DeliverAsync(purchase);
    return (await ConfirmationsAsync([purchase]))[0];
}

// A buyer holds a seat (402) and opens the checkout (once payments has heard of the hold).
async Task<Purchase> PrepareAsync()
{
    var buyer = tokens.Issue(Guid.NewGuid());
    var hold = await Json(
        await eventsClient.PostJson($"/api/v1/events/{eventId}/registrations", new { }, buyer),
        HttpStatusCode.PaymentRequired
    );
    var registrationId = hold.GetProperty("registration_id").GetString()!;
    while (true)
    {
        var response = await paymentsClient.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = "event_registration",
                reference_id = registrationId,
                success_url = "https://app.example/ok",
                cancel_url = "https://app.example/no",
            },
            buyer
        );
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var checkout = await Json(response);
            return new Purchase(
                Guid.Parse(registrationId),
                checkout.GetProperty("payment_id").GetString()!,
                checkout.GetProperty("session_id").GetString()!
            );
        }
        await Task.Delay(5);
    }
}

// Stripe's signed checkout.session.completed for the purchase.
async Task DeliverAsync(Purchase purchase)
{
    var body = JsonSerializer.SerializeToUtf8Bytes(
        new
        {
            id = "evt_bench_" + Guid.NewGuid().ToString("N"),
            @object = "event",
            type = "checkout.session.completed",
            api_version = Stripe.StripeConfiguration.ApiVersion,
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            data = new
            {
                @object = new
                {
                    id = purchase.SessionId,
                    @object = "checkout.session",
                    payment_status = "paid",
                    status = "complete",
                    payment_intent = "pi_bench_" + purchase.PaymentId,
                    amount_total = 1500,
                    currency = "eur",
                    metadata = new { payment_id = purchase.PaymentId },
                },
            },
        }
    );
    using var webhook = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
    {
        Content = new ByteArrayContent(body),
    };
    webhook.Content.Headers.ContentType = new("application/json");
    var signature = Stripe.EventUtility.GenerateSignatureHeader(Encoding.UTF8.GetString(body), secret);
    webhook.Headers.Add("Stripe-Signature", signature);
    (await paymentsClient.SendAsync(webhook)).EnsureSuccessStatusCode();
}

// Waits until every purchase's registration is confirmed, then reads each one's two instants from the services' rows:
// webhook_events.received_at (payments) and registrations.confirmed_at (events). Polling does not blur the figures.
async Task<List<double>> ConfirmationsAsync(IReadOnlyList<Purchase> purchases)
{
    var ids = purchases.Select(p => p.RegistrationId).ToArray();
    var deadline = Stopwatch.StartNew();
    Dictionary<Guid, DateTime> confirmed = [];
    while (confirmed.Count < ids.Length)
    {
        if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            throw new TimeoutException($"{ids.Length - confirmed.Count} registrations were not confirmed within 60 s");
        await Task.Delay(purchases.Count == 1 ? 2 : 10);
        confirmed = await PairsAsync<Guid>(
            eventsDatabase,
            "SELECT id, confirmed_at FROM registrations WHERE id = ANY(@ids) AND status = 'confirmed'",
            ids
        );
    }
    var received = await ReceivedAsync(purchases);
    return purchases.Select(p => (confirmed[p.RegistrationId] - received[p.PaymentId]).TotalMilliseconds).ToList();
}

async Task<string> SandboxSecretAsync()
{
    // The sandbox generates its secret on first use; a checkout-page visit is not needed, asking the service's store
    // is.
    await using var scope = payments.Services.CreateAsyncScope();
    return await scope
        .ServiceProvider.GetRequiredService<PaymentsApi::Community.Payments.Providers.WebhookSecrets>()
        .SandboxSecretAsync(CancellationToken.None);
}

// Where the burst's time went, from the rows each step wrote: payments' handling of the webhook (received to its
// PaymentSucceeded in the outbox), the outbox to the broker (written to published), and events' side (published to the
// ticket confirmed: broker, consumer, confirmation). p50/p95 of each step over the burst.
async Task<string> StagesAsync(IReadOnlyList<Purchase> purchases)
{
    var ids = purchases.Select(p => p.PaymentId).ToArray();
    var received = await ReceivedAsync(purchases);
    var written = await PairsAsync<string>(
        resources.DatabaseConnectionString,
        "SELECT payload->>'paymentId', occurred_at FROM outbox_messages WHERE type LIKE '%PaymentSucceeded%' AND "
            + "payload->>'paymentId' = ANY(@ids)",
        ids
    );
    var published = await PairsAsync<string>(
        resources.DatabaseConnectionString,
        "SELECT payload->>'paymentId', published_at FROM outbox_messages WHERE type LIKE '%PaymentSucceeded%' AND "
            + "payload->>'paymentId' = ANY(@ids) AND published_at IS NOT NULL",
        ids
    );
    var confirmed = await PairsAsync<Guid>(
        eventsDatabase,
        "SELECT id, confirmed_at FROM registrations WHERE id = ANY(@ids)",
        purchases.Select(p => p.RegistrationId).ToArray()
    );
    string Stage(string name, Func<Purchase, double?> ms)
    {
        var values = purchases.Select(ms).OfType<double>().ToList();
        if (values.Count == 0)
            return $"{name} n/a";
        var stats = LatencyStats.From(name, values);
        return string.Create(CultureInfo.InvariantCulture, $"{name} p50 {stats.P50:0.0} / p95 {stats.P95:0.0} ms");
    }
    double? Between(Dictionary<string, DateTime> from, string fromKey, DateTime? to) =>
        from.TryGetValue(fromKey, out var start) && to is { } end ? (end - start).TotalMilliseconds : null;
    return "burst stages: "
        + string.Join(
            "; ",
            [
                Stage("webhook handled", p => Between(received, p.PaymentId, written.GetValueOrDefault(p.PaymentId))),
                Stage(
                    "outbox to broker",
                    p => Between(written, p.PaymentId, published.TryGetValue(p.PaymentId, out var at) ? at : null)
                ),
                Stage(
                    "broker to ticket",
                    p =>
                        Between(published, p.PaymentId, confirmed.TryGetValue(p.RegistrationId, out var at) ? at : null)
                ),
            ]
        );
}

// When payments received each purchase's webhook (webhook_events.received_at), by payment id.
Task<Dictionary<string, DateTime>> ReceivedAsync(IReadOnlyList<Purchase> purchases) =>
    PairsAsync<string>(
        resources.DatabaseConnectionString,
        "SELECT w.payload::jsonb->'data'->'object'->'metadata'->>'payment_id', w.received_at FROM webhook_events w "
            + "WHERE w.payload::jsonb->'data'->'object'->'metadata'->>'payment_id' = ANY(@ids)",
        purchases.Select(p => p.PaymentId).ToArray()
    );

static async Task<Dictionary<TKey, DateTime>> PairsAsync<TKey>(string connectionString, string sql, Array ids)
    where TKey : notnull
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    command.Parameters.AddWithValue("ids", ids);
    await using var reader = await command.ExecuteReaderAsync();
    var pairs = new Dictionary<TKey, DateTime>();
    while (await reader.ReadAsync())
        pairs[reader.GetFieldValue<TKey>(0)] = reader.GetFieldValue<DateTime>(1);
    return pairs;
}

static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode? expected = null)
{
    var text = await response.Content.ReadAsStringAsync();
    if (expected is { } status ? response.StatusCode != status : !response.IsSuccessStatusCode)
        throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
    return JsonDocument.Parse(text).RootElement.Clone();
}

static string Line(string name, List<double> ms)
{
    var s = LatencyStats.From(name, ms);
    return string.Create(
        CultureInfo.InvariantCulture,
        $"{name, -14} n={s.Runs, 4}  p50 {s.P50, 7:0.0} ms  p95 {s.P95, 7:0.0} ms  p99 {s.P99, 7:0.0} ms  max "
            + $"{s.Max, 7:0.0} ms  mean {s.Mean, 7:0.0} ms"
    );
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}

internal sealed record Purchase(Guid RegistrationId, string PaymentId, string SessionId);
