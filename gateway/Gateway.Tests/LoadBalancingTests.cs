using System.Net.WebSockets;
using System.Text;
using Community.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;

namespace Community.Gateway.Tests;

/// <summary>
/// The gateway with two messaging instances behind it (<c>Services:messaging = a;b</c>); identity's JWKS on the first.
/// </summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    public TestTokens Tokens { get; } = new();
    public FakeBackend First { get; private set; } = null!;
    public FakeBackend Second { get; private set; } = null!;
    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        First = await FakeBackend.StartAsync(Tokens);
        Second = await FakeBackend.StartAsync(Tokens);
        string Address(FakeBackend backend) => backend.BaseAddress.ToString().TrimEnd('/');
        Gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = Address(First),
                [$"Services:{ResourceNames.Messaging}"] = $"{Address(First)}; {Address(Second)}",
            }
        );
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await First.DisposeAsync();
        await Second.DisposeAsync();
        Tokens.Dispose();
    }
}

public sealed class LoadBalancingTests(TwoInstancesFixture fixture) : IClassFixture<TwoInstancesFixture>
{
    private readonly TwoInstancesFixture _ = fixture;

    private int ReceivedOn(FakeBackend backend, string path) => backend.Received.Count(r => r.Path == path);

    private Uri EchoHub() =>
        new UriBuilder(_.Gateway.Address)
        {
            Scheme = "ws",
            Path = "/hubs/echo",
            Query = "access_token=" + Uri.EscapeDataString(_.Tokens.Issue()),
        }.Uri;

    [Fact]
    public void Each_address_of_a_service_becomes_a_destination_named_after_its_position()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
                new Dictionary<string, string?>
                {
                    [$"Services:{ResourceNames.Messaging}"] = "http://127.0.0.1:5103; http://127.0.0.1:5113;",
                    [$"Services:{ResourceNames.Identity}"] = "http://127.0.0.1:5101",
                }
            )
            .Build();

        var clusters = GatewayProxyConfig.Clusters(configuration).ToDictionary(c => c.ClusterId);

        var messaging = clusters[ResourceNames.Messaging].Destinations!;
        Assert.Equal(["messaging-0", "messaging-1"], messaging.Keys.Order());
        Assert.Equal("http://127.0.0.1:5103", messaging["messaging-0"].Address);
        Assert.Equal("http://127.0.0.1:5113", messaging["messaging-1"].Address);
        Assert.Equal(
            "http://127.0.0.1:5101",
            Assert.Single(clusters[ResourceNames.Identity].Destinations!).Value.Address
        );
        Assert.Empty(clusters[ResourceNames.Payments].Destinations!);
    }

    [Fact]
    public void Failed_forwards_are_counted_over_the_reactivation_period_so_an_instance_comes_back_after_it()
    {
        // YARP keeps such an instance out for the longer of the two (the window's default is a minute).
        var window = _
            .Gateway.Services.GetRequiredService<IOptions<TransportFailureRateHealthPolicyOptions>>()
            .Value.DetectionWindowSize;
        Assert.Equal(GatewayProxyConfig.InstanceHealth.Passive!.ReactivationPeriod, window);
        Assert.Equal(TimeSpan.FromSeconds(10), window);
    }

    [Fact]
    public async Task Requests_to_a_service_with_two_addresses_reach_both_instances()
    {
        const string path = "/api/v1/conversations";
        var token = _.Tokens.Issue();

        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new("Bearer", token);
            var echo = await GatewayFixture.EchoOf(await _.Gateway.Client.SendAsync(request));
            Assert.Equal(path, echo.Path);
        }

        Assert.Equal(20, ReceivedOn(_.First, path) + ReceivedOn(_.Second, path));
        Assert.True(ReceivedOn(_.First, path) > 0, "the first instance received nothing");
        Assert.True(ReceivedOn(_.Second, path) > 0, "the second instance received nothing");
    }

    [Fact]
    public async Task A_websocket_through_the_gateway_works_on_either_instance()
    {
        var uri = EchoHub();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var before = (_.First.WebSocketsAccepted, _.Second.WebSocketsAccepted);

        for (var i = 0; i < 16; i++)
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(uri, timeout.Token);
            var text = $"hello {i}";
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, received.Count));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }

        Assert.Equal(16, _.First.WebSocketsAccepted - before.Item1 + _.Second.WebSocketsAccepted - before.Item2);
        Assert.True(_.First.WebSocketsAccepted > before.Item1, "no WebSocket reached the first instance");
        Assert.True(_.Second.WebSocketsAccepted > before.Item2, "no WebSocket reached the second instance");
    }

    [Fact]
    public async Task Hub_websockets_the_instances_end_with_a_reset_do_not_take_them_out()
    {
        var uri = EchoHub();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var before = (_.First.WebSocketsAccepted, _.Second.WebSocketsAccepted);

        // Each instance ends many connections at once (sessions ended, clients gone quiet): enough for YARP's passive
        // check to take an instance out (10 forwards in its window, 30% failed) if it counted them as failures.
        for (var i = 0; i < 40; i++)
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(uri, timeout.Token);
            await socket.SendAsync(
                Encoding.UTF8.GetBytes(FakeBackend.ResetCommand),
                WebSocketMessageType.Text,
                true,
                timeout.Token
            );
            await Assert.ThrowsAnyAsync<WebSocketException>(async () =>
            {
                while (true)
                    await socket.ReceiveAsync(new byte[1024], timeout.Token);
            });
        }
        Assert.True(_.First.WebSocketsAccepted - before.Item1 >= 10, "too few reached the first instance");
        Assert.True(_.Second.WebSocketsAccepted - before.Item2 >= 10, "too few reached the second instance");

        var lookup = _.Gateway.Services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>();
        Assert.True(lookup.TryGetCluster(GatewayProxyConfig.PinnedCluster(ResourceNames.Messaging), out var pinned));
        Assert.All(
            pinned.Destinations.Values,
            d => Assert.NotEqual(Yarp.ReverseProxy.Model.DestinationHealth.Unhealthy, d.Health.Passive)
        );
    }

    [Fact]
    public async Task A_hub_client_stays_on_the_instance_that_answered_its_negotiation_while_clients_spread_over_both()
    {
        var token = _.Tokens.Issue();
        var (first, second) = (0, 0);

        for (var client = 0; client < 16; client++)
        {
            // A client keeps its cookies, as browsers and SignalR's clients do.
            using var http = new HttpClient(
                new SocketsHttpHandler { CookieContainer = new System.Net.CookieContainer() }
            )
            {
                BaseAddress = _.Gateway.Address,
            };
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var hub = $"/hubs/chat-{client}";
            var negotiated = await http.PostAsync(hub + "/negotiate?negotiateVersion=1", null);
            Assert.Contains(
                negotiated.Headers.GetValues("Set-Cookie"),
                c => c.StartsWith(GatewayProxyConfig.AffinityCookie + "=", StringComparison.Ordinal)
            );
            // Then the transport's requests (connect, send, poll) carrying the connection token of that instance.
            for (var i = 0; i < 3; i++)
                await http.GetAsync(hub + "?id=connection-token");

            var (onFirst, onSecond) = (
                ReceivedOn(_.First, hub) + ReceivedOn(_.First, hub + "/negotiate"),
                ReceivedOn(_.Second, hub) + ReceivedOn(_.Second, hub + "/negotiate")
            );
            Assert.True(
                onFirst == 4 && onSecond == 0 || onFirst == 0 && onSecond == 4,
                $"client {client}: {onFirst} on the first instance, {onSecond} on the second"
            );
            if (onFirst == 4)
                first++;
            else
                second++;
        }

        Assert.True(first > 0 && second > 0, $"every client on one instance ({first} and {second})");
    }
}

/// <summary>
/// The pinned cluster over a name DNS resolves to every instance (Kubernetes: a headless Service), as
/// <c>PinnedServices:messaging</c> with <c>DnsDestinations:Enabled</c>.
/// </summary>
public sealed class DnsDestinationTests
{
    [Fact]
    public void Pinned_routes_spread_over_their_own_addresses_when_configured_and_the_services_otherwise()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
                new Dictionary<string, string?>
                {
                    [$"Services:{ResourceNames.Messaging}"] = "http://messaging",
                    [GatewayProxyConfig.PinnedAddressKey(ResourceNames.Messaging)] = "http://messaging-pods:8080",
                }
            )
            .Build();

        var clusters = GatewayProxyConfig.Clusters(configuration).ToDictionary(c => c.ClusterId);

        Assert.Equal("http://messaging", Assert.Single(clusters[ResourceNames.Messaging].Destinations!).Value.Address);
        var pinned = clusters[GatewayProxyConfig.PinnedCluster(ResourceNames.Messaging)];
        Assert.Equal("http://messaging-pods:8080", Assert.Single(pinned.Destinations!).Value.Address);
        Assert.True(pinned.SessionAffinity!.Enabled);
        // Without DNS resolution the name is one destination, with nothing to choose between.
        Assert.Null(pinned.HealthCheck);
        var resolved = GatewayProxyConfig
            .Clusters(
                new ConfigurationBuilder()
                    .AddInMemoryCollection(
                        new Dictionary<string, string?>
                        {
                            [$"Services:{ResourceNames.Messaging}"] = "http://messaging",
                            [GatewayProxyConfig.PinnedAddressKey(ResourceNames.Messaging)] =
                                "http://messaging-pods:8080",
                            [$"{GatewayProxyConfig.DnsDestinations}:Enabled"] = "true",
                        }
                    )
                    .Build()
            )
            .ToDictionary(c => c.ClusterId);
        // Resolved, it is every ready pod: those are health-checked as instances are, the one Service address is not.
        Assert.NotNull(resolved[GatewayProxyConfig.PinnedCluster(ResourceNames.Messaging)].HealthCheck);
        Assert.Null(resolved[ResourceNames.Messaging].HealthCheck);

        var without = new ConfigurationBuilder()
            .AddInMemoryCollection(
                new Dictionary<string, string?>
                {
                    [$"Services:{ResourceNames.Messaging}"] = "http://127.0.0.1:5103;http://127.0.0.1:5113",
                }
            )
            .Build();
        var same = GatewayProxyConfig
            .Clusters(without)
            .Single(c => c.ClusterId == GatewayProxyConfig.PinnedCluster(ResourceNames.Messaging));
        Assert.Equal(
            ["http://127.0.0.1:5103", "http://127.0.0.1:5113"],
            same.Destinations!.Values.Select(d => d.Address)
        );
    }

    [Fact]
    public async Task With_dns_destinations_each_address_of_the_pinned_name_is_a_destination_and_hub_requests_reach_it()
    {
        using var tokens = new TestTokens();
        await using var service = await FakeBackend.StartAsync(tokens);
        await using var pod = await FakeBackend.StartAsync(tokens);
        var address = service.BaseAddress.ToString().TrimEnd('/');
        await using var gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = address,
                [$"Services:{ResourceNames.Messaging}"] = address,
                // a name, as a headless Service is; localhost resolves to the pod's loopback address
                [GatewayProxyConfig.PinnedAddressKey(ResourceNames.Messaging)] =
                    $"http://localhost:{pod.BaseAddress.Port}",
                [$"{GatewayProxyConfig.DnsDestinations}:Enabled"] = "true",
                [$"{GatewayProxyConfig.DnsDestinations}:AddressFamily"] = "InterNetwork",
            }
        );

        var lookup = gateway.Services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>();
        Assert.True(lookup.TryGetCluster(GatewayProxyConfig.PinnedCluster(ResourceNames.Messaging), out var pinned));
        Assert.Equal(["messaging-0[127.0.0.1]"], pinned.Destinations.Keys);
        Assert.True(lookup.TryGetCluster(ResourceNames.Messaging, out var plain));
        Assert.Equal(["messaging-0[127.0.0.1]"], plain.Destinations.Keys);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1");
        request.Headers.Authorization = new("Bearer", tokens.Issue());
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(pod.Received, r => r.Path == "/hubs/chat/negotiate");
        Assert.DoesNotContain(service.Received, r => r.Path.StartsWith("/hubs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_dns_destinations_addresses_stay_as_configured()
    {
        using var tokens = new TestTokens();
        await using var backend = await FakeBackend.StartAsync(tokens);
        await using var gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Messaging}"] = $"http://localhost:{backend.BaseAddress.Port}",
            }
        );

        var lookup = gateway.Services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>();
        Assert.True(lookup.TryGetCluster(GatewayProxyConfig.PinnedCluster(ResourceNames.Messaging), out var pinned));
        Assert.Equal(["messaging-0"], pinned.Destinations.Keys);
    }
}

public sealed class UnresolvableDestinationTests
{
    [Fact]
    public async Task A_name_that_does_not_resolve_leaves_out_its_destination_and_the_gateway_serves_the_rest()
    {
        using var tokens = new TestTokens();
        await using var backend = await FakeBackend.StartAsync(tokens);
        var address = backend.BaseAddress.ToString().TrimEnd('/');
        // a headless Service none of whose pods is ready: its name does not resolve
        await using var gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = address,
                [$"Services:{ResourceNames.Messaging}"] = address,
                [GatewayProxyConfig.PinnedAddressKey(ResourceNames.Messaging)] = "http://no-ready-pods.invalid:8080",
                [$"{GatewayProxyConfig.DnsDestinations}:Enabled"] = "true",
                [$"{GatewayProxyConfig.DnsDestinations}:AddressFamily"] = "InterNetwork",
            }
        );

        var lookup = gateway.Services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>();
        Assert.True(lookup.TryGetCluster(GatewayProxyConfig.PinnedCluster(ResourceNames.Messaging), out var pinned));
        Assert.Empty(pinned.Destinations);
        using var hub = new HttpRequestMessage(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1");
        hub.Headers.Authorization = new("Bearer", tokens.Issue());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.Client.SendAsync(hub)).StatusCode);
        using var rest = new HttpRequestMessage(HttpMethod.Get, "/api/v1/conversations");
        rest.Headers.Authorization = new("Bearer", tokens.Issue());
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(rest)).StatusCode);
    }
}
