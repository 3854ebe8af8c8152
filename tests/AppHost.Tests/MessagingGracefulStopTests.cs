using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Community.Testing;
using Xunit.Abstractions;

namespace Community.AppHost.Tests;

/// <summary>
/// The dashboard's platform with messaging too: identity, messaging and the gateway, each a child process.
/// </summary>
public sealed class MessagingPlatformFixture : DashboardPlatformFixture
{
    protected override bool WithMessaging => true;
}

/// <summary>
/// Messaging stopped by SIGTERM as AppHost (and Kubernetes) stop it, while members hold hub connections through the
/// gateway and its outbox is busy: it ends by itself, each stopping step within its bound (the host's 5 s), finishes
/// the request in flight, and loses nothing.
/// </summary>
public sealed partial class MessagingGracefulStopTests(MessagingPlatformFixture fx, ITestOutputHelper output)
    : IClassFixture<MessagingPlatformFixture>
{
    // The host's stop gives up on its steps after 5 s (ShutdownTimeout); the process's own exit after that (disposal,
    // the telemetry flush) takes what a loaded machine gives it, so the exit is held to AppHost's kill at 10 s, and the
    // steps to their bounds by what they log.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(9);

    [Fact]
    public async Task On_SIGTERM_with_open_hubs_and_a_busy_outbox_messaging_ends_by_itself_losing_nothing()
    {
        using var gateway = new HttpClient { BaseAddress = new Uri(fx.Gateway.Url) };
        var (aliceId, alice) = await RegisterAsync(gateway, "alice");
        var (bobId, bob) = await RegisterAsync(gateway, "bob");
        var database = fx.MessagingDatabase!;
        // identity's UserRegistered reached messaging over the broker; the connection is what social would have
        // announced
        await Eventually.TrueAsync(
            async () =>
                await Sql.ScalarAsync<long>(
                    database,
                    "SELECT count(*) FROM user_profiles WHERE user_id IN (@a, @b)",
                    ("a", aliceId),
                    ("b", bobId)
                ) == 2,
            "messaging never heard of the two users",
            TimeSpan.FromSeconds(60)
        );
        var (low, high) = aliceId.CompareTo(bobId) < 0 ? (aliceId, bobId) : (bobId, aliceId);
        await Sql.ExecuteAsync(
            database,
            "INSERT INTO connections (user_low, user_high, connected, as_of) VALUES (@l, @h, true, now())",
            ("l", low),
            ("h", high)
        );
        var conversation = (
            await (await gateway.PostJson("/api/v1/conversations/direct", new { user_id = bobId }, alice)).AssertStatus(
                201
            )
        )["id"]!.GetValue<string>();

        // members online through the gateway, negotiating as SignalR's clients do
        var hub = new Uri(new Uri(fx.Gateway.Url), "/hubs/chat");
        var members = new List<LiveConnection>();
        foreach (var token in new[] { alice, bob, alice, bob })
            members.Add(await LiveConnection.ConnectAsync(hub, token, ["new_message"], arguments: 1));

        // the outbox busy: senders straight to messaging (the gateway's per-address limit is not under test) until
        // SIGTERM
        using var messaging = new HttpClient { BaseAddress = new Uri(fx.Messaging!.Url) };
        var sent = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stopSending = new CancellationTokenSource();
        var senders = Enumerable
            .Range(0, 8)
            .Select(n =>
                Task.Run(async () =>
                {
                    for (var i = 0; !stopSending.IsCancellationRequested; i++)
                    {
                        try
                        {
                            using var response = await messaging.PostJson(
                                $"/api/v1/conversations/{conversation}/messages",
                                new { text = $"busy {n}-{i}", client_txn_id = Guid.NewGuid().ToString("N") },
                                n % 2 == 0 ? alice : bob
                            );
                            if (response.StatusCode == HttpStatusCode.Created)
                                sent.Add(
                                    (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonNode>())![
                                        "id"
                                    ]!.GetValue<string>()
                                );
                        }
                        catch (HttpRequestException)
                        {
                            return; // the server has gone: nothing more to send
                        }
                    }
                })
            )
            .ToList();
        // rows committed faster than they are published: some wait for the dispatcher
        await Eventually.TrueAsync(
            async () =>
                await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM outbox_messages") > 200
                && await PendingAsync(database) > 0,
            "the senders never kept the outbox busy",
            TimeSpan.FromSeconds(60)
        );

        // one request in flight as SIGTERM arrives: its headers and half its body sent, the rest after the signal
        var body = new SlowBody(
            Encoding.UTF8.GetBytes($$"""{"text": "in flight", "client_txn_id": "{{Guid.NewGuid():N}}"}""")
        );
        using var inFlightRequest = new HttpRequestMessage(
            HttpMethod.Post,
            $"/api/v1/conversations/{conversation}/messages"
        )
        {
            Content = body,
        };
        inFlightRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice);
        using var slowClient = new HttpClient { BaseAddress = messaging.BaseAddress };
        var inFlight = slowClient.SendAsync(inFlightRequest);
        await body.HalfSent.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300);

        var pendingAtSigterm = await PendingAsync(database);
        var gatewayLogMark = fx.Gateway.Logs.After(0).Lines.LastOrDefault()?.Sequence ?? 0;
        using var process = Process.GetProcessById(fx.Messaging.Pid!.Value);
        var clock = Stopwatch.StartNew();
        var stopping = fx.Messaging.StopAsync(); // SIGTERM, as AppHost sends it
        await Task.Delay(500);
        body.SendRest();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        var exitedAfter = clock.Elapsed;
        await stopping;
        stopSending.Cancel();
        await Task.WhenAll(senders);

        var log = string.Join('\n', fx.Messaging.Logs.Snapshot().TakeLast(30));
        output.WriteLine(
            $"exited {exitedAfter.TotalSeconds:0.00} s after SIGTERM; {sent.Count} messages answered 201; "
                + $"outbox rows pending at SIGTERM {pendingAtSigterm}, left for the next start "
                + $"{await PendingAsync(database)}"
        );
        Assert.False(fx.Messaging.KilledOnStop, log);
        Assert.True(
            exitedAfter <= Budget,
            $"messaging took {exitedAfter.TotalSeconds:0.0} s to exit after SIGTERM:\n{log}"
        );
        Assert.DoesNotContain(fx.Messaging.Logs.Snapshot(), line => line.Contains("did not stop within"));
        // The hubs were closed within their own bound: every connection open as it stopped ended within 3 s.
        var closing = fx
            .Messaging.Logs.Snapshot()
            .Select(line => HubsClosed().Match(line))
            .Single(match => match.Success);
        Assert.Equal(closing.Groups["open"].Value, closing.Groups["ended"].Value);

        using var answer = await inFlight;
        Assert.True(
            answer.StatusCode == HttpStatusCode.Created,
            $"the request in flight got {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}"
        );
        sent.Add(
            (await answer.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonNode>())!["id"]!.GetValue<string>()
        );

        // the hubs were closed by messaging as it stopped, not left to time out
        foreach (var member in members)
        {
            await member.WaitForCloseAsync(TimeSpan.FromSeconds(10));
            await member.DisposeAsync();
        }

        // a graceful stop is no failure to report: the gateway saw each hub closed by messaging, not broken
        var gatewayWarnings = fx
            .Gateway.Logs.After(gatewayLogMark)
            .Lines.Select(l => l.Text)
            .Where(l => l.Contains(" warn: ") || l.Contains(" fail: ") || l.Contains(" crit: "))
            .ToList();
        Assert.True(
            gatewayWarnings.Count == 0,
            "the gateway logged while messaging stopped gracefully:\n" + string.Join('\n', gatewayWarnings)
        );

        // every answered 201 is a stored message with exactly one outbox row, published or waiting for the next start
        Assert.NotEmpty(sent);
        var ids = sent.Select(Guid.Parse).ToArray();
        Assert.Equal(
            ids.Length,
            await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM messages WHERE id = ANY(@ids)", ("ids", ids))
        );
        var rows = await Sql.ScalarAsync<long>(
            database,
            "SELECT count(*) FROM outbox_messages WHERE failed_at IS NULL AND (payload::jsonb ->> "
                + "'chatMessageId')::uuid = ANY(@ids)",
            ("ids", ids)
        );
        Assert.Equal(ids.Length, rows);
        Assert.Equal(
            0,
            await Sql.ScalarAsync<long>(
                database,
                "SELECT count(*) FROM (SELECT payload::jsonb ->> 'chatMessageId' AS m FROM outbox_messages GROUP BY 1 "
                    + "HAVING count(*) > 1) twice"
            )
        );
        Assert.Equal(
            0,
            await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM outbox_messages WHERE failed_at IS NOT NULL")
        );
    }

    private static async Task<long> PendingAsync(string database) =>
        await Sql.ScalarAsync<long>(
            database,
            "SELECT count(*) FROM outbox_messages WHERE published_at IS NULL AND failed_at IS NULL"
        );

    private static async Task<(Guid Id, string Token)> RegisterAsync(HttpClient gateway, string name)
    {
        var username = $"{name}_{Guid.NewGuid().ToString("N")[..10]}";
        var registered = await (
            await gateway.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    email = $"{username}@example.com",
                    password = "sunny-dunes-42-stop",
                }
            )
        ).AssertStatus(201);
        return (
            Guid.Parse(registered["user"]!["id"]!.GetValue<string>()),
            registered["access_token"]!.GetValue<string>()
        );
    }

    /// <summary>A request body sent in two halves: the second only when the test says.</summary>
    private sealed class SlowBody : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _rest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SlowBody(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        public Task HalfSent => _halfSent.Task;

        public void SendRest() => _rest.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = _bytes.Length / 2;
            await stream.WriteAsync(_bytes.AsMemory(0, half));
            await stream.FlushAsync();
            _halfSent.TrySetResult();
            await _rest.Task;
            await stream.WriteAsync(_bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(
        @"Closed (?<open>\d+) hub connections as this instance stops \((?<ended>\d+) ended within"
    )]
    private static partial System.Text.RegularExpressions.Regex HubsClosed();
}
