using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.LocalInfrastructure;

namespace Community.AppHost.Tests;

/// <summary>
/// The dashboard's HTTP API over plain HTTP, with runners that are never started (their state and log tell whether an
/// action touched them).
/// </summary>
public sealed class DashboardApiTests : IDisposable
{
    private readonly HttpClient _probes = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ServiceRunner> _runners;
    private readonly Resource _postgres = new("postgres", "postgres");
    private readonly Dashboard _dashboard;
    private readonly HttpClient _client;
    private readonly string _url;

    public DashboardApiTests()
    {
        var messaging = Resources.Declared.Single(s => s.Name == ResourceNames.Messaging);
        _runners = Resources
            .Instances([messaging], _ => 2, _ => "http://127.0.0.1:1")
            .Select(i => new ServiceRunner(
                i,
                "none.dll",
                ".",
                new Dictionary<string, string>
                {
                    ["ConnectionStrings__messaging-db"] =
                        "Host=127.0.0.1;Port=5432;Database=messaging;Username=community;Password=s3cret-pg",
                    ["ConnectionStrings__rabbitmq"] = "amqp://community:s3cret-mq@127.0.0.1:5672/community",
                    ["ConnectionStrings__redis"] = "127.0.0.1:6379,password=s3cret-redis",
                    ["Revocations__FeedKey"] = "s3cret-feed",
                    ["Identity__Admins__0__Password"] = "s3cret-admin",
                    ["Payments__Stripe__SecretKey"] = "s3cret-stripe",
                    ["Ai__ApiToken"] = "s3cret-token",
                    ["ASPNETCORE_URLS"] = i.Url,
                },
                new ConsoleOutput(),
                _probes
            ))
            .ToList();
        _url = $"http://127.0.0.1:{LoopbackPorts.Take()}";
        _dashboard = new Dashboard(
            _url,
            () => [_postgres, .. _runners],
            new TelemetryStore(),
            healthTimeout: TimeSpan.FromSeconds(3)
        );
        _dashboard.Start(_stopping.Token);
        _client = new HttpClient { BaseAddress = new Uri(_url) };
    }

    public static TheoryData<string> Actions =>
        [
            "/api/resources/messaging-1/stop",
            "/api/resources/messaging-1/start",
            "/api/resources/messaging-1/restart",
            "/api/services/messaging/rolling-restart",
        ];

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task An_action_without_Content_Length_or_from_another_origin_is_refused_and_changes_nothing(
        string path
    )
    {
        // curl -X POST without -d sends no Content-Length: HttpListener answers 411 itself, yet hands the request on
        Assert.StartsWith("HTTP/1.1 411", await RawPostAsync(_url, path));
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent([]) };
        crossSite.Headers.Add("Origin", "http://evil.example");
        using var refused = await _client.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(403, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>());

        await Task.Delay(500); // a side effect would have shown by now: the runner logs each action first
        Assert.All(_runners, r => Assert.Equal(ResourceState.Starting, r.State));
        Assert.All(_runners, r => Assert.Empty(r.Logs.Snapshot()));
        Assert.All(_runners, r => Assert.Null(r.Pid));
    }

    [Theory]
    [InlineData("/api/resources/messaging-1/explode", 400)]
    [InlineData("/api/resources/nobody/stop", 404)]
    [InlineData("/api/resources/postgres/stop", 409)]
    [InlineData("/api/services/nobody/rolling-restart", 404)]
    [InlineData("/api/services/messaging/explode", 404)]
    [InlineData("/api/resources/messaging-1/stop/now", 404)]
    public async Task A_bad_action_is_a_problem_and_changes_nothing(string path, int status)
    {
        using var response = await _client.PostAsync(path, new ByteArrayContent([]));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
        Assert.All(_runners, r => Assert.Equal(ResourceState.Starting, r.State));
        Assert.All(_runners, r => Assert.Empty(r.Logs.Snapshot()));
        Assert.Equal(ResourceState.Starting, _postgres.State);
    }

    [Fact]
    public async Task A_performed_action_answers_2xx()
    {
        using var stopped = await _client.PostAsync("/api/resources/messaging-2/stop", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal(ResourceState.Stopped, _runners[1].State);
        Assert.Equal(ResourceState.Starting, _runners[0].State);
    }

    [Fact]
    public async Task A_rolling_restart_is_accepted_once_at_a_time_and_stops_at_an_instance_that_does_not_come_back()
    {
        _runners[1].State = ResourceState.Healthy; // messaging-1 may be restarted while messaging-2 serves
        using var accepted = await _client.PostAsync(
            "/api/services/messaging/rolling-restart",
            new ByteArrayContent([])
        );
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(["messaging-1", "messaging-2"], body["instances"]!.AsArray().Select(i => i!.GetValue<string>()));

        using var again = await _client.PostAsync("/api/services/messaging/rolling-restart", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using var meanwhile = await _client.PostAsync("/api/resources/messaging-2/stop", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Conflict, meanwhile.StatusCode);
        var details = (await _client.GetFromJsonAsync<JsonObject>("/api/resources/messaging-2"))!;
        Assert.True(details["rolling"]!.GetValue<bool>());

        // none.dll never answers /health/ready: the roll gives up after the health timeout (3 s), messaging-2 untouched
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            if (_runners[0].Logs.Snapshot().Any(l => l.Contains("rolling restart stopped", StringComparison.Ordinal)))
                break;
        }
        Assert.Contains(_runners[0].Logs.Snapshot(), l => l.Contains("restart requested", StringComparison.Ordinal));
        Assert.Contains(
            _runners[0].Logs.Snapshot(),
            l => l.Contains("rolling restart stopped", StringComparison.Ordinal)
        );
        Assert.Empty(_runners[1].Logs.Snapshot());
        Assert.Equal(ResourceState.Healthy, _runners[1].State);
        details = (await _client.GetFromJsonAsync<JsonObject>("/api/resources/messaging-2"))!;
        Assert.StartsWith(
            "after restarting messaging-1: it is not healthy",
            details["rollStoppedShort"]!.GetValue<string>(),
            StringComparison.Ordinal
        );
        await _runners[0].StopAsync();
    }

    [Fact]
    public async Task A_rolling_restart_is_refused_while_more_than_one_instance_is_not_healthy()
    {
        // both still Starting: whichever is stopped first, none would serve
        using var refused = await _client.PostAsync(
            "/api/services/messaging/rolling-restart",
            new ByteArrayContent([])
        );

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();
        Assert.Contains("messaging-1 is Starting, messaging-2 is Starting", detail, StringComparison.Ordinal);
        await Task.Delay(500); // a restart would have shown by now: the runner logs each action first
        Assert.All(_runners, r => Assert.Empty(r.Logs.Snapshot()));
        Assert.All(_runners, r => Assert.Equal(ResourceState.Starting, r.State));
    }

    [Fact]
    public async Task A_rolling_restart_begins_with_the_one_instance_that_is_not_healthy()
    {
        _runners[0].State = ResourceState.Healthy;

        using var accepted = await _client.PostAsync(
            "/api/services/messaging/rolling-restart",
            new ByteArrayContent([])
        );

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(["messaging-2", "messaging-1"], body["instances"]!.AsArray().Select(i => i!.GetValue<string>()));
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            if (_runners[1].Logs.Snapshot().Any(l => l.Contains("restart requested", StringComparison.Ordinal)))
                break;
        }
        Assert.Contains(_runners[1].Logs.Snapshot(), l => l.Contains("restart requested", StringComparison.Ordinal));
        Assert.DoesNotContain(_runners[0].Logs.Snapshot(), l => l.Contains("requested", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Once_AppHost_is_stopping_an_action_is_refused_with_503_and_launches_nothing(string path)
    {
        // Ctrl+C: the services are being stopped while the dashboard still serves their last telemetry
        await _stopping.CancelAsync();

        using var refused = await _client.PostAsync(path, new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(503, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>());
        await Task.Delay(500); // a launch would have shown by now: the runner logs each action first
        Assert.All(_runners, r => Assert.Equal(ResourceState.Starting, r.State));
        Assert.All(_runners, r => Assert.Empty(r.Logs.Snapshot()));
        Assert.All(_runners, r => Assert.Null(r.Pid));
    }

    [Fact]
    public async Task A_rolling_restart_is_refused_while_one_instance_alone_runs()
    {
        // the operator stopped messaging-1: the roll would restart messaging-2, the only one serving
        using var stopped = await _client.PostAsync("/api/resources/messaging-1/stop", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        _runners[1].State = ResourceState.Healthy;

        using var refused = await _client.PostAsync(
            "/api/services/messaging/rolling-restart",
            new ByteArrayContent([])
        );

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();
        Assert.Contains("1 of messaging's 2 instance(s) running", detail, StringComparison.Ordinal);
        await Task.Delay(500); // a restart would have shown by now: the runner logs each action first
        Assert.Empty(_runners[1].Logs.Snapshot());
        Assert.Equal((ResourceState.Healthy, null), (_runners[1].State, _runners[1].Pid));
        Assert.Equal(ResourceState.Stopped, _runners[0].State);
        var details = (await _client.GetFromJsonAsync<JsonObject>("/api/resources/messaging-2"))!;
        Assert.False(details["rolling"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_resource_s_details_show_its_environment_with_secrets_masked_its_endpoints_and_replicas()
    {
        var details = (await _client.GetFromJsonAsync<JsonObject>("/api/resources/messaging-2"))!;

        Assert.Equal(
            ("messaging-2", "messaging"),
            (details["name"]!.GetValue<string>(), details["service"]!.GetValue<string>())
        );
        Assert.Equal(
            ["messaging-1", "messaging-2"],
            details["replicas"]!.AsArray().Select(r => r!["name"]!.GetValue<string>())
        );
        Assert.Contains(
            "http://127.0.0.1:1/health/ready",
            details["endpoints"]!.AsArray().Select(e => e!.GetValue<string>())
        );
        var environment = details["environment"]!
            .AsArray()
            .ToDictionary(v => v!["key"]!.GetValue<string>(), v => v!["value"]!.GetValue<string>());
        Assert.DoesNotContain(environment.Values, v => v.Contains("s3cret", StringComparison.Ordinal));
        Assert.Equal(
            "Host=127.0.0.1;Port=5432;Database=messaging;Username=community;Password=****",
            environment["ConnectionStrings__messaging-db"]
        );
        Assert.Equal("amqp://community:****@127.0.0.1:5672/community", environment["ConnectionStrings__rabbitmq"]);
        Assert.Equal("127.0.0.1:6379,password=****", environment["ConnectionStrings__redis"]);
        Assert.Equal("****", environment["Revocations__FeedKey"]);
        Assert.Equal("****", environment["Payments__Stripe__SecretKey"]);
        Assert.Equal("****", environment["Ai__ApiToken"]);
        Assert.Equal("****", environment["Identity__Admins__0__Password"]);
        Assert.Equal("http://127.0.0.1:1", environment["ASPNETCORE_URLS"]);

        var infrastructure = (await _client.GetFromJsonAsync<JsonObject>("/api/resources/postgres"))!;
        Assert.Empty(infrastructure["environment"]!.AsArray());
        using var unknown = await _client.GetAsync("/api/resources/nobody");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Each_chart_series_has_an_endpoint_and_a_bad_series_or_key_is_a_problem()
    {
        _dashboard.History.RecordPlatform(
            [new OutboxBacklog("messaging", 7, 0, null)],
            [new QueueDepth("messaging_error", 2, true)]
        );

        var index = (await _client.GetFromJsonAsync<JsonObject>("/api/charts"))!;
        Assert.Equal(5, index["intervalSeconds"]!.GetValue<double>());
        var series = index["series"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>());
        Assert.Equal(["messaging"], series["outbox_pending"]!["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Contains("p95_ms", series.Keys);
        Assert.Contains("cpu_percent", series.Keys);
        var outbox = (await _client.GetFromJsonAsync<JsonObject>("/api/charts/outbox_pending?of=messaging"))!;
        Assert.Equal(7, Assert.Single(outbox["points"]!.AsArray())!["v"]!.GetValue<double>());
        var queue = (await _client.GetFromJsonAsync<JsonObject>("/api/charts/queue_messages?of=messaging_error"))!;
        Assert.Equal(2, Assert.Single(queue["points"]!.AsArray())!["v"]!.GetValue<double>());
        var none = (await _client.GetFromJsonAsync<JsonObject>("/api/charts/p95_ms?of=nobody"))!;
        Assert.Empty(none["points"]!.AsArray());

        using var unknown = await _client.GetAsync("/api/charts/nothing?of=messaging");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var missing = await _client.GetAsync("/api/charts/p95_ms");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/resources")]
    [InlineData("/api/resources/nobody")]
    public async Task No_other_site_may_frame_the_dashboard(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task An_OTLP_body_that_says_gzip_but_is_not_is_answered_400()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_url), Timeout = TimeSpan.FromSeconds(5) };
        using var body = new ByteArrayContent("notgzip"u8.ToArray());
        body.Headers.ContentType = new("application/x-protobuf");
        body.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PostAsync("/v1/logs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("gzip", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> RawPostAsync(string url, string path)
    {
        var uri = new Uri(url);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(
            System.Text.Encoding.ASCII.GetBytes(
                $"POST {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n\r\n"
            )
        );
        using var reader = new StreamReader(stream);
        return await reader.ReadLineAsync() ?? "";
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _client.Dispose();
        _dashboard.Dispose();
        Task.WaitAll([.. _runners.Select(r => r.StopAsync())], TimeSpan.FromSeconds(30));
        _probes.Dispose();
        _stopping.Dispose();
    }
}
