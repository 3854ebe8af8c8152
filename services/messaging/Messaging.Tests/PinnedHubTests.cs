extern alias GatewayApp;
using System.Net;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.SignalR.Client;
using GatewayProgram = GatewayApp::Program;

namespace Community.Messaging.Tests;

/// <summary>
/// Two messaging instances (one database, vhost and Redis key prefix) behind ONE real gateway that has both as
/// <c>Services:messaging</c>, as AppHost's <c>--replicas messaging=2</c> and Kubernetes' pods are: the gateway spreads
/// clients over them and pins each client's /hubs requests to one (YARP session affinity).
/// </summary>
public sealed class PinnedHubFixture : MessagingFixture
{
    public ServiceHost<Program> Second { get; private set; } = null!;
    public ServiceHost<GatewayProgram> Gateway { get; private set; } = null!;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings["RealTime:CallsPerSecond"] = "500";
        settings["RealTime:Burst"] = "500";
        settings["RealTime:UserCallsPerSecond"] = "500";
        settings["RealTime:UserBurst"] = "500";
        // The class's tests open many connections for one user; the per-user cap (10 by default, counted until
        // each connection's lease ends) is another test's subject: a refusal here would be a 429, not the 404
        // asked about.
        settings["RealTime:MaxConnectionsPerUser"] = "1000";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Second = StartHost(Settings);
        await BusReadyAsync(Second);
        string Address(ServiceHost<Program> host) => host.BaseAddress.ToString().TrimEnd('/');
        Gateway = new ServiceHost<GatewayProgram>(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Messaging}"] = $"{Address(Host)};{Address(Second)}",
                ["Logging:LogLevel:Default"] = "Warning",
            },
            services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                services.AddSingleton<ISigningKeySource>(Tokens);
            }
        ).Start();
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Second.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class PinnedHubTests(PinnedHubFixture fx) : IClassFixture<PinnedHubFixture>
{
    private const int Clients = 20;

    private static readonly string[] Methods = [.. LiveEvents.All.Select(e => e.Name)];

    private Uri Hub => new(fx.Gateway.BaseAddress, RealTimeFixture.HubPath);

    /// <summary>The instance that runs <paramref name="client"/>'s connection, as its presence records it.</summary>
    private async Task<string> InstanceOf(LiveConnection client)
    {
        var id = client.Connection.ConnectionId!;
        HubPresence[] presences =
        [
            .. new[] { fx.Host, fx.Second }.Select(h => h.Services.GetRequiredService<HubPresence>()),
        ];
        HubPresence? holder = null;
        await Eventually.TrueAsync(
            () => Task.FromResult((holder = presences.SingleOrDefault(p => p.Holds(id))) is not null),
            $"no instance holds connection {id}"
        );
        return holder!.InstanceId;
    }

    [Fact]
    public async Task Negotiating_clients_are_pinned_to_one_instance_each_spread_over_both_and_hear_each_other()
    {
        var (aliceId, aliceToken) = await fx.RegisteredAsync();
        var others = new List<(string Token, string Conversation)>();
        for (var i = 1; i < Clients; i++)
        {
            var (id, token) = await fx.RegisteredAsync();
            await fx.ConnectAsync(aliceId, id);
            var conversation = await (
                await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = id }, aliceToken)
            ).AssertStatus(201);
            others.Add((token, conversation["id"]!.GetValue<string>()));
        }

        // SignalR's own client, negotiating first (no SkipNegotiation), WebSockets, each with its own cookies as a
        // browser has.
        var cookies = new List<CookieContainer>();
        var clients = new List<LiveConnection>();
        try
        {
            foreach (var token in new[] { aliceToken }.Concat(others.Select(o => o.Token)))
            {
                var jar = new CookieContainer();
                cookies.Add(jar);
                // A WebSocket that reached another instance than its negotiate would be refused (404: that instance
                // never issued its connection token), so each start that succeeds is a client whose two requests met.
                clients.Add(
                    await LiveConnection.ConnectAsync(
                        Hub,
                        token,
                        Methods,
                        arguments: 1,
                        configure: o => o.Cookies = jar
                    )
                );
            }

            var instances = new List<string>();
            foreach (var client in clients)
                instances.Add(await InstanceOf(client));
            Assert.Equal(2, instances.Distinct().Count());
            // The affinity cookie names the instance: clients given the same cookie are on the same instance.
            var affinity = cookies
                .Select(jar => jar.GetCookies(fx.Gateway.BaseAddress)[".Community.Affinity"]?.Value)
                .ToList();
            Assert.All(affinity, Assert.NotNull);
            Assert.Equal(2, affinity.Distinct().Count());
            Assert.All(
                affinity.Zip(instances).GroupBy(p => p.First),
                g => Assert.Single(g.Select(p => p.Second).Distinct())
            );

            var alice = clients[0];
            var recipients = clients.Skip(1).ToList();
            for (var i = 0; i < others.Count; i++)
            {
                await alice.Connection.InvokeAsync<JsonElement>(
                    "JoinConversation",
                    others[i].Conversation,
                    (long?)null
                );
                await recipients[i]
                    .Connection.InvokeAsync<JsonElement>("JoinConversation", others[i].Conversation, (long?)null);
            }
            for (var i = 0; i < others.Count; i++)
            {
                await alice.Connection.InvokeAsync<JsonElement>(
                    "SendMessage",
                    others[i].Conversation,
                    $"hello {i}",
                    Guid.NewGuid().ToString("N"),
                    null
                );
            }
            for (var i = 0; i < others.Count; i++)
            {
                var message = await recipients[i].WaitForAsync(LiveEvents.NewMessage);
                Assert.Equal($"hello {i}", message.Str("text"));
            }
            // both instances have clients, so some of them heard alice over the backplane
            Assert.Contains(instances.Skip(1), instance => instance != instances[0]);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_the_affinity_cookie_negotiated_connections_land_on_the_wrong_instance_and_fail()
    {
        var (_, token) = await fx.RegisteredAsync();
        var connected = 0;
        var refusals = new List<string>();
        // Each connection is closed before the next: the balancer picks the less busy instance, and an open one
        // would send the next negotiate and its WebSocket to the same (other) instance. With both idle, each picks at
        // random: the WebSocket lands on the instance that did not negotiate it half the time, and 60 tries all
        // landing right is a chance in 2^60.
        for (var i = 0; i < 60 && refusals.Count == 0; i++)
        {
            try
            {
                // The negotiate's answer is not kept (no cookies), so the WebSocket is balanced on its own.
                await using var live = await LiveConnection.ConnectAsync(
                    Hub,
                    token,
                    Methods,
                    arguments: 1,
                    configure: o =>
                        o.HttpMessageHandlerFactory = handler =>
                        {
                            if (handler is HttpClientHandler client)
                                client.UseCookies = false;
                            return handler;
                        }
                );
                connected++;
            }
            catch (Exception e)
            {
                // "no transport" around the WebSocket's 404 from the instance that never negotiated it
                refusals.Add(e.Message);
            }
        }

        Assert.True(refusals.Count > 0, $"all {connected} connections worked without affinity: the test shows nothing");
        Assert.True(
            refusals.Any(r => r.Contains("404", StringComparison.Ordinal)),
            $"no refusal was the WebSocket's 404: {string.Join(" | ", refusals.Distinct())}"
        );
    }
}
