extern alias GatewayApp;
using System.Net.WebSockets;
using System.Text;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.Logging;
using GatewayProgram = GatewayApp::Program;

namespace Community.Messaging.Tests;

/// <summary>
/// The gateway's log says what an operator must act on: a browser dropping its hub WebSocket is the caller's doing and
/// leaves no warning, nor does the service ending one (a session ended), whether or not its client answers the close;
/// a service that cannot be reached is one warning naming it.
/// </summary>
public sealed class GatewayLogTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    [Fact]
    public async Task A_dropped_hub_websocket_leaves_no_warning_in_the_gateways_log()
    {
        var logs = new LogCapture();
        await using var gateway = StartGateway(fx.Host.BaseAddress.ToString().TrimEnd('/'), logs);
        var (_, token) = fx.User();
        logs.Clear();

        for (var i = 0; i < 3; i++)
        {
            using var socket = await ConnectToHubAsync(gateway, token);
            socket.Abort(); // no close frame: the tab was closed, the network went away
        }
        // Whatever the gateway logs of a forwarded request, it logs before the request ends: once hosting has logged
        // the end of all three, nothing more can come of them.
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    logs.Of(HostingDiagnostics, LogLevel.Information)
                        .Count(e =>
                            e.Message.StartsWith("Request finished", StringComparison.Ordinal)
                            && e.Message.Contains("/hubs/chat", StringComparison.Ordinal)
                        ) == 3
                ),
            "the gateway never finished the three hub requests"
        );

        Assert.Empty(logs.AtLeast(LogLevel.Warning));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hub_connection_the_service_ends_with_its_session_leaves_no_warning_in_the_gateways_log(
        bool clientAnswersTheClose
    )
    {
        var logs = new LogCapture();
        await using var gateway = StartGateway(fx.Host.BaseAddress.ToString().TrimEnd('/'), logs);
        var (userId, token) = fx.User();
        using var socket = await ConnectToHubAsync(gateway, token);
        var buffer = new byte[4096];
        logs.Clear();

        // The user signed out everywhere (a password reset): the service's guard ends the open connection.
        var now = fx.Clock.GetUtcNow();
        fx.Host.Services.GetRequiredService<SessionRevocations>()
            .Add(userId, sessionId: null, notBefore: now.AddMinutes(1), tokensExpireBy: now.AddHours(1));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var frames = new StringBuilder();
        if (clientAnswersTheClose)
        {
            // as the SignalR client does: it reads the close message, then the WebSocket's close, and answers it
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, timeout.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
                frames.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
            }
            Assert.Contains("\"type\":7", frames.ToString());
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        // else a client that reads nothing more (a tab asleep): the service closes without its answer
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    logs.Of(HostingDiagnostics, LogLevel.Information)
                        .Any(e =>
                            e.Message.StartsWith("Request finished", StringComparison.Ordinal)
                            && e.Message.Contains("/hubs/chat", StringComparison.Ordinal)
                        )
                ),
            "the gateway never finished the hub request"
        );

        Assert.Empty(logs.AtLeast(LogLevel.Warning));
    }

    [Fact]
    public async Task A_service_that_cannot_be_reached_is_one_warning_naming_it()
    {
        var logs = new LogCapture();
        await using var gateway = StartGateway($"http://127.0.0.1:{ServiceHost<GatewayProgram>.FreePort()}", logs);
        using var client = gateway.NewClient();
        var (_, token) = fx.User();
        logs.Clear();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/conversations");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Equal(GatewayApp::Community.Gateway.ForwardingLog.Category, warning.Category);
        Assert.Contains(ResourceNames.Messaging, warning.Message);
    }

    /// <summary>A raw WebSocket to the chat hub through <paramref name="gateway"/>, past SignalR's handshake.</summary>
    private static async Task<ClientWebSocket> ConnectToHubAsync(ServiceHost<GatewayProgram> gateway, string token)
    {
        var socket = new ClientWebSocket();
        var hub = new UriBuilder(gateway.BaseAddress)
        {
            Scheme = "ws",
            Path = "/hubs/chat",
            Query = "access_token=" + token,
        }.Uri;
        await socket.ConnectAsync(hub, CancellationToken.None);
        await socket.SendAsync(
            Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"),
            WebSocketMessageType.Text,
            true,
            CancellationToken.None
        );
        var buffer = new byte[1024];
        var handshake = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(buffer, 0, handshake.Count));
        return socket;
    }

    /// <summary>Hosting's log of each request's start and end (Information; the gateway ships it at Warning).</summary>
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private ServiceHost<GatewayProgram> StartGateway(string messaging, LogCapture logs) =>
        new ServiceHost<GatewayProgram>(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Messaging}"] = messaging,
                [$"Logging:LogLevel:{HostingDiagnostics}"] = "Information",
            },
            services =>
            {
                services.AddSingleton<TimeProvider>(fx.Clock);
                services.AddSingleton<ISigningKeySource>(fx.Tokens);
                // an empty feed: without one the gateway warns at start that it reads none, and that warning, logged
                // from a background service, may come after the test cleared the log
                services.AddSingleton<IRevocationSource>(new NoRevocations());
                logs.AddTo(services);
            }
        ).Start();

    private sealed class NoRevocations : IRevocationSource
    {
        public Task<RevocationPage> ReadAsync(long after, CancellationToken cancellationToken) =>
            Task.FromResult(new RevocationPage([], after));
    }
}
