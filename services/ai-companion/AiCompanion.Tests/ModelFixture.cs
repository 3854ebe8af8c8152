extern alias GatewayApp;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.Logging;
using GatewayProgram = GatewayApp::Program;

namespace Community.AiCompanion.Tests;

/// <summary>
/// The companion talking to a fake OpenAI-compatible server, every log line of the model call captured (to prove the
/// key never appears), and the real gateway in front of it. Its model timeouts are 30 s: tests hold the model while
/// they act (a retry, a forget), and under a loaded machine's load that outlasted 3 s (a 503 where a 409, once in CI);
/// the fixtures of a model that hangs keep 3 s.
/// </summary>
public class ModelFixture : CompanionFixture
{
    public const string ApiKey = "sk-test-SECRET-4f9c2b7e";
    public const string ModelName = "companion-test-model";

    public FakeOpenAiServer Model { get; private set; } = null!;
    public CapturedLogs Logs { get; } = new();
    public ServiceHost<GatewayProgram>? Gateway { get; private set; }
    public HttpClient? GatewayClient { get; private set; }

    protected virtual bool FallbackToOffline => false;

    /// <summary>Whether the real gateway runs in front (the streaming end-to-end tests).</summary>
    protected virtual bool WithGateway => true;

    /// <summary>Companion:Model:Timeout and StreamIdleTimeout.</summary>
    protected virtual string ModelTimeout => "00:00:30";

    /// <summary>A subclass's own settings (a smaller breaker, say).</summary>
    protected virtual void ConfigureModel(IDictionary<string, string?> settings) { }

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings["Companion:Model:Endpoint"] = Model.Endpoint;
        settings["Companion:Model:Model"] = ModelName;
        settings["Companion:Model:ApiKey"] = ApiKey;
        settings["Companion:Model:Timeout"] = ModelTimeout;
        settings["Companion:Model:StreamIdleTimeout"] = ModelTimeout;
        settings["Companion:Model:RetryAfter"] = "00:00:07";
        settings["Companion:Model:FallbackToOffline"] = FallbackToOffline ? "true" : "false";
        settings["Http:Resilience:Clients:companion-model:Retry:Delay"] = "00:00:00.010";
        foreach (
            var category in new[]
            {
                "System.Net.Http",
                "System.ClientModel",
                "OpenAI",
                "Community",
                "Microsoft.AspNetCore.Diagnostics",
            }
        )
            settings[$"Logging:LogLevel:{category}"] = "Trace";
        ConfigureModel(settings);
    }

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton<ILoggerProvider>(Logs);
    }

    public override async Task InitializeAsync()
    {
        Model = await FakeOpenAiServer.StartAsync();
        await base.InitializeAsync();
        if (!WithGateway)
            return;
        Gateway = new ServiceHost<GatewayProgram>(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.AiCompanion}"] = Host.BaseAddress.ToString().TrimEnd('/'),
                ["Logging:LogLevel:Default"] = "Warning",
            },
            services =>
            {
                // The gateway checks the same test-signed tokens on the same movable clock as the service behind it.
                services.AddSingleton<TimeProvider>(Clock);
                services.AddSingleton<ISigningKeySource>(Tokens);
            }
        ).Start();
        GatewayClient = Gateway.NewClient();
    }

    public override async Task DisposeAsync()
    {
        GatewayClient?.Dispose();
        if (Gateway is not null)
            await Gateway.DisposeAsync();
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }
}

/// <summary>The same, with Companion:Model:FallbackToOffline on.</summary>
public sealed class FallbackFixture : ModelFixture
{
    protected override bool FallbackToOffline => true;
    protected override bool WithGateway => false;
}

/// <summary>
/// A model that fails, without the fallback; its own database and breaker state. A hang fails in 3 s.
/// </summary>
public sealed class ModelDownFixture : ModelFixture
{
    protected override bool WithGateway => false;
    protected override string ModelTimeout => "00:00:03";
}

/// <summary>
/// A breaker that opens after a few failed calls (the platform default needs 20), so a test can watch it open.
/// </summary>
public sealed class BreakerFixture : ModelFixture
{
    protected override bool WithGateway => false;
    protected override string ModelTimeout => "00:00:03";

    protected override void ConfigureModel(IDictionary<string, string?> settings)
    {
        settings["Http:Resilience:Clients:companion-model:CircuitBreaker:MinimumThroughput"] = "4";
        settings["Http:Resilience:Clients:companion-model:CircuitBreaker:BreakDuration"] = "00:01:00";
    }
}

/// <summary>
/// Every log line the service writes (message and exception), for assertions on what must never be logged.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<(LogLevel, string)> _entries = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The same lines with their levels.</summary>
    public IReadOnlyList<(LogLevel Level, string Line)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines, _entries);

    public void Dispose() { }

    private sealed class Logger(
        string category,
        ConcurrentQueue<string> lines,
        ConcurrentQueue<(LogLevel, string)> entries
    ) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            var line = $"{category}: {formatter(state, exception)} {exception}";
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                line += " " + string.Join(";", values.Select(v => $"{v.Key}={v.Value}"));
            lines.Enqueue(line);
            entries.Enqueue((logLevel, line));
        }
    }
}

/// <summary>
/// One server-sent event as the client received it, and when (ms since the request was sent; the raw Stopwatch
/// timestamp).
/// </summary>
public sealed record SseEvent(string Name, JsonNode Data, long AtMs, long Timestamp);

public static class Sse
{
    /// <summary>
    /// Posts <paramref name="body"/> and reads the whole event stream, handing each event to
    /// <paramref name="arrived"/> as it arrives; a non-stream answer is returned as the response only.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, IReadOnlyList<SseEvent> Events)> PostAsync(
        HttpClient client,
        string url,
        object body,
        string token,
        Action<SseEvent>? arrived = null
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(
                System.Text.Json.JsonSerializer.Serialize(body, Json.Options),
                Encoding.UTF8,
                "application/json"
            ),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var clock = Stopwatch.StartNew();
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<SseEvent>();
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            return (response, events);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var received = new SseEvent(
                    name ?? "message",
                    JsonNode.Parse(line[6..])!,
                    clock.ElapsedMilliseconds,
                    Stopwatch.GetTimestamp()
                );
                events.Add(received);
                arrived?.Invoke(received);
            }
        }
        return (response, events);
    }

    public static string Text(this IReadOnlyList<SseEvent> events) =>
        string.Concat(events.Where(e => e.Name == "delta").Select(e => e.Data["text"]!.GetValue<string>()));
}
