extern alias EventsApi;
extern alias GatewayApp;
extern alias IdentityApi;
extern alias MessagingApi;
extern alias PaymentsApi;
extern alias SocialApi;
using System.Collections.Concurrent;
using System.Diagnostics;
using Community.Contracts;
using EventsProgram = EventsApi::Program;
using GatewayProgram = GatewayApp::Program;
using IdentityProgram = IdentityApi::Program;
using MessagingProgram = MessagingApi::Program;
using PaymentsProgram = PaymentsApi::Program;
using SocialProgram = SocialApi::Program;

namespace Community.Fleet.Bench;

/// <summary>
/// A member's first day under load, through the gateway only, with identity (which signs the tokens), social,
/// messaging, events and payments (sandbox provider) on one RabbitMQ vhost, each with its own database. Virtual users
/// come in pairs, all starting at once: both register, set a profile and discover; A asks B to connect and B accepts; A
/// opens their direct conversation and sends a message; both register for a paid event (402, a held seat), open a
/// checkout, pay on the sandbox page, and wait for their ticket. Each step's request is timed; where a step needs
/// another service to have heard an event first (social of the new member, messaging of the connection, payments of the
/// hold, events of the payment), the time until it had is reported apart as "propagation".
/// </summary>
public static partial class JourneyRun
{
    private const string Password = "correct-horse-9";

    private sealed class Steps
    {
        public ConcurrentDictionary<string, ConcurrentBag<double>> Latency { get; } = new();
        public ConcurrentDictionary<string, int> Errors { get; } = new();
        public ConcurrentDictionary<string, string> FirstError { get; } = new();
        public ConcurrentBag<double> Journeys { get; } = [];

        public void Add(string step, double ms) => Latency.GetOrAdd(step, _ => []).Add(ms);

        public void Fail(string step, string error)
        {
            Errors.AddOrUpdate(step, 1, (_, n) => n + 1);
            FirstError.TryAdd(step, error);
        }
    }

    private sealed class StepFailed(string step, string message) : Exception(message)
    {
        public string Step { get; } = step;
    }

    /// <summary>The order the report lists the steps in.</summary>
    private static readonly string[] Order =
    [
        "register",
        "profile",
        "discover",
        "discover: propagation",
        "connect: request",
        "connect: request propagation",
        "connect: accept",
        "message: open conversation",
        "message: open propagation",
        "message: send",
        "event: register (402 hold)",
        "pay: checkout",
        "pay: checkout propagation",
        "pay: sandbox page",
        "pay: press pay (302)",
        "ticket: propagation",
        "whole journey (a pair)",
    ];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var levels = args.Ints("--users", [50, 200]);
        if (levels.Any(l => l < 2 || l % 2 != 0))
            throw new ArgumentException(
                "--users takes even numbers of at least 2 (users come in pairs), e.g. --users 50,200."
            );
        var timeout = TimeSpan.FromSeconds(args.Int("--timeout", 60));

        foreach (
            var (assembly, path) in new[]
            {
                ("Community.Identity", "services/identity/Identity.Api"),
                ("Community.Social", "services/social/Social.Api"),
                ("Community.Messaging", "services/messaging/Messaging.Api"),
                ("Community.Events", "services/events/Events.Api"),
                ("Community.Payments", "services/payments/Payments.Api"),
                ("Community.Gateway", "gateway/Gateway"),
            }
        )
            Report.ContentRoot(assembly, path);
        ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 8), 64);
        var report = new Report("journey");
        var started = Stopwatch.StartNew();
        await using var resources = await TestInfrastructure.IsolateAsync("journeybench");
        var scratch = Directory.CreateTempSubdirectory("community-journey-bench-");
        try
        {
            var feedKey = Guid.NewGuid().ToString("N");
            var edgePort = ServiceHost<GatewayProgram>.FreePort();
            var edge = $"http://127.0.0.1:{edgePort}";
            Dictionary<string, string?> Settings(string service, string database) =>
                new()
                {
                    [$"ConnectionStrings:{ResourceNames.DatabaseOf(service)}"] = database,
                    [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = resources.BrokerUri,
                    [$"ConnectionStrings:{ResourceNames.Redis}"] = resources.RedisConnectionString,
                    ["RealTime:RedisKeyPrefix"] = resources.RedisKeyPrefix,
                    ["Revocations:FeedKey"] = feedKey,
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
                    ["DataProtection:KeyRingPath"] = Path.Combine(scratch.FullName, "keys-" + service),
                };
            await using var identity = new ServiceHost<IdentityProgram>(
                Settings(ResourceNames.Identity, resources.DatabaseConnectionString)
            ).Start();
            var identityAddress = identity.BaseAddress.ToString().TrimEnd('/');
            async Task<Dictionary<string, string?>> BehindIdentity(string service)
            {
                var settings = Settings(service, await resources.AddDatabaseAsync(service));
                settings[$"Services:{ResourceNames.Identity}"] = identityAddress;
                return settings;
            }
            await using var social = new ServiceHost<SocialProgram>(await BehindIdentity(ResourceNames.Social)).Start();
            var messagingSettings = await BehindIdentity(ResourceNames.Messaging);
            messagingSettings["Messaging:Attachments:LocalPath"] = Path.Combine(scratch.FullName, "attachments");
            await using var messaging = new ServiceHost<MessagingProgram>(messagingSettings).Start();
            await using var events = new ServiceHost<EventsProgram>(await BehindIdentity(ResourceNames.Events)).Start();
            var paymentsSettings = await BehindIdentity(ResourceNames.Payments);
            paymentsSettings["Payments:PublicBaseUrl"] = edge;
            await using var payments = new ServiceHost<PaymentsProgram>(paymentsSettings).Start();
            var gatewaySettings = new Dictionary<string, string?>
            {
                ["Revocations:FeedKey"] = feedKey,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
                ["DataProtection:KeyRingPath"] = Path.Combine(scratch.FullName, "keys-gateway"),
            };
            foreach (
                var (service, address) in new[]
                {
                    (ResourceNames.Identity, identity.BaseAddress),
                    (ResourceNames.Social, social.BaseAddress),
                    (ResourceNames.Messaging, messaging.BaseAddress),
                    (ResourceNames.Events, events.BaseAddress),
                    (ResourceNames.Payments, payments.BaseAddress),
                }
            )
                gatewaySettings[$"Services:{service}"] = address.ToString().TrimEnd('/');
            // Every virtual user comes from 127.0.0.1: the per-address limits (100 sign-ups an hour...) would measure
            // themselves.
            foreach (
                var limit in new[]
                {
                    "PerIp",
                    "PerUser",
                    "Registrations",
                    "Password",
                    "Login",
                    "RegistrationsCeiling",
                    "LoginCeiling",
                }
            )
                gatewaySettings[$"RateLimits:{limit}:PermitLimit"] = "1000000000";
            await using var gateway = new ServiceHost<GatewayProgram>(gatewaySettings).Start(edgePort);
            // Queues must be bound before the first sign-up, or a service would never hear of it.
            await ServiceFixture<IdentityProgram>.BusReadyAsync(identity);
            await ServiceFixture<SocialProgram>.BusReadyAsync(social);
            await ServiceFixture<MessagingProgram>.BusReadyAsync(messaging);
            await ServiceFixture<EventsProgram>.BusReadyAsync(events);
            await ServiceFixture<PaymentsProgram>.BusReadyAsync(payments);
            var retries = new RetryAfterHandler(
                new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    MaxConnectionsPerServer = 1024,
                    UseCookies = false,
                }
            );
            using var client = new HttpClient(retries)
            {
                BaseAddress = new Uri(edge),
                Timeout = TimeSpan.FromSeconds(180),
            };
            Console.WriteLine(
                "PostgreSQL, RabbitMQ, identity, social, messaging, events, payments and the gateway up in "
                    + $"{started.Elapsed.TotalSeconds:0.0} s"
            );

            report.Line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"User journey under load, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} "
                        + $"cores, load average at the start {Report.LoadAverage()}"
                )
            );
            report.Line(
                "through the gateway: register -> profile -> discover -> connect -> message -> register for a paid "
                    + "event -> pay in the sandbox -> ticket"
            );
            report.Line(
                "identity, social, messaging, events, payments and the gateway in this process (real Kestrel), one "
                    + "PostgreSQL, one RabbitMQ vhost"
            );
            report.Line(new string('=', 110));

            var organizer = await RegisterAsync(
                client,
                "org" + Guid.NewGuid().ToString("N")[..8],
                9_000_000,
                "organizer"
            );
            var starts = DateTimeOffset.UtcNow.AddDays(14);
            var created = await Expect(
                await client.PostJson(
                    "/api/v1/events",
                    new
                    {
                        title = "Journey benchmark meetup",
                        event_type = "social",
                        city = "Dubai",
                        country = "AE",
                        latitude = 25.08,
                        longitude = 55.14,
                        starts_at = starts,
                        ends_at = starts.AddHours(3),
                        time_zone = "Asia/Dubai",
                        capacity = 100_000,
                        price_cents = 1500,
                        currency = "EUR",
                    },
                    organizer.Token
                ),
                201,
                "create event"
            );
            var eventId = created["id"]!.GetValue<string>();
            await Expect(
                await client.PostJson($"/api/v1/events/{eventId}/publish", new { }, organizer.Token),
                200,
                "publish event"
            );

            // Warm-up: one pair through the whole journey (JIT, pools, queues), not counted.
            var phones = 0;
            await JourneyAsync(client, eventId, "w", Interlocked.Add(ref phones, 2), new Steps(), timeout);
            var failed = false;
            foreach (var users in levels)
            {
                var steps = new Steps();
                var (retried503, retried429) = (
                    Interlocked.Read(ref retries.Retried503),
                    Interlocked.Read(ref retries.Retried429)
                );
                var wall = Stopwatch.StartNew();
                var level = users.ToString(CultureInfo.InvariantCulture);
                await Task.WhenAll(
                    Enumerable
                        .Range(0, users / 2)
                        .Select(pair =>
                            JourneyAsync(
                                client,
                                eventId,
                                $"u{level}p{pair}",
                                Interlocked.Add(ref phones, 2),
                                steps,
                                timeout
                            )
                        )
                );
                wall.Stop();
                var completed = steps.Journeys.Count;
                report.Line(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{users} virtual users at once ({users / 2} pairs): {completed * 2}/{users} completed the "
                            + $"journey in {wall.Elapsed.TotalSeconds:0.0} s "
                            + $"({completed * 2 / wall.Elapsed.TotalSeconds:0.0} journeys/s); load "
                            + $"average {Report.LoadAverage()}"
                    )
                );
                report.Line(
                    $"  answers the client waited for and sent again (Retry-After): "
                        + $"{Interlocked.Read(ref retries.Retried503) - retried503} x 503, "
                        + $"{Interlocked.Read(ref retries.Retried429) - retried429} x 429"
                );
                foreach (var step in Order)
                {
                    var samples = steps.Latency.TryGetValue(step, out var bag) ? bag.ToList() : [];
                    var errors = steps.Errors.GetValueOrDefault(step);
                    if (samples.Count == 0 && errors == 0)
                        continue;
                    report.Line(
                        "  "
                            + Report.Stats(step, samples, 30)
                            + $"  errors {errors}"
                            + (steps.FirstError.TryGetValue(step, out var first) ? $" ({first})" : "")
                    );
                }
                failed |= !steps.Errors.IsEmpty;
                report.Line("");
            }
            report.Line(
                "propagation = from the first try of a step that needs another service to have heard an event, to its "
                    + "first success (retried every 50 ms);"
            );
            report.Line(
                "\"ticket: propagation\" = from pressing Pay until events shows the registration confirmed (webhook -> "
                    + "outbox -> RabbitMQ -> events)."
            );
            report.Line("load average at the end: " + Report.LoadAverage());
            await report.WriteAsync();
            return failed ? 1 : 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
