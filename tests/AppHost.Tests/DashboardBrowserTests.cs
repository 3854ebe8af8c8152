using System.Diagnostics;
using System.Net.Http.Json;
using Community.Contracts;
using Community.LocalInfrastructure;
using Community.Testing;

namespace Community.AppHost.Tests;

/// <summary>
/// The real gateway and identity, each a child process run by AppHost's own ServiceRunner with the
/// environment AppHost gives it, exporting OTLP to a dashboard; the dashboard driven in Chromium.
/// </summary>
public class DashboardPlatformFixture : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _probes = new();
    private IsolatedResources? _resources;
    private IsolatedResources? _messagingResources;

    internal TelemetryStore Telemetry { get; } = new();
    internal Dashboard Dashboard { get; private set; } = null!;
    internal ServiceRunner Identity { get; private set; } = null!;
    internal ServiceRunner Gateway { get; private set; } = null!;
    internal ServiceRunner? Messaging { get; private set; }

    /// <summary>Whether messaging runs too (behind the gateway, its own database on identity's vhost).</summary>
    protected virtual bool WithMessaging => false;

    /// <summary>A connection string password only identity's environment holds (the details view masks it).</summary>
    public string MaskingProbePassword { get; } = "probe-" + Guid.NewGuid().ToString("N");

    /// <summary>Messaging's database, when it runs.</summary>
    public string? MessagingDatabase => _messagingResources?.DatabaseConnectionString;
    public string Root { get; } = RepositoryRoot.Find();
    public string BrokerUri => _resources!.BrokerUri;

    public async Task InitializeAsync()
    {
        _resources = await TestInfrastructure.IsolateAsync(GetType().Name);
        if (WithMessaging)
            _messagingResources = await TestInfrastructure.IsolateAsync(GetType().Name + "Messaging");
        var probes = new PlatformProbes(
            new Dictionary<string, string> { [ResourceNames.Identity] = _resources.DatabaseConnectionString },
            _resources.RabbitMq,
            _resources.Name
        );
        // Bound as soon as its port is chosen, and on another should a parallel test process take it in between.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{LoopbackPorts.Take()}";
            Dashboard = new Dashboard(url, () => [Identity, Gateway], Telemetry, () => probes);
            try
            {
                Dashboard.Start(_stop.Token);
                break;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                Dashboard.Dispose();
            }
        }
        var ports = LoopbackPorts.Take(3);

        var identity = Resources.Declared.Single(s => s.Name == ResourceNames.Identity);
        var messaging = Resources.Declared.Single(s => s.Name == ResourceNames.Messaging);
        var gateway = Resources.Declared.Single(s => s.Name == ResourceNames.Gateway);
        var addresses = new Dictionary<string, string>
        {
            [identity.Name] = $"http://127.0.0.1:{ports[0]}",
            [gateway.Name] = $"http://127.0.0.1:{ports[1]}",
            [messaging.Name] = $"http://127.0.0.1:{ports[2]}",
        };
        var databases = new Dictionary<string, string> { [identity.Name] = _resources.DatabaseConnectionString };
        if (_messagingResources is not null)
            databases[messaging.Name] = _messagingResources.DatabaseConnectionString;
        var keyRing = Path.Combine(Root, ".local", "tests", "dashboard-keys-" + Environment.ProcessId);
        var platform = new PlatformEnvironment(
            addresses[gateway.Name],
            addresses,
            databases,
            _resources.BrokerUri,
            Dashboard.OtlpEndpoint,
            KeyRingPath: keyRing,
            RevocationFeedKey: Guid.NewGuid().ToString("N"),
            OtlpProtocol: "http/protobuf"
        );
        ServiceDefinition[] services = WithMessaging ? [identity, messaging, gateway] : [identity, gateway];
        // a password in a connection string, for the details view to mask (the test servers trust local users)
        Identity = Runner(
            identity,
            services,
            platform,
            addresses,
            new Dictionary<string, string>
            {
                ["ConnectionStrings__masking-probe"] = $"Host=127.0.0.1;Username=probe;Password={MaskingProbePassword}",
            }
        );
        if (WithMessaging)
        {
            // the backplane and hub limits in Redis, under this fixture's own prefix
            Messaging = Runner(
                messaging,
                services,
                platform,
                addresses,
                new Dictionary<string, string>
                {
                    [$"ConnectionStrings__{ResourceNames.Redis}"] = _resources.RedisConnectionString,
                    ["RealTime__RedisKeyPrefix"] = _resources.RedisKeyPrefix,
                    ["RateLimits__InvalidTokens__RedisKeyPrefix"] = _resources.RedisKeyPrefix + "invalid-tokens:",
                }
            );
        }
        Gateway = Runner(gateway, services, platform, addresses);
        // should the test host end before DisposeAsync, the children must not outlive it
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillChildren();
        foreach (var runner in Runners)
        {
            runner.Start();
            Assert.True(
                await runner.WaitUntilHealthyAsync(TimeSpan.FromSeconds(120), CancellationToken.None),
                $"{runner.Name} did not become healthy (last check: {runner.LastHealth}); its "
                    + $"output:\n{string.Join('\n', runner.Logs.Snapshot().TakeLast(30))}"
            );
        }
    }

    private IEnumerable<ServiceRunner> Runners => new[] { Identity, Messaging, Gateway }.OfType<ServiceRunner>();

    private ServiceRunner Runner(
        ServiceDefinition service,
        IReadOnlyList<ServiceDefinition> services,
        PlatformEnvironment platform,
        Dictionary<string, string> addresses,
        Dictionary<string, string>? extra = null
    )
    {
        var project = Path.Combine(Root, service.Project);
        // the test's own build configuration built the referenced projects too
        var configuration = AppContext.BaseDirectory.Contains(
            $"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal
        )
            ? "Debug"
            : "Release";
        var environment = ServiceEnvironment.For(service, services, platform);
        environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (key, value) in extra ?? [])
            environment[key] = value;
        return new ServiceRunner(
            new ServiceInstance(service, service.Name, addresses[service.Name]),
            ProjectBuild.AssemblyPath(project, configuration),
            Path.GetDirectoryName(project)!,
            environment,
            new ConsoleOutput(),
            _probes
        );
    }

    private void KillChildren()
    {
        foreach (var pid in new[] { Gateway?.Pid, Messaging?.Pid, Identity?.Pid }.OfType<int>())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // already gone
            }
        }
    }

    /// <summary>
    /// What AppHost does on Ctrl+C or SIGTERM: its stopping token is cancelled, then every service is stopped.
    /// </summary>
    internal async Task StopAsAppHostDoesAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(Runners.Select(r => r.StopAsync()));
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Runners.Select(r => r.StopAsync()));
        await _stop.CancelAsync();
        Dashboard?.Dispose();
        if (_messagingResources is not null)
            await _messagingResources.DisposeAsync();
        if (_resources is not null)
            await _resources.DisposeAsync();
        _probes.Dispose();
    }
}

public sealed class DashboardBrowserTests(DashboardPlatformFixture fx) : IClassFixture<DashboardPlatformFixture>
{
    [Fact]
    public async Task A_request_through_the_gateway_shows_in_the_browser_as_one_trace_with_gateway_and_identity_spans()
    {
        var browserFolder = Path.Combine(fx.Root, "tests", "AppHost.Tests", "browser");
        // never a skip: scripts/setup.sh installs these, and a missing one must fail CI
        ChildProcess.AssertBrowserInstalled(browserFolder);

        using var gateway = new HttpClient { BaseAddress = new Uri(fx.Gateway.Url) };
        // The services export in batches, and on a machine as loaded as CI's a batch can come late or not at all (an
        // export that times out is dropped, as OpenTelemetry's exporters do). What the page is asked to show is a
        // request whose trace, with both services' spans, and identity's log of it have reached the receiver: a new
        // request (and request id) at most twice more when they have not within 45 s.
        string? requestId = null;
        var tried = new List<string>();
        for (var attempt = 0; attempt < 3 && requestId is null; attempt++)
        {
            var candidate = "dash-" + Guid.NewGuid().ToString("N")[..12];
            tried.Add(candidate);
            using var login = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
            {
                Content = JsonContent.Create(
                    new { identifier = "nobody_" + candidate[5..], password = "not-the-password-1" }
                ),
            };
            login.Headers.Add("X-Request-Id", candidate);
            using var response = await gateway.SendAsync(login);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(candidate, response.Headers.GetValues("X-Request-Id").Single());
            if (await ReceivedAsync(candidate, TimeSpan.FromSeconds(45)))
                requestId = candidate;
        }
        if (requestId is null)
            throw new Xunit.Sdk.XunitException(
                "no trace with spans of both services and identity's log of it reached the receiver for "
                    + string.Join(", ", tried)
            );

        var (exitCode, output) = await ChildProcess.RunAsync(
            browserFolder,
            "node",
            ["dashboard-trace.mjs", fx.Dashboard.Url, requestId, ChildProcess.Chromium],
            timeout: TimeSpan.FromSeconds(240)
        );
        Assert.True(exitCode == 0, $"the browser check failed (exit code {exitCode}):\n{output}");

        // what the page showed is what the receiver holds: one trace, crossing both services, the identity span under
        // the gateway's
        var trace = Assert.Single(fx.Telemetry.Traces(requestId));
        var spans = fx.Telemetry.Trace(trace.TraceId);
        var identityServer = spans.First(s => s.Service == ResourceNames.Identity && s.Kind == SpanKind.Server);
        var parent = spans.Single(s => s.SpanId == identityServer.ParentSpanId);
        Assert.Equal(ResourceNames.Gateway, parent.Service);
    }

    // The trace with both services' spans and identity's log of it, in the receiver within the time given.
    private Task<bool> ReceivedAsync(string requestId, TimeSpan within) =>
        Eventually.WithinAsync(
            () =>
                Task.FromResult(
                    fx.Telemetry.Traces(requestId) is [var trace]
                        && trace.Services.Contains(ResourceNames.Gateway)
                        && trace.Services.Contains(ResourceNames.Identity)
                        && fx.Telemetry.Logs(ResourceNames.Identity, trace.TraceId, null).Count > 0
                ),
            within,
            TimeSpan.FromMilliseconds(250)
        );

    [Fact]
    public async Task Charts_runtime_per_instance_details_with_masked_secrets_and_dark_mode_show_in_the_browser()
    {
        var browserFolder = Path.Combine(fx.Root, "tests", "AppHost.Tests", "browser");
        ChildProcess.AssertBrowserInstalled(browserFolder);
        var images = Path.Combine(fx.Root, "docs", "images");
        var secrets = fx.Identity.Environment["Revocations__FeedKey"] + "," + fx.MaskingProbePassword;

        // steady traffic through the gateway (identity's key set and the gateway's own 404s) while the page is watched
        using var traffic = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            using var gateway = new HttpClient { BaseAddress = new Uri(fx.Gateway.Url) };
            while (!traffic.IsCancellationRequested)
            {
                using var keys = await gateway.GetAsync("/.well-known/jwks.json");
                using var missing = await gateway.GetAsync("/api/v1/no-such-route");
                await Task.Delay(100);
            }
        });
        var (exitCode, output) = await ChildProcess.RunAsync(
            browserFolder,
            "node",
            ["dashboard-views.mjs", fx.Dashboard.Url, secrets, images, ChildProcess.Chromium],
            timeout: TimeSpan.FromSeconds(180)
        );
        await traffic.CancelAsync();
        await load;
        Assert.True(exitCode == 0, $"the browser check failed (exit code {exitCode}):\n{output}");

        // the pictures are fresh, and the gateway's chart came from real samples of its histogram
        foreach (var name in new[] { "dashboard-light.png", "dashboard-dark.png" })
        {
            var file = new FileInfo(Path.Combine(images, name));
            Assert.True(file.Exists && file.LastWriteTimeUtc > DateTime.UtcNow.AddMinutes(-5), name);
        }
        Assert.Contains(fx.Dashboard.History.Points("requests_per_second", ResourceNames.Gateway)!, p => p.V > 0);
    }

    [Fact]
    public async Task A_rolling_restart_of_a_service_run_as_one_instance_is_refused_and_leaves_it_serving()
    {
        using var dashboard = new HttpClient { BaseAddress = new Uri(fx.Dashboard.Url) };
        var before = fx.Identity.Pid;

        // restarting its one instance would leave none serving: a restart is what the operator asks for then
        using var refused = await dashboard.PostAsync(
            "/api/services/identity/rolling-restart",
            new ByteArrayContent([])
        );

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        await Task.Delay(500); // a restart would have shown by now: the runner logs each action first
        Assert.Equal(before, fx.Identity.Pid);
        Assert.DoesNotContain(
            fx.Identity.Logs.Snapshot(),
            l => l.Contains("rolling restart", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task Stop_start_and_restart_from_the_dashboard_api_act_on_the_child_process()
    {
        using var dashboard = new HttpClient { BaseAddress = new Uri(fx.Dashboard.Url) };
        var before = fx.Identity.Pid;
        using (var stopped = await dashboard.PostAsync("/api/resources/identity/stop", null))
        {
            Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        }
        Assert.Equal(ResourceState.Stopped, fx.Identity.State);
        Assert.False(before is { } pid && IsRunning(pid), "the process is still running after stop");

        using (var started = await dashboard.PostAsync("/api/resources/identity/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        }
        Assert.True(
            await fx.Identity.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90), CancellationToken.None),
            fx.Identity.LastHealth
        );
        var afterStart = fx.Identity.Pid;
        Assert.NotEqual(before, afterStart);

        using (var restarted = await dashboard.PostAsync("/api/resources/identity/restart", null))
        {
            Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        }
        Assert.True(
            await fx.Identity.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90), CancellationToken.None),
            fx.Identity.LastHealth
        );
        Assert.NotEqual(afterStart, fx.Identity.Pid);

        using var unknown = await dashboard.PostAsync("/api/resources/nobody/stop", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badAction = await dashboard.PostAsync("/api/resources/identity/explode", null);
        Assert.Equal(HttpStatusCode.BadRequest, badAction.StatusCode);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/resources/identity/stop");
        crossSite.Headers.Add("Origin", "http://evil.example");
        using var refused = await dashboard.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(ResourceState.Healthy, fx.Identity.State);
    }

    [Fact]
    public async Task The_metrics_api_gives_request_rates_from_the_histograms_the_outbox_backlog_and_the_queues()
    {
        // a dead-letter queue holding two messages, as MassTransit leaves one when a consumer keeps failing
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(fx.BrokerUri) };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(
                "dashboard-probe_error",
                durable: true,
                exclusive: false,
                autoDelete: false
            );
            for (var i = 0; i < 2; i++)
                await channel.BasicPublishAsync(
                    "",
                    "dashboard-probe_error",
                    mandatory: false,
                    new RabbitMQ.Client.BasicProperties(),
                    "{}"u8.ToArray()
                );
        }
        using var gateway = new HttpClient { BaseAddress = new Uri(fx.Gateway.Url) };
        for (var i = 0; i < 5; i++)
        {
            using var _ = await gateway.GetAsync("/api/v1/no-such-route-" + i);
        }
        using var dashboard = new HttpClient { BaseAddress = new Uri(fx.Dashboard.Url) };
        System.Text.Json.Nodes.JsonNode metrics = null!;
        // services export metrics every 5 s (OTEL_METRIC_EXPORT_INTERVAL from AppHost's environment)
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(1000))
        {
            metrics = (await dashboard.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/api/metrics?window=300"))!;
            // the probes answer from a 5 s cache: the queue shows once it has expired
            if (
                metrics["requests"]!
                    .AsArray()
                    .Any(r =>
                        r!["service"]!.GetValue<string>() == ResourceNames.Gateway
                        && r["requests"]!.GetValue<ulong>() >= 5
                    )
                && metrics["queues"]!.AsArray().Any(q => q!["queue"]!.GetValue<string>() == "dashboard-probe_error")
            )
                break;
        }
        var gatewayRequests = metrics["requests"]!
            .AsArray()
            .SingleOrDefault(r => r!["service"]!.GetValue<string>() == ResourceNames.Gateway);
        Assert.True(
            gatewayRequests is not null && gatewayRequests["requests"]!.GetValue<ulong>() >= 5,
            metrics.ToJsonString()
        );
        Assert.True(gatewayRequests["requestsPerSecond"]!.GetValue<double>() > 0);
        Assert.NotNull(gatewayRequests["p95Ms"]);

        // identity's migrations made its outbox table; the broker lists the vhost's queues (MassTransit's, once
        // identity's bus started)
        var outbox = Assert.Single(metrics["outboxes"]!.AsArray());
        Assert.True(outbox!["error"] is null, metrics.ToJsonString());
        Assert.True(outbox["pending"]!.GetValue<long>() >= 0 && outbox["failed"]!.GetValue<long>() == 0);
        Assert.True(metrics["queueError"] is null, metrics.ToJsonString());
        var deadLetters = metrics["queues"]!
            .AsArray()
            .Single(q => q!["queue"]!.GetValue<string>() == "dashboard-probe_error")!;
        Assert.Equal((2L, true), (deadLetters["messages"]!.GetValue<long>(), deadLetters["isError"]!.GetValue<bool>()));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>Stopping the platform: every service ends by itself after SIGTERM, none has to be killed.</summary>
public sealed class GracefulStopTests(DashboardPlatformFixture fx) : IClassFixture<DashboardPlatformFixture>
{
    [Fact]
    public async Task On_Ctrl_C_each_service_flushes_its_telemetry_and_exits_before_AppHost_would_kill_it()
    {
        using var http = new HttpClient();
        // Traffic, so each service has telemetry to flush as it stops.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(fx.Gateway.Endpoint + "/health/ready")).StatusCode);

        await fx.StopAsAppHostDoesAsync();

        // The dashboard kept answering the services' last exports (it stopped serving on Ctrl+C, and every service
        // waited for its exporter's timeout until it was killed).
        Assert.False(fx.Gateway.KilledOnStop, string.Join('\n', fx.Gateway.Logs.Snapshot().TakeLast(20)));
        Assert.False(fx.Identity.KilledOnStop, string.Join('\n', fx.Identity.Logs.Snapshot().TakeLast(20)));
    }
}
