using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>What the backend received, as it echoes it back.</summary>
public sealed record EchoedRequest(string Method, string Path, string Query, Dictionary<string, string> Headers, long BodyBytes = 0)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A stand-in for the services behind the gateway, on a real Kestrel port: identity's JWKS,
/// an echo of every other request, and a WebSocket echo on /hubs/echo.
/// </summary>
public sealed class FakeBackend : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly WebApplication _app;

    public ConcurrentQueue<EchoedRequest> Received { get; } = new();
    public Uri Address { get; private set; } = null!;

    private FakeBackend(WebApplication app) => _app = app;

    public static async Task<FakeBackend> StartAsync(TokenIssuer issuer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var backend = new FakeBackend(app);

        app.UseWebSockets();
        app.MapGet("/.well-known/jwks.json", () =>
            Results.Json(new JsonWebKeySetDocument([EcPublicJwk.From(issuer.Kid, issuer.Key)]), EcPublicJwk.SerializerOptions));
        app.Map("/hubs/echo", EchoWebSocketAsync);
        app.Map("/{**path}", backend.EchoAsync);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        backend.Address = new Uri(address);
        return backend;
    }

    private async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        // Read the whole body, as a real service would, and say how much arrived.
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
        long bodyBytes = 0;
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0) bodyBytes += read;
        var echoed = new EchoedRequest(
            request.Method,
            request.Path.Value ?? "",
            request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            bodyBytes);
        Received.Enqueue(echoed);
        await context.Response.WriteAsJsonAsync(echoed, Json);
    }

    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
