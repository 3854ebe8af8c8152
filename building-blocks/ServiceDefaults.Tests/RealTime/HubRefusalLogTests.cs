using System.Text.Json.Nodes;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests.RealTime;

public sealed class RefusalLogHubFixture : IAsyncLifetime
{
    public IsolatedResources Resources { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    public TestTokens Tokens { get; private set; } = null!;
    public HubHost Host { get; private set; } = null!;
    public LogCapture Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Tokens = new TestTokens(Clock);
        Resources = await TestInfrastructure.IsolateAsync(nameof(RefusalLogHubFixture));
        Host = await HubHost.StartAsync(
            Resources,
            Tokens,
            Clock,
            configure: builder =>
            {
                builder.Logging.AddProvider(Logs);
                // This provider sees everything, so a refusal logged lower than Warning still shows here.
                builder.Logging.AddFilter<LogCapture>(null, LogLevel.Trace);
            }
        );
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Resources.DisposeAsync();
        Tokens.Dispose();
    }
}

public sealed class HubRefusalLogTests(RefusalLogHubFixture fx) : IClassFixture<RefusalLogHubFixture>
{
    private const string Dispatcher = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    /// <summary>
    /// A refusal is logged at Information; one for the rate only at Debug, since a client calling as fast as its socket
    /// allows would otherwise write a line for each call.
    /// </summary>
    [Fact]
    public async Task HubException_refusals_log_nothing_at_Warning_or_above_and_rate_limited_calls_only_at_Debug()
    {
        await using var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(Guid.NewGuid()));
        var before = fx.Logs.Entries.Count;

        var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Refuse", "hub"));
        Assert.Contains("HubException: Not now.", refused.Message);
        // Too many calls: the rate limit's refusal (Typing allows a burst of 2), then a flood of them unanswered.
        var limited = await Assert.ThrowsAsync<HubException>(async () =>
        {
            for (var i = 0; i < 3; i++)
                await client.Connection.InvokeAsync("Typing");
        });
        // Told as any refusal: the clients read "HubException: " before the reason.
        Assert.Contains("HubException: Too many Typing calls", limited.Message);
        for (var i = 0; i < 50; i++)
            await client.Connection.SendAsync("Typing");
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    fx.Logs.Entries.Skip(before)
                        .Count(e => e.Level == LogLevel.Debug && e.Category == typeof(HubRefusalFilter).FullName) >= 40
                ),
            "the flood's refusals were not logged at Debug"
        );
        Assert.Equal("still here", await client.Connection.InvokeAsync<string>("Echo", "still here"));

        AssertRefusalsLoggedQuietly(fx.Logs.Entries.Skip(before).ToList(), expected: 1);
    }

    [Fact]
    public async Task Domain_refusals_answer_with_their_status_and_log_nothing_at_Warning_or_above()
    {
        await using var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(Guid.NewGuid()));
        var before = fx.Logs.Entries.Count;

        foreach (
            var (kind, answer) in new[]
            {
                ("not_found", "HubException: 404 Not found: No such thing."),
                ("validation", "HubException: 400 Validation failed: text: text is required."),
                ("forbidden", "HubException: 403 Forbidden: Not yours."),
            }
        )
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Refuse", kind));
            Assert.Contains(answer, refused.Message);
        }

        AssertRefusalsLoggedQuietly(fx.Logs.Entries.Skip(before).ToList(), expected: 3);
    }

    [Fact]
    public async Task Calls_a_hub_cannot_bind_are_refused_without_a_warning_and_the_connection_stays()
    {
        await using var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(Guid.NewGuid()));
        var before = fx.Logs.Entries.Count;

        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("NoSuchMethod", "x"));
        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Echo", new { not = "a string" }));
        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Echo", "one", "too many"));
        Assert.Equal("still here", await client.Connection.InvokeAsync<string>("Echo", "still here"));

        Assert.DoesNotContain(fx.Logs.Entries.Skip(before), e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_call_whose_string_holds_a_control_character_is_told_so_as_the_api_tells_it()
    {
        await using var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(Guid.NewGuid()));
        var before = fx.Logs.Entries.Count;

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            client.Connection.InvokeAsync<string>("Echo", "a\u0000b")
        );
        Assert.Contains("text (argument 1) contains the control character U+0000.", refused.Message);
        Assert.DoesNotContain('\0', refused.Message);
        Assert.Equal("still here", await client.Connection.InvokeAsync<string>("Echo", "still here"));
        Assert.DoesNotContain(fx.Logs.Entries.Skip(before), e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_call_whose_string_is_not_valid_Unicode_is_refused_and_the_connection_stays()
    {
        // The official clients cannot send a lone surrogate; a raw WebSocket (or a browser's JSON.stringify) can.
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        var url = new UriBuilder(fx.Host.BaseAddress)
        {
            Scheme = "ws",
            Path = HubHost.HubPath,
            Query = "access_token=" + fx.Tokens.Issue(Guid.NewGuid()),
        };
        await socket.ConnectAsync(url.Uri, CancellationToken.None);
        var before = fx.Logs.Entries.Count;
        await SendFrameAsync(socket, """{"protocol":"json","version":1}""");
        Assert.Equal("{}", await ReadFrameAsync(socket));

        await SendFrameAsync(socket, """{"type":1,"invocationId":"1","target":"Echo","arguments":["\ud800"]}""");
        var refused = JsonNode.Parse(await ReadFrameAsync(socket, "\"invocationId\":\"1\""))!;
        Assert.Contains("not valid Unicode", refused["error"]!.GetValue<string>());
        await SendFrameAsync(socket, """{"type":1,"invocationId":"2","target":"Echo","arguments":["still here"]}""");
        var answered = JsonNode.Parse(await ReadFrameAsync(socket, "\"invocationId\":\"2\""))!;
        Assert.Equal("still here", answered["result"]!.GetValue<string>());

        Assert.DoesNotContain(fx.Logs.Entries.Skip(before), e => e.Level >= LogLevel.Warning);
    }

    private static Task SendFrameAsync(System.Net.WebSockets.ClientWebSocket socket, string json) =>
        socket.SendAsync(
            System.Text.Encoding.UTF8.GetBytes(json + "\u001e"),
            System.Net.WebSockets.WebSocketMessageType.Text,
            endOfMessage: true,
            CancellationToken.None
        );

    /// <summary>The next frame (without its separator) holding <paramref name="containing"/>; pings skipped.</summary>
    private static async Task<string> ReadFrameAsync(
        System.Net.WebSockets.ClientWebSocket socket,
        string containing = ""
    )
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        var pending = "";
        while (true)
        {
            var frames = pending.Split('\u001e');
            foreach (var frame in frames[..^1])
                if (frame.Contains(containing, StringComparison.Ordinal))
                    return frame;
            pending = frames[^1];
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.NotEqual(System.Net.WebSockets.WebSocketMessageType.Close, read.MessageType);
            pending += System.Text.Encoding.UTF8.GetString(buffer, 0, read.Count);
        }
    }

    [Fact]
    public async Task A_call_cut_short_by_its_connection_ending_logs_nothing_at_Warning_or_above()
    {
        var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(Guid.NewGuid()));
        var before = fx.Logs.Entries.Count;
        var waiting = ProbeHub.Waiting;
        await client.Connection.SendAsync("WaitForTheConnection");
        await Eventually.TrueAsync(() => Task.FromResult(ProbeHub.Waiting > waiting), "the call never started");

        await client.DisposeAsync(); // the client leaves while its call runs

        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    fx.Logs.Entries.Skip(before)
                        .Any(e => e.Category == typeof(HubRefusalFilter).FullName && e.Message.Contains("cut short"))
                ),
            "the call was never cut short"
        );
        Assert.DoesNotContain(fx.Logs.Entries.Skip(before), e => e.Level >= LogLevel.Warning);
    }

    // Nothing at Warning or above; each refusal on record once, at Information, without a stack trace.
    private static void AssertRefusalsLoggedQuietly(IReadOnlyList<LogEntry> logged, int expected)
    {
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Warning);
        var refusals = logged
            .Where(e => e.Category == typeof(HubRefusalFilter).FullName && e.Level == LogLevel.Information)
            .ToList();
        Assert.Equal(expected, refusals.Count);
        Assert.All(refusals, e => Assert.Null(e.Exception));
    }

    [Fact]
    public async Task A_connection_refused_as_it_opens_is_closed_with_its_reason_logged_quietly_and_no_longer_watched()
    {
        var user = Guid.NewGuid();
        ProbeHub.RefusedOnConnecting[user.ToString()] = 0;
        var before = fx.Logs.Entries.Count;

        // The handshake is answered before OnConnectedAsync runs; the refusal comes as the close message.
        await using var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(user));
        var closed = await client.Closed.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("HubException: Not you.", closed?.Message);
        // The session guard let go of it: SignalR calls no OnDisconnectedAsync for such a connection.
        Assert.False(fx.Host.Services.GetRequiredService<HubSessionGuard>().Watches(user));
        var logged = fx.Logs.Entries.Skip(before).ToList();
        Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Warning);
        Assert.Contains(
            logged,
            e =>
                e.Category == typeof(HubRefusalFilter).FullName
                && e.Level == LogLevel.Information
                && e.Message.Contains("Not you.")
        );
    }

    [Fact]
    public async Task Genuine_faults_still_log_an_error_with_the_exception()
    {
        await using var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(Guid.NewGuid()));
        var before = fx.Logs.Entries.Count;

        var failed = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Refuse", "boom"));
        Assert.DoesNotContain("genuine fault", failed.Message);
        var unavailable = await Assert.ThrowsAsync<HubException>(() =>
            client.Connection.InvokeAsync("Refuse", "unavailable")
        );
        Assert.Contains("HubException: 503 Service unavailable: The mail server is down.", unavailable.Message);
        // a database fault that may pass: a 503 the client may call again on, as a REST request's
        var database = await Assert.ThrowsAsync<HubException>(() =>
            client.Connection.InvokeAsync("Refuse", "database")
        );
        Assert.Contains("HubException: 503 Service unavailable: The service's database is busy", database.Message);
        Assert.DoesNotContain("reset by peer", database.Message);
        Assert.Equal("still here", await client.Connection.InvokeAsync<string>("Echo", "still here"));

        var errors = fx.Logs.Entries.Skip(before).Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.Contains(errors, e => e.Category == Dispatcher && e.Exception is InvalidOperationException);
        // a dependency down is said once, as a Warning without its stack
        Assert.DoesNotContain(errors, e => e.Exception is ServiceUnavailableException);
        Assert.Contains(
            fx.Logs.Entries.Skip(before),
            e =>
                e.Level == LogLevel.Warning
                && e.Exception is null
                && e.Message.Contains("answered 503: The mail server is down.", StringComparison.Ordinal)
        );
        Assert.Contains(
            errors,
            e => e.Category == typeof(HubRefusalFilter).FullName && e.Exception is Npgsql.NpgsqlException
        );
    }
}
