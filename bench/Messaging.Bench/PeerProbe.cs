using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Community.Events.Bench;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Community.Messaging.Bench;

/// <summary>
/// The floor under the load figures: on an otherwise idle system, one sender sends one message at a time (8 a second
/// at most) to a room with one other member, waiting for each delivery; send-to-delivery, and the SQL each message
/// costs (ours: Npgsql operations in this process, all hosts and consumers included, and transactions committed in
/// messaging's database; ejabberd: transactions committed in its database), less what the same time idle costs.
/// </summary>
public static class PeerProbe
{
    public const int Sends = 100;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan DeliveredWithin = TimeSpan.FromSeconds(10);

    // Our hub allows 10 calls a second on one connection; both sides are paced alike.
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(125);

    /// <summary>What the probe of our side needs from the live run's world.</summary>
    /// <param name="ServersInProcess">
    /// false with <c>--nodes</c>: the servers' SQL and activities are not this process's.
    /// </param>
    public sealed record OurSide(
        LiveWorld World,
        Uri Gateway,
        TestTokens Tokens,
        NpgsqlDataSource Database,
        bool ServersInProcess
    );

    public sealed record Floor(LatencyStats Latency, double? OperationsPerSend, double CommitsPerSend)
    {
        /// <summary>Ours: where a send's time went (<see cref="FloorTimeline"/>); empty for ejabberd.</summary>
        public IReadOnlyList<string> Timeline { get; init; } = [];

        /// <summary>Ours: every activity of the floor by kind (<see cref="FloorTimeline.Counts"/>).</summary>
        public IReadOnlyList<string> Counts { get; init; } = [];
    }

    public static async Task<Floor> OursAsync(OurSide side)
    {
        var conversation = side.World.Conversations[0];
        var sender = Connect(side, 0);
        var receiver = Connect(side, side.World.Conversations.Length);
        var arrived = new ConcurrentDictionary<string, TaskCompletionSource<long>>();
        receiver.On<JsonElement>(
            "new_message",
            message =>
            {
                var at = Stopwatch.GetTimestamp();
                if (arrived.TryGetValue(message.GetProperty("text").GetString() ?? "", out var waiting))
                    waiting.TrySetResult(at);
            }
        );
        try
        {
            await Task.WhenAll(sender.StartAsync(), receiver.StartAsync());
            await sender.InvokeAsync<JsonElement>("JoinConversation", conversation, 0L);
            await receiver.InvokeAsync<JsonElement>("JoinConversation", conversation, 0L);
            using var operations = new OperationCounter();
            using var timeline = new FloorTimeline();
            var floor = await MeasureAsync(
                () => side.ServersInProcess ? operations.Count : null,
                () => CommittedAsync(side.Database),
                async n =>
                {
                    var text = $"probe {n}";
                    var delivered = arrived[text] = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    var start = Stopwatch.GetTimestamp();
                    await sender.InvokeAsync<JsonElement>("SendMessage", conversation, text, $"probe-{n}", null);
                    var at = await delivered.Task.WaitAsync(DeliveredWithin);
                    if (n >= 0)
                        timeline.Sent(start, at);
                    return Stopwatch.GetElapsedTime(start, at);
                }
            );
            string[] seen = side.ServersInProcess
                ? []
                : ["  (the servers run in processes of their own: only the load tool's own activities are seen)"];
            return floor with
            {
                Timeline = [.. seen, .. timeline.Describe()],
                Counts = [.. seen, .. timeline.Counts()],
            };
        }
        finally
        {
            await sender.DisposeAsync();
            await receiver.DisposeAsync();
        }
    }

    public static async Task<Floor> EjabberdAsync(XmppPeer peer, int rooms)
    {
        var room = XmppPeer.Room(0);
        var arrived = new ConcurrentDictionary<string, TaskCompletionSource<long>>();
        await using var sender = await XmppClient.ConnectAsync(
            peer.ClientPort,
            XmppPeer.Domain,
            XmppPeer.User(0),
            XmppPeer.Password,
            CancellationToken.None
        );
        await using var receiver = await XmppClient.ConnectAsync(
            peer.ClientPort,
            XmppPeer.Domain,
            XmppPeer.User(rooms),
            XmppPeer.Password,
            CancellationToken.None
        );
        receiver.GroupMessage = (_, body, at) =>
        {
            if (arrived.TryGetValue(body, out var waiting))
                waiting.TrySetResult(at);
        };
        await sender.JoinAsync(room, XmppPeer.User(0), CancellationToken.None);
        await receiver.JoinAsync(room, XmppPeer.User(rooms), CancellationToken.None);
        return await MeasureAsync(
            () => null,
            peer.CommittedAsync,
            async n =>
            {
                var text = $"probe {n}";
                var delivered = arrived[text] = new(TaskCreationOptions.RunContinuationsAsynchronously);
                var start = Stopwatch.GetTimestamp();
                await sender.SendGroupAsync(room, $"probe-{n}", text, CancellationToken.None);
                return Stopwatch.GetElapsedTime(start, await delivered.Task.WaitAsync(DeliveredWithin));
            }
        );
    }

    public static void Print(Floor ours, Floor peer, Action<string> line)
    {
        string Row(string name, string a, string b) => $"| {name, -36} | {a, 16} | {b, 16} |";
        static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
        static string Per(double? n) => n is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
        line("");
        line($"Floor: one message at a time to one other member, {Sends} sends each, otherwise idle");
        line(Row("", "ours", "ejabberd"));
        line(Row(new string('-', 36), new string('-', 16), new string('-', 16)));
        line(Row("send-to-delivery p50", Ms(ours.Latency.P50), Ms(peer.Latency.P50)));
        line(Row("send-to-delivery p99", Ms(ours.Latency.P99), Ms(peer.Latency.P99)));
        line(Row("SQL round trips per message (Npgsql)", Per(ours.OperationsPerSend), Per(peer.OperationsPerSend)));
        line(Row("transactions committed per message", Per(ours.CommitsPerSend), Per(peer.CommitsPerSend)));
        line("");
        line(
            "Where our floor's time goes: the activities started while a send was on its way, on that send's clock "
                + "(start and length in ms, medians; k-th of its kind; how many a send had)"
        );
        foreach (var row in ours.Timeline)
            line(row);
        line("");
        line(
            "Every activity of our floor by kind, the work after each delivery included "
                + "(how many a send had, median ms)"
        );
        foreach (var row in ours.Counts)
            line(row);
    }

    private static HubConnection Connect(OurSide side, int client) =>
        LiveConnection.Build(
            new Uri(side.Gateway, "/hubs/chat"),
            side.Tokens.Issue(side.World.Users[client]),
            skipNegotiation: true
        );

    private static async Task<Floor> MeasureAsync(
        Func<long?> operations,
        Func<Task<long>> committed,
        Func<int, Task<TimeSpan>> send
    )
    {
        // Warm: the first sends of a conversation pay for plans and pools.
        for (var n = 0; n < 5; n++)
        {
            await send(-1 - n);
            await Task.Delay(Pace);
        }
        var (idleOperations, idleCommits) = await CountAsync(
            operations,
            committed,
            async () =>
            {
                await Task.Delay(Idle);
                return Idle;
            }
        );
        var latencies = new List<double>(Sends);
        var (sentOperations, sentCommits) = await CountAsync(
            operations,
            committed,
            async () =>
            {
                var clock = Stopwatch.StartNew();
                for (var n = 0; n < Sends; n++)
                {
                    var due = Pace * n;
                    if (due > clock.Elapsed)
                        await Task.Delay(due - clock.Elapsed);
                    latencies.Add((await send(n)).TotalMilliseconds);
                }
                return clock.Elapsed;
            }
        );
        return new Floor(
            LatencyStats.From("floor", latencies),
            Net(sentOperations, idleOperations),
            Net(sentCommits, idleCommits)!.Value
        );

        static double? Net((double Count, TimeSpan Took)? busy, (double Count, TimeSpan Took)? idle) =>
            busy is { } b && idle is { } i
                ? (b.Count - i.Count * b.Took.TotalSeconds / i.Took.TotalSeconds) / Sends
                : null;
    }

    private static async Task<((double, TimeSpan)? Operations, (double, TimeSpan)? Commits)> CountAsync(
        Func<long?> operations,
        Func<Task<long>> committed,
        Func<Task<TimeSpan>> run
    )
    {
        var operationsBefore = operations();
        var commitsBefore = await committed();
        var took = await run();
        var operationsAfter = operations();
        // Backends report their counts to the statistics when idle, at most a second later.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var commits = await committed() - commitsBefore;
        return (operationsBefore is { } a && operationsAfter is { } b ? (b - a, took) : null, (commits, took));
    }

    private static async Task<long> CommittedAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        );
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Counts Npgsql operations in this process (db.client.operation.duration: one per round trip).</summary>
    private sealed class OperationCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public OperationCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Npgsql" && instrument.Name == "db.client.operation.duration")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _count));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
