using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.Identity.Tests;

/// <summary>A collector stand-in: a real OTLP/HTTP endpoint on loopback that keeps every export it receives.</summary>
public sealed class OtlpReceiver : FakeHttpServer<(string Signal, byte[] Body)>
{
    public string Url => BaseAddress.ToString().TrimEnd('/');

    private OtlpReceiver() { }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        await receiver.StartServerAsync();
        return receiver;
    }

    protected override void Map(WebApplication app) =>
        app.MapPost(
            "/v1/{signal}",
            async (string signal, HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                Record((signal, body.ToArray()));
                return Results.Ok();
            }
        );

    /// <summary>OTLP is protobuf: strings travel as plain UTF-8 bytes, so a search finds names and paths.</summary>
    public bool Exported(string signal, string text) =>
        Received.Any(e => e.Signal == signal && e.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0);
}

public sealed class TelemetryFixture : IdentityFixture
{
    public OtlpReceiver Collector { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Collector = await OtlpReceiver.StartAsync();
        Resources = await TestInfrastructure.IsolateAsync(nameof(TelemetryTests));
        Host = StartHost(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Url,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "identity-under-test",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
                ["Logging:LogLevel:Default"] = "Information",
            }
        );
        Client = Host.NewClient();
        await BusReadyAsync(Host);
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
        await stream.WriteAsync(
            Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n")
        );
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Traces_metrics_and_logs_reach_the_collector_and_health_probes_stay_out_of_traces()
    {
        // Probes over a raw socket, as a kubelet sends them: the service shares this process, and an
        // HttpClient here would trace its own client-side span of the probe.
        for (var i = 0; i < 3; i++)
            Assert.Contains("200 OK", await RawGetAsync(fx.Host.BaseAddress, "/health/live"));
        await (
            await fx.Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "telemetry_nobody", password = "wrong-password-1" }
            )
        ).AssertProblem(401);

        // "POST /api/v1/auth/login" is the name of the service's server span (the test client's span is named "POST").
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Collector.Exported("traces", "POST /api/v1/auth/login")),
            "no server span of the login request was exported"
        );
        Assert.True(fx.Collector.Exported("traces", "http.route"), "server spans carry the route");
        Assert.True(fx.Collector.Exported("traces", "identity-under-test"), "spans carry the service name");
        Assert.True(fx.Collector.Exported("traces", "Npgsql"), "database spans are exported too");
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Collector.Exported("metrics", "http.server.request.duration")),
            "no ASP.NET Core metrics were exported"
        );
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Collector.Exported("logs", "Request refused with")),
            "no logs were exported"
        );
        Assert.False(fx.Collector.Exported("traces", "GET /health/live"), "health probes must not be traced");
    }
}
