using System.Net.Sockets;
using System.Text;
using Community.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Community.Gateway.Tests;

/// <summary>
/// A rolling restart as the gateway sees it: the instance that came back still fails the gateway's last health probe
/// (here: its /health/ready says 503 while it serves), and the one the probes call healthy is stopping (it answers
/// its probes, and hangs up on requests). A read must still reach the instance that works.
/// </summary>
public sealed class RetriesBeyondHealthTests : IAsyncLifetime
{
    private readonly TestTokens _tokens = new();
    private RawInstance _back = null!;
    private RawInstance _stopping = null!;
    private GatewayHost _gateway = null!;
    private FakeBackend _identity = null!;
    private int _served;

    public async Task InitializeAsync()
    {
        _identity = await FakeBackend.StartAsync(_tokens); // the key set the gateway checks tokens with
        _back = Listen(healthStatus: "503 Service Unavailable", serves: true);
        _stopping = Listen(healthStatus: "200 OK", serves: false);
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = _identity.BaseAddress.ToString().TrimEnd('/'),
                [$"Services:{ResourceNames.Messaging}"] = $"{_stopping.Address};{_back.Address}",
            }
        );
    }

    [Fact]
    public async Task A_read_failing_on_the_only_healthy_instance_goes_to_the_one_the_probes_took_out()
    {
        // the active probes (every 5 s) mark the instance that came back unhealthy (two failures in a row) and the
        // stopping one healthy: from then on the gateway sends requests only to the stopping one
        var lookup = _gateway.Services.GetRequiredService<IProxyStateLookup>();
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    lookup.TryGetCluster(ResourceNames.Messaging, out var cluster)
                        && cluster.Destinations["messaging-0"].Health.Active == DestinationHealth.Healthy
                        && cluster.Destinations["messaging-1"].Health.Active == DestinationHealth.Unhealthy
                ),
            "the probes never took the instance that came back out"
        );

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/conversations");
        request.Headers.Authorization = new("Bearer", _tokens.Issue());
        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("served", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Volatile.Read(ref _served));
    }

    // A raw HTTP/1.1 instance: its probes answered with healthStatus; other requests served ("served") or hung up on.
    private RawInstance Listen(string healthStatus, bool serves) =>
        RawInstance.Start((socket, stop) => AnswerAsync(socket, stop, healthStatus, serves));

    private async Task AnswerAsync(Socket socket, CancellationToken stop, string healthStatus, bool serves)
    {
        using (socket)
        {
            var buffer = new byte[8192];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, SocketFlags.None, stop);
                    if (received == 0)
                        return;
                    var text = Encoding.ASCII.GetString(buffer, 0, received);
                    string answer;
                    if (text.Contains("/health/ready", StringComparison.Ordinal))
                        answer = $"HTTP/1.1 {healthStatus}\r\nContent-Length: 0\r\n\r\n";
                    else if (serves)
                    {
                        Interlocked.Increment(ref _served);
                        answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nserved";
                    }
                    else
                    {
                        socket.LingerState = new LingerOption(true, 0);
                        return; // the instance stops mid-request
                    }
                    await socket.SendAsync(Encoding.ASCII.GetBytes(answer), SocketFlags.None, stop);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException) { }
        }
    }

    public async Task DisposeAsync()
    {
        await _back.DisposeAsync();
        await _stopping.DisposeAsync();
        await _gateway.DisposeAsync();
        await _identity.DisposeAsync();
        _tokens.Dispose();
    }
}
