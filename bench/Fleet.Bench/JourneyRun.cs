extern alias EventsApi;
extern alias GatewayApp;
extern alias IdentityApi;
extern alias MessagingApi;
extern alias PaymentsApi;
extern alias SocialApi;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.Testing;
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
public static class JourneyRun
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
            using var client = new HttpClient(
                new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    MaxConnectionsPerServer = 512,
                    UseCookies = false,
                }
            )
            {
                BaseAddress = new Uri(edge),
                Timeout = TimeSpan.FromSeconds(60),
            };
            Console.WriteLine(
                $"PostgreSQL, RabbitMQ, identity, social, messaging, events, payments and the gateway up in "
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

    private sealed record Member(string Id, string Token);

    /// <summary>One pair's journey; a failed step ends it and is counted against that step.</summary>
    private static async Task JourneyAsync(
        HttpClient client,
        string eventId,
        string name,
        int phone,
        Steps steps,
        TimeSpan timeout
    )
    {
        var journey = Stopwatch.StartNew();
        try
        {
            var pair = await Task.WhenAll(
                Timed(steps, "register", () => RegisterAsync(client, name + "a", phone)),
                Timed(steps, "register", () => RegisterAsync(client, name + "b", phone + 1))
            );
            var (a, b) = (pair[0], pair[1]);
            await Task.WhenAll(
                pair.Select(member =>
                    Timed(
                        steps,
                        "profile",
                        async () =>
                            await Expect(
                                await client.SendJson(
                                    HttpMethod.Patch,
                                    "/api/v1/users/me",
                                    new { region = "Dubai Marina", interests = new[] { "running", "chess" } },
                                    member.Token
                                ),
                                200,
                                "profile"
                            )
                    )
                )
            );

            // Social learns of the member from identity's events; until then it does not know the caller.
            await Until(
                steps,
                "discover",
                timeout,
                async () =>
                {
                    var response = await client.Get("/api/v1/discover?region=Dubai%20Marina", a.Token);
                    return response.StatusCode == HttpStatusCode.OK ? true
                        : response.StatusCode == HttpStatusCode.NotFound ? false
                        : await Unexpected(response, "discover");
                }
            );

            JsonNode? request = null;
            await Until(
                steps,
                "connect: request",
                timeout,
                async () =>
                {
                    var response = await client.PostJson("/api/v1/connections", new { user_id = b.Id }, a.Token);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        request = await response.Body();
                        return true;
                    }
                    return response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity
                        ? false
                        : await Unexpected(response, "connect");
                }
            );
            await Timed(
                steps,
                "connect: accept",
                async () =>
                    await Expect(
                        await client.PostJson($"/api/v1/connections/{request!["id"]}/accept", new { }, b.Token),
                        200,
                        "accept"
                    )
            );

            // Messaging learns of the connection from social's events: 422 until it has.
            JsonNode? conversation = null;
            await Until(
                steps,
                "message: open conversation",
                timeout,
                async () =>
                {
                    var response = await client.PostJson(
                        "/api/v1/conversations/direct",
                        new { user_id = b.Id },
                        a.Token
                    );
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        conversation = await response.Body();
                        return true;
                    }
                    return response.StatusCode == HttpStatusCode.UnprocessableEntity
                        ? false
                        : await Unexpected(response, "open conversation");
                },
                propagationStep: "message: open propagation"
            );
            await Timed(
                steps,
                "message: send",
                async () =>
                    await Expect(
                        await client.PostJson(
                            $"/api/v1/conversations/{conversation!["id"]}/messages",
                            new
                            {
                                text = "Hello! See you at the meetup?",
                                client_txn_id = Guid.NewGuid().ToString("N"),
                            },
                            a.Token
                        ),
                        201,
                        "send"
                    )
            );

            await Task.WhenAll(
                new[] { a, b }.Select(member => BuyTicketAsync(client, eventId, member, steps, timeout))
            );
            steps.Add("whole journey (a pair)", journey.Elapsed.TotalMilliseconds);
            steps.Journeys.Add(journey.Elapsed.TotalMilliseconds);
        }
        catch (StepFailed e)
        {
            steps.Fail(e.Step, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            steps.Fail("whole journey (a pair)", e.GetType().Name + ": " + e.Message);
        }
    }

    private static async Task BuyTicketAsync(
        HttpClient client,
        string eventId,
        Member member,
        Steps steps,
        TimeSpan timeout
    )
    {
        var hold = await Timed(
            steps,
            "event: register (402 hold)",
            async () =>
                await Expect(
                    await client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, member.Token),
                    402,
                    "event registration"
                )
        );
        var registrationId = hold["registration_id"]!.GetValue<string>();
        // Payments learns of the hold from events' outbox: 404/409 until then.
        JsonNode? checkout = null;
        await Until(
            steps,
            "pay: checkout",
            timeout,
            async () =>
            {
                var response = await client.PostJson(
                    "/api/v1/payments/checkout",
                    new
                    {
                        purpose = "event_registration",
                        reference_id = registrationId,
                        payment_method = "card",
                        success_url = "https://app.example/paid",
                        cancel_url = "https://app.example/cancelled",
                    },
                    member.Token
                );
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    checkout = await response.Body();
                    return true;
                }
                return (int)response.StatusCode is 404 or 409 or 422 ? false : await Unexpected(response, "checkout");
            }
        );
        var page = new Uri(checkout!["checkout_url"]!.GetValue<string>()).AbsolutePath;
        await Timed(
            steps,
            "pay: sandbox page",
            async () =>
            {
                var html = await client.GetAsync(page);
                if (html.StatusCode != HttpStatusCode.OK)
                    await Unexpected(html, "sandbox page");
                return html;
            }
        );
        var pressed = Stopwatch.StartNew();
        await Timed(
            steps,
            "pay: press pay (302)",
            async () =>
            {
                var response = await client.PostAsync(page + "/pay", new FormUrlEncodedContent([]));
                if (response.StatusCode != HttpStatusCode.Redirect)
                    await Unexpected(response, "pay");
                return response;
            }
        );
        // Events confirms the registration when PaymentSucceeded arrives (webhook -> payments' outbox -> RabbitMQ ->
        // events).
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var response = await client.Get($"/api/v1/events/{eventId}/registrations/me", member.Token);
            if (
                response.StatusCode == HttpStatusCode.OK
                && (await response.Body())["status"]!.GetValue<string>() == "confirmed"
            )
                break;
            if (deadline.Elapsed > timeout)
                throw new StepFailed("ticket: propagation", $"not confirmed within {timeout.TotalSeconds:0} s");
            await Task.Delay(50);
        }
        steps.Add("ticket: propagation", pressed.Elapsed.TotalMilliseconds);
    }

    private static async Task<Member> RegisterAsync(HttpClient client, string username, int phone, string? role = null)
    {
        var body = await Expect(
            await client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    phone = "+9715" + phone.ToString("D8", CultureInfo.InvariantCulture),
                    password = Password,
                    role,
                }
            ),
            201,
            "register"
        );
        return new Member(body["user"]!["id"]!.GetValue<string>(), body["access_token"]!.GetValue<string>());
    }

    private static async Task<T> Timed<T>(Steps steps, string step, Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var result = await action();
            steps.Add(step, watch.Elapsed.TotalMilliseconds);
            return result;
        }
        catch (StepFailed e) when (e.Step != step)
        {
            throw new StepFailed(step, e.Message);
        }
    }

    /// <summary>
    /// Retries <paramref name="attempt"/> every 50 ms until it succeeds: the successful request's time is the step's,
    /// the wait its propagation.
    /// </summary>
    private static async Task Until(
        Steps steps,
        string step,
        TimeSpan timeout,
        Func<Task<bool>> attempt,
        string? propagationStep = null
    )
    {
        var first = Stopwatch.StartNew();
        for (var attempts = 1; ; attempts++)
        {
            var one = Stopwatch.StartNew();
            bool done;
            try
            {
                done = await attempt();
            }
            catch (StepFailed e)
            {
                throw new StepFailed(step, e.Message);
            }
            if (done)
            {
                steps.Add(step, one.Elapsed.TotalMilliseconds);
                if (attempts > 1)
                    steps.Add(
                        propagationStep ?? (step.Contains(':') ? step + " propagation" : step + ": propagation"),
                        first.Elapsed.TotalMilliseconds
                    );
                return;
            }
            if (first.Elapsed > timeout)
                throw new StepFailed(step, $"still refused after {timeout.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonNode> Expect(HttpResponseMessage response, int status, string what)
    {
        if ((int)response.StatusCode != status)
            await Unexpected(response, what);
        return await response.Body();
    }

    private static async Task<bool> Unexpected(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        throw new StepFailed(
            what,
            $"{what}: HTTP {(int)response.StatusCode} {(text.Length > 160 ? text[..160] : text)}"
        );
    }
}
