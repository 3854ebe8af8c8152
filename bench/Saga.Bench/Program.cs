extern alias EventsApi;
extern alias PaymentsApi;
using Community.Events.Bench;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using EventsProgram = EventsApi::Program;
using PaymentsProgram = PaymentsApi::Program;
using WebhookSignature = PaymentsApi::Community.Payments.Webhooks.WebhookSignature;

// The paid-ticket saga's end-to-end latency: from the moment payments receives Stripe's signed
// checkout.session.completed webhook to the moment events has confirmed the registration and
// issued its ticket (webhook -> outbox -> RabbitMQ -> events' consumer -> confirmation).
// Both instants come from the services' own rows (webhook_events.received_at and
// registrations.confirmed_at), so polling does not blur the figures.
var sequential = Arg("--sequential", 200);
var burst = Arg("--burst", 50);

// In-process hosting needs each service's content root (where its appsettings.json lives).
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Community.sln"))) root = root.Parent;
if (root is null) throw new InvalidOperationException("Run the benchmark from inside the repository.");
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_PAYMENTS", Path.Combine(root.FullName, "services/payments/Payments.Api"));
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_EVENTS", Path.Combine(root.FullName, "services/events/Events.Api"));

var started = Stopwatch.StartNew();
await using var resources = await TestInfrastructure.IsolateAsync("sagabench");
var eventsDatabase = await resources.AddDatabaseAsync("events");
var clock = TimeProvider.System;
using var tokens = new TestTokens(clock);
void Shared(IServiceCollection services) => services.AddSingleton<ISigningKeySource>(tokens);
var quiet = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning", ["ConnectionStrings:rabbitmq"] = resources.BrokerUri };

await using var payments = new ServiceHost<PaymentsProgram>(new Dictionary<string, string?>(quiet)
{
    ["ConnectionStrings:payments-db"] = resources.DatabaseConnectionString,
}, Shared).Start();
await using var events = new ServiceHost<EventsProgram>(new Dictionary<string, string?>(quiet)
{
    ["ConnectionStrings:events-db"] = eventsDatabase,
}, Shared).Start();
using var paymentsClient = payments.NewClient();
using var eventsClient = events.NewClient();
Console.WriteLine($"infrastructure and services up in {started.Elapsed.TotalSeconds:0.0} s");

var organizer = tokens.Issue(Guid.NewGuid(), "organizer");
var starts = DateTimeOffset.UtcNow.AddDays(10);
var created = await Json(await eventsClient.PostJson("/api/v1/events", new
{
    title = "Benchmark gala", event_type = "social", latitude = 52.52, longitude = 13.40, starts_at = starts, ends_at = starts.AddHours(3),
    time_zone = "Europe/Berlin", capacity = 100_000, price_cents = 1500, currency = "EUR",
}, organizer));
var eventId = created.GetProperty("id").GetString()!;
(await eventsClient.PostJson($"/api/v1/events/{eventId}/publish", new { }, organizer)).EnsureSuccessStatusCode();
var secret = await SandboxSecretAsync();

// Warm-up: JIT, connection pools, queues.
foreach (var _ in Enumerable.Range(0, 10)) await OneAsync();

var one = new List<double>();
for (var i = 0; i < sequential; i++) one.Add(await OneAsync());
var burstWatch = Stopwatch.StartNew();
var many = (await Task.WhenAll(Enumerable.Range(0, burst).Select(_ => OneAsync()))).ToList();
burstWatch.Stop();

var oneStats = LatencyStats.From("sequential", one);
var bursted = LatencyStats.From("burst", many);
var report = new StringBuilder();
report.AppendLine($"Paid-ticket saga: webhook received -> ticket confirmed ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
report.AppendLine(Line("sequential", one));
report.AppendLine(Line($"burst of {burst}", many));
report.AppendLine(string.Create(CultureInfo.InvariantCulture,
    $"ratios: sequential p95/p50 {oneStats.P95 / oneStats.P50:0.00}; burst p50 / sequential p50 {bursted.P50 / oneStats.P50:0.00}; burst wall {burstWatch.Elapsed.TotalMilliseconds:0} ms"));
Console.Write(report);
var results = Path.Combine(root.FullName, "bench/results");
Directory.CreateDirectory(results);
await File.WriteAllTextAsync(Path.Combine(results, "saga-latest.txt"), report.ToString());
return;

// One purchase: hold a seat (402), open the checkout, deliver the signed webhook, wait for the ticket.
async Task<double> OneAsync()
{
    var buyerId = Guid.NewGuid();
    var buyer = tokens.Issue(buyerId);
    var hold = await Json(await eventsClient.PostJson($"/api/v1/events/{eventId}/registrations", new { }, buyer), HttpStatusCode.PaymentRequired);
    var registrationId = hold.GetProperty("registration_id").GetString()!;
    JsonElement checkout;
    while (true)
    {
        var response = await paymentsClient.PostJson("/api/v1/payments/checkout", new
        {
            purpose = "event_registration", reference_id = registrationId, success_url = "https://app.example/ok", cancel_url = "https://app.example/no",
        }, buyer);
        if (response.StatusCode == HttpStatusCode.OK) { checkout = await Json(response); break; }
        await Task.Delay(5);
    }
    var paymentId = checkout.GetProperty("payment_id").GetString()!;
    var body = JsonSerializer.SerializeToUtf8Bytes(new
    {
        id = "evt_bench_" + Guid.NewGuid().ToString("N"), @object = "event", type = "checkout.session.completed",
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        data = new
        {
            @object = new
            {
                id = checkout.GetProperty("session_id").GetString(), @object = "checkout.session", payment_status = "paid", status = "complete",
                payment_intent = "pi_bench_" + paymentId, amount_total = 1500, currency = "eur", metadata = new { payment_id = paymentId },
            },
        },
    });
    using var webhook = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new ByteArrayContent(body) };
    webhook.Content.Headers.ContentType = new("application/json");
    webhook.Headers.Add("Stripe-Signature", WebhookSignature.Header(secret, DateTimeOffset.UtcNow, body));
    (await paymentsClient.SendAsync(webhook)).EnsureSuccessStatusCode();

    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < TimeSpan.FromSeconds(60))
    {
        var confirmedAt = await ScalarAsync<DateTime?>(eventsDatabase, "SELECT confirmed_at FROM registrations WHERE id = @id AND status = 'confirmed'", registrationId);
        if (confirmedAt is { } confirmed)
        {
            var receivedAt = await ScalarAsync<DateTime?>(resources.DatabaseConnectionString,
                "SELECT w.received_at FROM webhook_events w WHERE w.payload::jsonb->'data'->'object'->'metadata'->>'payment_id' = @id", paymentId);
            return (confirmed - receivedAt!.Value).TotalMilliseconds;
        }
        await Task.Delay(2);
    }
    throw new TimeoutException($"registration {registrationId} was not confirmed within 60 s");
}

async Task<string> SandboxSecretAsync()
{
    // The sandbox generates its secret on first use; a checkout-page visit is not needed, asking the service's store is.
    await using var scope = payments.Services.CreateAsyncScope();
    return await scope.ServiceProvider.GetRequiredService<PaymentsApi::Community.Payments.Providers.WebhookSecrets>().SandboxSecretAsync(CancellationToken.None);
}

static async Task<T?> ScalarAsync<T>(string connectionString, string sql, string id)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    command.Parameters.AddWithValue("id", Guid.TryParse(id, out var guid) && !sql.Contains("->>") ? guid : id);
    var value = await command.ExecuteScalarAsync();
    return value is null or DBNull ? default : (T)value;
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
    return string.Create(CultureInfo.InvariantCulture, $"{name,-14} n={s.Runs,4}  p50 {s.P50,7:0.0} ms  p95 {s.P95,7:0.0} ms  p99 {s.P99,7:0.0} ms  max {s.Max,7:0.0} ms  mean {s.Mean,7:0.0} ms");
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
