using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Community.Contracts;

namespace Community.Gateway.Tests;

/// <summary>
/// A service with two instances behind the gateway, which waits 1 s for a connection to open: one answers, the other
/// is a host that drops every new connection attempt without refusing it (powered off, or a firewall dropping its
/// packets), made here by a listener whose queue of connections not yet accepted is full.
/// </summary>
public sealed class UnreachableInstanceTests : IAsyncLifetime
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    private readonly TestTokens _tokens = new();
    private readonly List<Socket> _queued = [];
    private FakeBackend _alive = null!;
    private Socket _dropping = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _alive = await FakeBackend.StartAsync(_tokens);
        _dropping = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _dropping.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _dropping.Listen(1);
        await FillAcceptQueueAsync((IPEndPoint)_dropping.LocalEndPoint!);
        var alive = _alive.BaseAddress.ToString().TrimEnd('/');
        var dropping = $"http://127.0.0.1:{((IPEndPoint)_dropping.LocalEndPoint!).Port}";
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = alive,
                [$"Services:{ResourceNames.Messaging}"] = $"{dropping};{alive}",
                [GatewayProxyConfig.ConnectTimeoutKey] = ConnectTimeout.TotalSeconds.ToString(),
            }
        );
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var socket in _queued)
            socket.Dispose();
        _dropping.Dispose();
        await _alive.DisposeAsync();
        _tokens.Dispose();
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("POST")]
    public async Task A_write_that_could_not_connect_is_sent_to_the_other_instance(string method)
    {
        var token = _tokens.Issue();
        var before = _alive.Received.Count(r => r.Method == method && r.Path == Path);
        var (sent, waitedOnTheLostOne) = (0, 0);
        // the gateway picks an instance at random until its health checks take the lost one out
        for (; sent < 40 && waitedOnTheLostOne == 0; sent++)
        {
            using var write = new HttpRequestMessage(new HttpMethod(method), Path)
            {
                Content =
                    method == "DELETE"
                        ? null
                        : new StringContent("{\"muted\":true}", Encoding.UTF8, "application/json"),
            };
            write.Headers.Authorization = new("Bearer", token);
            var clock = Stopwatch.StartNew();
            var response = await _gateway.Client.SendAsync(write);
            if (clock.Elapsed >= ConnectTimeout * 0.9)
                waitedOnTheLostOne++;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(waitedOnTheLostOne > 0, $"no {method} was sent to the instance that cannot be reached");
        // each one reached the answering instance exactly once
        Assert.Equal(sent, _alive.Received.Count(r => r.Method == method && r.Path == Path) - before);
    }

    private const string Path = "/api/v1/conversations/5f0c2a52-8d3e-4d53-9a43-3f1a0e4b7c11/mute";

    // Connections the listener never accepts until its queue is full: Linux then drops further connection attempts
    // (they neither open nor are refused).
    private async Task FillAcceptQueueAsync(IPEndPoint endpoint)
    {
        for (var i = 0; i < 8; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await client.ConnectAsync(endpoint, wait.Token);
                _queued.Add(client);
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                return;
            }
        }
        throw new InvalidOperationException("the listener's queue never filled: connection attempts are not dropped");
    }
}
