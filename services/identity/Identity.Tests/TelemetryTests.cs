using System.Collections.Concurrent;
using System.Text;
using Community.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Community.Identity.Tests;

/// <summary>A collector stand-in: a real OTLP/HTTP endpoint on loopback that keeps every export it receives.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    public ConcurrentQueue<(string Signal, byte[] Body)> Exports { get; } = new();
    public string Url => _app.Urls.First();

    public OtlpReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Exports.Enqueue((signal, body.ToArray()));
            return Results.Ok();
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    /// <summary>OTLP is protobuf: strings travel as plain UTF-8 bytes, so a search finds names and paths.</summary>
    public bool Received(string signal, string text) =>
        Exports.Any(e => e.Signal == signal && e.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

public sealed class TelemetryFixture : IdentityFixture
{
    public OtlpReceiver Collector { get; } = new();

    public override async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(nameof(TelemetryTests));
        Host = StartHost(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "identity-under-test",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["Logging:LogLevel:Default"] = "Information",
        });
        Client = Host.NewClient();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Collector.DisposeAsync();
    }
}

public sealed class TelemetryTests(TelemetryFixture fx) : IClassFixture<TelemetryFixture>
{
    private static async Task<string> RawGetAsync(Uri server, string path)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Traces_metrics_and_logs_reach_the_collector_and_health_probes_stay_out_of_traces()
    {
        // Probes over a raw socket, as a kubelet sends them: the service shares this process, and an
        // HttpClient here would trace its own client-side span of the probe.
        for (var i = 0; i < 3; i++) Assert.Contains("200 OK", await RawGetAsync(fx.Host.BaseAddress, "/health/live"));
        await (await fx.Client.PostJson("/api/v1/auth/login", new { identifier = "telemetry_nobody", password = "wrong-password-1" })).AssertProblem(401);

        // "POST /api/v1/auth/login" is the name of the service's server span (the test client's span is named "POST").
        await Eventually.TrueAsync(() => Task.FromResult(fx.Collector.Received("traces", "POST /api/v1/auth/login")), "no server span of the login request was exported");
        Assert.True(fx.Collector.Received("traces", "http.route"), "server spans carry the route");
        Assert.True(fx.Collector.Received("traces", "identity-under-test"), "spans carry the service name");
        Assert.True(fx.Collector.Received("traces", "Npgsql"), "database spans are exported too");
        await Eventually.TrueAsync(() => Task.FromResult(fx.Collector.Received("metrics", "http.server.request.duration")), "no ASP.NET Core metrics were exported");
        await Eventually.TrueAsync(() => Task.FromResult(fx.Collector.Received("logs", "Request refused with")), "no logs were exported");
        Assert.False(fx.Collector.Received("traces", "GET /health/live"), "health probes must not be traced");
    }
}
