using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.LocalInfrastructure;

namespace Community.AppHost.Tests;

public sealed class AppHostOptionsTests
{
    [Fact]
    public void Without_replicas_every_service_runs_once()
    {
        var options = AppHostOptions.Parse([]);

        Assert.Empty(options.Replicas);
        Assert.All(ResourceNames.Services, s => Assert.Equal(1, options.ReplicasOf(s)));
    }

    [Theory]
    [InlineData("--replicas", "messaging=2,social=3")]
    [InlineData("--replicas=messaging=2,social=3")]
    [InlineData("--replicas", "messaging=2", "--replicas", "social=3")]
    public void Replicas_name_services_and_counts(params string[] args)
    {
        var options = AppHostOptions.Parse(args);

        Assert.Equal(2, options.ReplicasOf(ResourceNames.Messaging));
        Assert.Equal(3, options.ReplicasOf(ResourceNames.Social));
        Assert.Equal(1, options.ReplicasOf(ResourceNames.Identity));
    }

    [Theory]
    [InlineData("gateway=9", "gateway=9")]
    [InlineData("nobody=2", "no service 'nobody'")]
    [InlineData("messaging=0", "messaging=0")]
    [InlineData("messaging=9", "messaging=9")]
    [InlineData("messaging", "'messaging'")]
    [InlineData("messaging=two", "messaging=two")]
    public void Replicas_of_unknown_services_or_bad_counts_are_refused(string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => AppHostOptions.Parse(["--replicas", value]));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:8081")]
    [InlineData("http://127.0.0.1:9000")]
    [InlineData("http://[::1]:8081")]
    public void The_dashboard_listens_on_a_loopback_address(string url)
    {
        Assert.Equal(url, AppHostOptions.Parse(["--dashboard-url", url]).DashboardUrl);
    }

    [Theory]
    [InlineData("http://192.168.1.20:8081")]
    [InlineData("http://0.0.0.0:8081")]
    [InlineData("http://devbox.lan:8081")]
    public void A_dashboard_address_off_loopback_is_refused_unless_the_operator_opts_in(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => AppHostOptions.Parse(["--dashboard-url", url]));

        Assert.Contains($"--dashboard-url {url}", error.Message, StringComparison.Ordinal);
        Assert.Contains("no authentication", error.Message, StringComparison.Ordinal);
        Assert.Contains("--dashboard-on-network", error.Message, StringComparison.Ordinal);
        // the opt-in counts wherever it stands among the options
        Assert.Equal(url, AppHostOptions.Parse(["--dashboard-on-network", "--dashboard-url", url]).DashboardUrl);
        Assert.Equal(url, AppHostOptions.Parse([$"--dashboard-url={url}", "--dashboard-on-network"]).DashboardUrl);
    }

    [Fact]
    public void A_dashboard_address_off_loopback_from_the_environment_is_refused_too()
    {
        // the environment's settings stand in as defaults: setting the variable would race other test classes
        var environment = new AppHostOptions { DashboardUrl = "http://192.168.1.20:8081" };

        var error = Assert.Throws<ArgumentException>(() => AppHostOptions.Parse([], environment));

        Assert.Contains("COMMUNITY_DASHBOARD_URL http://192.168.1.20:8081", error.Message, StringComparison.Ordinal);
        Assert.Contains("no authentication", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            "http://192.168.1.20:8081",
            AppHostOptions.Parse(["--dashboard-on-network"], environment).DashboardUrl
        );
        Assert.Equal(
            "http://localhost:9000",
            AppHostOptions.Parse(["--dashboard-url", "http://localhost:9000"], environment).DashboardUrl
        );
    }

    [Fact]
    public void Replicas_are_resources_of_their_own_on_their_own_ports_and_the_gateway_routes_over_all_of_them()
    {
        var options = AppHostOptions.Parse(["--replicas", "messaging=2"]);
        var services = Resources
            .Declared.Where(s => s.Name is ResourceNames.Identity or ResourceNames.Messaging or ResourceNames.Gateway)
            .ToList();
        var port = 5000;
        var instances = Resources.Instances(
            services,
            options.ReplicasOf,
            s => s.IsGateway ? "http://localhost:8080" : $"http://127.0.0.1:{++port}"
        );

        Assert.Equal(["identity", "messaging-1", "messaging-2", "gateway"], instances.Select(i => i.Name));
        Assert.Equal(instances.Count, instances.Select(i => i.Url).Distinct().Count());
        var addresses = Resources.Addresses(instances);
        Assert.Equal("http://127.0.0.1:5002;http://127.0.0.1:5003", addresses[ResourceNames.Messaging]);
        Assert.Equal("http://127.0.0.1:5001", addresses[ResourceNames.Identity]);

        var platform = new PlatformEnvironment(
            "http://localhost:8080",
            addresses,
            new Dictionary<string, string>
            {
                ["identity"] = "Host=db;Database=identity",
                ["messaging"] = "Host=db;Database=messaging",
            },
            "amqp://guest:guest@127.0.0.1:5672/community",
            Redis: "127.0.0.1:6379"
        );
        var environments = instances.ToDictionary(i => i.Name, i => ServiceEnvironment.For(i, services, platform));

        foreach (var replica in instances.Where(i => i.Service.Name == ResourceNames.Messaging))
        {
            var environment = environments[replica.Name];
            Assert.Equal(replica.Url, environment["ASPNETCORE_URLS"]);
            Assert.Equal(ResourceNames.Messaging, environment["OTEL_SERVICE_NAME"]);
            Assert.Equal($"service.instance.id={replica.Name}", environment["OTEL_RESOURCE_ATTRIBUTES"]);
            // one database, one broker and one Redis for both: the backplane and the outbox are shared
            Assert.Equal(
                platform.Databases[ResourceNames.Messaging],
                environment[$"ConnectionStrings__{ResourceNames.DatabaseOf(ResourceNames.Messaging)}"]
            );
            Assert.Equal(platform.Redis, environment[$"ConnectionStrings__{ResourceNames.Redis}"]);
        }
        Assert.Equal(
            addresses[ResourceNames.Messaging],
            environments["gateway"][$"Services__{ResourceNames.Messaging}"]
        );
        Assert.Equal("service.instance.id=identity", environments["identity"]["OTEL_RESOURCE_ATTRIBUTES"]);
    }

    [Fact]
    public void Gateway_replicas_take_the_advertised_address_first_then_ports_of_its_host_and_route_to_every_instance()
    {
        var options = AppHostOptions.Parse([
            "--replicas",
            "gateway=3,messaging=2",
            "--gateway-url",
            "http://localhost:9090",
        ]);
        var services = Resources
            .Declared.Where(s => s.Name is ResourceNames.Identity or ResourceNames.Messaging or ResourceNames.Gateway)
            .ToList();
        var port = 6000;
        var instances = Resources.Instances(
            services,
            options.ReplicasOf,
            (s, i) =>
                s.IsGateway ? Resources.GatewayUrl(options.GatewayUrl, i, () => ++port) : $"http://127.0.0.1:{++port}"
        );

        Assert.Equal(
            ["identity", "messaging-1", "messaging-2", "gateway-1", "gateway-2", "gateway-3"],
            instances.Select(i => i.Name)
        );
        Assert.Equal(
            ["http://localhost:9090", "http://localhost:6004", "http://localhost:6005"],
            instances.Where(i => i.Service.IsGateway).Select(i => i.Url)
        );
        var addresses = Resources.Addresses(instances);
        var platform = new PlatformEnvironment(
            options.GatewayUrl,
            addresses,
            new Dictionary<string, string>
            {
                ["identity"] = "Host=db;Database=identity",
                ["messaging"] = "Host=db;Database=messaging",
            },
            "amqp://guest:guest@127.0.0.1:5672/community",
            Redis: "127.0.0.1:6379"
        );
        foreach (var gateway in instances.Where(i => i.Service.IsGateway))
        {
            var environment = ServiceEnvironment.For(gateway, services, platform);
            Assert.Equal(gateway.Url, environment["ASPNETCORE_URLS"]);
            Assert.Equal($"service.instance.id={gateway.Name}", environment["OTEL_RESOURCE_ATTRIBUTES"]);
            // every gateway reaches every instance, shares the rate limits in Redis and hands out the advertised URL
            Assert.Equal("http://127.0.0.1:6002;http://127.0.0.1:6003", environment["Services__messaging"]);
            Assert.Equal(platform.Redis, environment[$"ConnectionStrings__{ResourceNames.Redis}"]);
            Assert.Equal("http://localhost:9090", environment["Payments__PublicBaseUrl"]);
        }
        Assert.Equal(1, AppHostOptions.Parse([]).ReplicasOf(ResourceNames.Gateway));
    }

    [Fact]
    public async Task The_dashboard_lists_each_replica_with_its_state_and_stops_one_alone()
    {
        var messaging = Resources.Declared.Single(s => s.Name == ResourceNames.Messaging);
        var instances = Resources.Instances([messaging], _ => 2, _ => "http://127.0.0.1:1");
        using var http = new HttpClient();
        var runners = instances
            .Select(i => new ServiceRunner(
                i,
                "none.dll",
                ".",
                new Dictionary<string, string>(),
                new ConsoleOutput(),
                http
            ))
            .ToList();
        var url = $"http://127.0.0.1:{LoopbackPorts.Take()}";
        using var stopping = new CancellationTokenSource();
        using var dashboard = new Dashboard(url, () => runners, new TelemetryStore());
        dashboard.Start(stopping.Token);
        using var client = new HttpClient { BaseAddress = new Uri(url) };

        var listed = (await client.GetFromJsonAsync<JsonArray>("/api/resources"))!;
        Assert.Equal(["messaging-1", "messaging-2"], listed.Select(r => r!["name"]!.GetValue<string>()));
        Assert.All(listed, r => Assert.True(r!["actions"]!.GetValue<bool>()));
        Assert.All(listed, r => Assert.Equal("Starting", r!["state"]!.GetValue<string>()));

        // a POST without Content-Length (curl -X POST) is refused and changes nothing
        Assert.StartsWith("HTTP/1.1 411", await RawPostAsync(url, "/api/resources/messaging-1/stop"));
        Assert.Equal(ResourceState.Starting, runners[0].State);

        using var stopped = await client.PostAsync("/api/resources/messaging-2/stop", null);
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal(ResourceState.Stopped, runners[1].State);
        Assert.Equal(ResourceState.Starting, runners[0].State);
        await stopping.CancelAsync();
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
}
