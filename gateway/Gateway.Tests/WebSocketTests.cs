using System.Net.WebSockets;
using System.Text;

namespace Community.Gateway.Tests;

public sealed class WebSocketTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _ = fixture;

    private Uri HubUri(string path, string? token)
    {
        var uri = new UriBuilder(_.Gateway.Address) { Scheme = "ws", Path = path };
        if (token is not null)
            uri.Query = "access_token=" + Uri.EscapeDataString(token);
        return uri.Uri;
    }

    [Fact]
    public async Task A_websocket_with_the_token_in_the_query_string_is_proxied_to_the_hub()
    {
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(HubUri("/hubs/echo", _.Tokens.Issue()), timeout.Token);

        await socket.SendAsync(
            Encoding.UTF8.GetBytes("hello through the gateway"),
            WebSocketMessageType.Text,
            true,
            timeout.Token
        );
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal("hello through the gateway", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_websocket_without_a_valid_token_is_refused_with_401(bool forged)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        var token = forged ? _.Tokens.Issue(audience: "someone-else") : null;
        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(HubUri("/hubs/echo", token), CancellationToken.None)
        );

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    [Fact]
    public async Task The_access_token_query_parameter_is_accepted_on_hub_paths()
    {
        var token = _.Tokens.Issue();

        var echo = await GatewayFixture.EchoOf(
            await _.SendAsync(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1&access_token=" + token)
        );

        Assert.Equal("/hubs/chat/negotiate", echo.Path);
    }

    [Theory]
    [InlineData("/api/v1/events/my")]
    [InlineData("/api/v1/users/me")]
    public async Task The_access_token_query_parameter_is_ignored_outside_hub_paths(string path)
    {
        var response = await _.SendAsync(HttpMethod.Get, path + "?access_token=" + _.Tokens.Issue());

        await GatewayFixture.ProblemOf(response, HttpStatusCode.Unauthorized);
    }
}
