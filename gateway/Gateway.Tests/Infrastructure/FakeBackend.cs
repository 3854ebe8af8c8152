using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>What the backend received, as it echoes it back.</summary>
public sealed record EchoedRequest(
    string Method,
    string Path,
    string Query,
    Dictionary<string, string> Headers,
    long BodyBytes = 0,
    string Connection = ""
)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A stand-in for the services behind the gateway, on a real Kestrel port: identity's JWKS,
/// an echo of every other request, and a WebSocket echo on /hubs/echo (sent <see cref="ResetCommand"/>, it resets the
/// connection instead, as a server ends a WebSocket whose client does not answer its close).
/// </summary>
public sealed class FakeBackend : FakeHttpServer<EchoedRequest>
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly TestTokens _issuer;

    private int _webSockets;

    /// <summary>The text that makes /hubs/echo reset its connection rather than echo.</summary>
    public const string ResetCommand = "reset!";

    private FakeBackend(TestTokens issuer) => _issuer = issuer;

    /// <summary>How many WebSockets /hubs/echo has accepted.</summary>
    public int WebSocketsAccepted => Volatile.Read(ref _webSockets);

    public static async Task<FakeBackend> StartAsync(TestTokens issuer)
    {
        var backend = new FakeBackend(issuer);
        await backend.StartServerAsync();
        return backend;
    }

    protected override void Map(WebApplication app)
    {
        app.UseWebSockets();
        app.MapGet(
            "/.well-known/jwks.json",
            () =>
                Results.Json(
                    new JsonWebKeySetDocument([EcPublicJwk.From(_issuer.Kid, _issuer.Key)]),
                    EcPublicJwk.SerializerOptions
                )
        );
        app.Map("/hubs/echo", EchoWebSocketAsync);
        app.Map("/{**path}", EchoAsync);
    }

    private async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        // Read the whole body, as a real service would, and say how much arrived.
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
        long bodyBytes = 0;
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            bodyBytes += read;
        var echoed = new EchoedRequest(
            request.Method,
            request.Path.Value ?? "",
            request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            bodyBytes,
            context.Connection.Id
        );
        Record(echoed);
        await context.Response.WriteAsJsonAsync(echoed, Json);
    }

    private async Task EchoWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _webSockets);
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                return;
            }
            if (Encoding.UTF8.GetString(buffer, 0, received.Count) == ResetCommand)
            {
                // no lingering: the connection ends with a reset, not a close
                context.Features.Get<IConnectionSocketFeature>()!.Socket.LingerState = new LingerOption(true, 0);
                context.Abort();
                return;
            }
            await socket.SendAsync(
                buffer.AsMemory(0, received.Count),
                received.MessageType,
                received.EndOfMessage,
                context.RequestAborted
            );
        }
    }
}
