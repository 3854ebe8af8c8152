using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Community.Events.Bench;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Community.Messaging.Bench;

/// <summary>
/// (a) Every client opens a WebSocket to /hubs/chat through the gateway (no negotiate: the gateway spreads connections
/// over both instances) and joins its conversation; the senders send at a fixed overall rate. Each receiver notes when
/// every new_message arrives; the text names the send, whose start the sender noted, so the difference is
/// send-to-delivery.
/// </summary>
public static class LiveRun
{
    public const double P99TargetMs = 100;
    private const string Hub = "/hubs/chat";
    private static readonly TimeSpan UnansweredAfter = TimeSpan.FromSeconds(15);

    private sealed record Delivery(long Seq, string Text, long At);

    /// <summary>What the load tool reads of a new_message: bound as this record, the client skips the rest of the
    /// message instead of building a document of it for every delivery.</summary>
    private sealed record NewMessage(long Seq, string? Text);

    private sealed class Client
    {
        public Client(int index, Guid conversation, HubConnection hub)
        {
            Index = index;
            Conversation = conversation;
            Hub = hub;
            // Noted on arrival; the client calls handlers in the order the messages came.
            hub.On<NewMessage>(
                "new_message",
                message =>
                {
                    var at = Stopwatch.GetTimestamp();
                    var delivery = new Delivery(message.Seq, message.Text ?? "", at);
                    lock (Deliveries)
                        Deliveries.Add(delivery);
                }
            );
        }

        public int Index { get; }
        public Guid Conversation { get; }
        public HubConnection Hub { get; }
        public List<Delivery> Deliveries { get; } = [];
        public ConcurrentBag<long> OwnSeqs { get; } = [];

        /// <summary>
        /// Sends whose call failed or was not answered in time: their seq is unknown to the sender, who gets no copy.
        /// </summary>
        public int UnansweredSends;
    }

    public static async Task<LiveFigures> RunAsync(
        MessagingBenchOptions options,
        LiveWorld world,
        LiveHosts hosts,
        TestTokens tokens,
        NpgsqlDataSource database,
        string redis,
        Action<string> line
    )
    {
        line("");
        line(
            $"(a) Live: {options.Clients:N0} WebSocket clients "
                + (options.NoGateway ? "straight to" : "through")
                + $" {hosts.Gateways.Count} {(options.NoGateway ? "instances" : "gateway(s)")}, "
                + $"{options.Conversations} conversations, "
                + $"{options.Senders} sender(s) each sending {options.Messages} messages, "
                + $"{options.Rate} messages/s in all"
        );
        line(new string('-', 100));
        var memoryBefore = hosts.Memory();
        var connecting = Stopwatch.StartNew();
        var clients = new Client[options.Clients];
        var connectErrors = 0;
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, options.Clients),
                new ParallelOptions { MaxDegreeOfParallelism = 32 },
                async (i, _) =>
                {
                    var token = tokens.Issue(world.Users[i]);
                    for (var attempt = 1; ; attempt++)
                    {
                        var gateway = hosts.Gateways[i % hosts.Gateways.Count];
                        var hub = LiveConnection.Build(new Uri(gateway, Hub), token, skipNegotiation: true);
                        var client = new Client(i, world.ConversationOf(i), hub);
                        try
                        {
                            await client.Hub.StartAsync();
                            clients[i] = client;
                            return;
                        }
                        catch (Exception e)
                            when (attempt < 3 && e is WebSocketException or HttpRequestException or TimeoutException)
                        {
                            await client.Hub.DisposeAsync();
                            Interlocked.Increment(ref connectErrors);
                        }
                    }
                }
            );
            var figures = await MeasureAsync(
                options,
                clients,
                connectErrors,
                connecting.Elapsed,
                hosts,
                memoryBefore,
                redis,
                line
            );
            // The peer comparison has no counterpart of the sends through the gateway.
            if (options.SendSeconds > 0 && !options.Peer)
                await SendRun.RunAsync(options, world, hosts, tokens, database, line);
            return figures;
        }
        finally
        {
            await Parallel.ForEachAsync(
                clients.OfType<Client>(),
                new ParallelOptions { MaxDegreeOfParallelism = 64 },
                async (client, _) => await client.Hub.DisposeAsync()
            );
        }
    }

    private static async Task<LiveFigures> MeasureAsync(
        MessagingBenchOptions options,
        Client[] clients,
        int connectErrors,
        TimeSpan connected,
        LiveHosts hosts,
        IReadOnlyList<(string Process, long Bytes)> memoryBefore,
        string redis,
        Action<string> line
    )
    {
        var joining = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            clients,
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (client, _) => await client.Hub.InvokeAsync<JsonElement>("JoinConversation", client.Conversation, 0L)
        );
        var perInstance = await hosts.HeldPerInstanceAsync();
        line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"connected {clients.Length:N0} clients in {connected.TotalSeconds:0.0} s ({connectErrors} retried), "
                    + $"joined in {joining.Elapsed.TotalSeconds:0.0} s; "
                    + $"hub connections per instance: {perInstance}"
            )
        );
        line(MemoryPerConnection(memoryBefore, hosts.Memory(), clients.Length));

        // Sender k of conversation c is client c + k * conversations; each sends on its own fixed schedule, offset so
        // sends spread evenly.
        var senders = Enumerable.Range(0, options.Conversations * options.Senders).Select(i => clients[i]).ToList();

        // Warm-up: one untimed message per sender (JIT, pools, the backplane's first publishes), delivered before the
        // clock starts.
        await Task.WhenAll(
            senders.Select(async sender =>
            {
                var message = await sender.Hub.InvokeAsync<JsonElement>(
                    "SendMessage",
                    sender.Conversation,
                    $"warm-up {sender.Index}",
                    $"bench-{sender.Index}-warm-up",
                    null
                );
                sender.OwnSeqs.Add(message.GetProperty("seq").GetInt64());
            })
        );
        var warmUp = options.Senders;
        var warming = Stopwatch.StartNew();
        while (warming.Elapsed < TimeSpan.FromSeconds(15) && clients.Any(c => Seen(c).Count < warmUp))
            await Task.Delay(50);
        var interval = options.SendInterval;
        var sentAt = new ConcurrentDictionary<string, long>();
        var sendTimes = new ConcurrentBag<double>();
        var sendErrors = new ConcurrentBag<string>();
        // The timed window opens with the first timed round, decided while the untimed rounds run.
        var schedule = WarmUpSchedule.Start(options, hosts.CompiledMethodsAsync);
        var cpu = schedule.TimedFromAsync().ContinueWith(t => MachineCpu.From(schedule.Timestamp(t.Result)));
        var allocatedBefore = schedule.TimedFromAsync().ContinueWith(_ => GC.GetTotalAllocatedBytes());
        var redisCommands = schedule
            .TimedFromAsync()
            .ContinueWith(t => RedisCommands.From(redis, schedule.Timestamp(t.Result)));
        // On the console only (run-peer.sh's PEER_TRACE waits for it): when the timed sends begin.
        _ = schedule.TimedFromAsync().ContinueWith(t => Console.WriteLine($"timed sends begin at round {t.Result}"));
        // Open loop: a send leaves on its schedule whether or not the previous one was answered, so --rate is what is
        // offered.
        await Task.WhenAll(
            senders.Select(
                async (sender, k) =>
                {
                    var offset = interval * k / senders.Count;
                    var sends = new List<Task>();
                    for (var n = 0; ; n++)
                    {
                        var due = offset + interval * n;
                        if (due > schedule.Elapsed)
                            await Task.Delay(due - schedule.Elapsed);
                        if (schedule.Done(n))
                            break;
                        sends.Add(SendAsync(sender, n, schedule.IsTimed(n)));
                    }
                    await Task.WhenAll(sends);
                }
            )
        );
        var untimed = await schedule.TimedFromAsync();
        var firstSend = schedule.Timestamp(untimed);
        var firstSendUtc = schedule.Utc(untimed);

        async Task SendAsync(Client sender, int n, bool timed)
        {
            var text = timed ? $"bench {sender.Index} {n}" : $"warm-up {sender.Index} {n}";
            var start = Stopwatch.GetTimestamp();
            if (timed)
                sentAt[text] = start;
            try
            {
                using var answerWithin = new CancellationTokenSource(UnansweredAfter);
                var message = await sender.Hub.InvokeAsync<JsonElement>(
                    "SendMessage",
                    sender.Conversation,
                    text,
                    $"bench-{sender.Index}-{n}",
                    null,
                    answerWithin.Token
                );
                if (timed)
                    sendTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                sender.OwnSeqs.Add(message.GetProperty("seq").GetInt64());
            }
            catch (Exception e) when (e is HubException or InvalidOperationException or OperationCanceledException)
            {
                sendErrors.Add(e.Message);
                Interlocked.Increment(ref sender.UnansweredSends);
            }
        }
        var sendingTook = schedule.Elapsed;

        // Every message a conversation got should reach all its members (the sender's own may come as the call's answer
        // only).
        var expected = warmUp + options.Senders * (untimed + options.Messages);
        var settle = Stopwatch.StartNew();
        while (
            settle.Elapsed < TimeSpan.FromSeconds(30) && clients.Any(c => Seen(c).Count + c.UnansweredSends < expected)
        )
            await Task.Delay(100);
        var cpuUsed = await (await cpu).UntilNowAsync();
        var allocated = GC.GetTotalAllocatedBytes() - await allocatedBefore;
        var redisUsed = await (await redisCommands).DescribeUntilNowAsync(senders.Count * options.Messages);

        var latencies = new List<double>();
        // Each delivery's message and when it was sent, to tell whether the tail is stalls or queueing (TailShape).
        var timedDeliveries = new List<(double Latency, string Text, long SentAt)>();
        // Send-to-delivery by when the message was sent (5 s windows): whether the tail is spikes or a steady queue.
        var byWindow = new SortedDictionary<long, List<double>>();
        var delivered = 0L;
        long lastDelivery = firstSend;
        int gaps = 0,
            duplicates = 0,
            outOfOrder = 0,
            complete = 0,
            unanswered = 0;
        foreach (var client in clients)
        {
            List<Delivery> deliveries;
            lock (client.Deliveries)
                deliveries = [.. client.Deliveries];
            foreach (var d in deliveries)
            {
                if (
                    d.Text.StartsWith($"bench {client.Index} ", StringComparison.Ordinal)
                    || !sentAt.TryGetValue(d.Text, out var at)
                )
                    continue;
                lastDelivery = Math.Max(lastDelivery, d.At);
                delivered++;
                var latency = Stopwatch.GetElapsedTime(at, d.At).TotalMilliseconds;
                latencies.Add(latency);
                timedDeliveries.Add((latency, d.Text, at));
                var windowIndex = (long)(Stopwatch.GetElapsedTime(firstSend, at).TotalSeconds / 5);
                if (!byWindow.TryGetValue(windowIndex, out var inWindow))
                    byWindow[windowIndex] = inWindow = [];
                inWindow.Add(latency);
            }
            duplicates += deliveries.Count - deliveries.Select(d => d.Seq).Distinct().Count();
            outOfOrder += deliveries.Zip(deliveries.Skip(1)).Count(p => p.Second.Seq <= p.First.Seq);
            var seen = Seen(client);
            var missing = Enumerable.Range(1, expected).Count(s => !seen.Contains(s));
            // A sender cannot know the seq of its own unanswered sends (the server sends the origin no copy): those are
            // not gaps.
            var unknowable = Math.Min(missing, client.UnansweredSends);
            gaps += missing - unknowable;
            unanswered += unknowable;
            if (missing == unknowable)
                complete++;
        }
        var window = Stopwatch.GetElapsedTime(firstSend, lastDelivery).TotalSeconds;

        line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"sent {senders.Count:N0} warm-up messages at once and {schedule.Describe(senders.Count)}, "
                    + $"then {sendTimes.Count:N0} timed messages, "
                    + $"the last answered after {sendingTook.TotalSeconds:0.0} s (scheduled over "
                    + $"{(interval * (untimed + options.Messages - 1)).TotalSeconds:0.0} s) ({sendErrors.Count} "
                    + $"failed{(sendErrors.IsEmpty ? "" : ": " + sendErrors.First())})"
            )
        );
        line(Stats("SendMessage call (sender's round trip)", [.. sendTimes]));
        line(MachineCpu.Describe(cpuUsed, senders.Count * options.Messages, delivered));
        line(redisUsed);
        if (latencies.Count > 0)
        {
            var stats = LatencyStats.From("send-to-delivery", latencies);
            line(Stats("send-to-delivery at every other member", latencies));
            line(
                "p99 per 5 s of sending (ms): "
                    + string.Join(
                        " ",
                        byWindow.Values.Select(w =>
                            LatencyStats.From("window", w).P99.ToString("0", CultureInfo.InvariantCulture)
                        )
                    )
            );
            line(TailShape(timedDeliveries, stats.P99, firstSend));
            line(
                PausesAndTail(
                    timedDeliveries,
                    stats.P99,
                    StallWatch.PausesSince(firstSend),
                    allocated / (double)(senders.Count * options.Messages),
                    firstSend,
                    hosts.FirstInstance is null ? "the load tool's clients" : "the load tool's clients and the servers"
                )
            );
            line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"delivered {delivered:N0} messages to other members in {window:0.0} s: "
                        + $"{delivered / Math.Max(window, 0.001):N0} messages/s"
                )
            );
            foreach (var (process, seconds) in await hosts.StallsAsync(firstSendUtc))
                line(
                    $"stalls, {process}: "
                        + (
                            seconds.Length == 0
                                ? $"no second with GC pauses or thread-pool lateness over {StallWatch.Threshold} ms"
                                : string.Join(
                                    "; ",
                                    seconds.Select(x =>
                                        string.Create(
                                            CultureInfo.InvariantCulture,
                                            $"+{(x.At - firstSendUtc).TotalSeconds:0} s: GC {x.GcPauseMs:0} ms"
                                                + $"{(x.Gen2 > 0 ? $" (gen2 x{x.Gen2})" : "")}, pool late "
                                                + $"{x.PoolLateMs:0} ms, {x.Queued} queued, {x.Threads} threads"
                                        )
                                    )
                                )
                        )
                );
            line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"target p99 <= {P99TargetMs} ms: "
                        + $"{(stats.P99 <= P99TargetMs ? "OK" : "MISSED")} (p99 {stats.P99:0.0} ms)"
                )
            );
        }
        else
            line("no message was delivered");
        line(
            $"order per client: {complete:N0}/{clients.Length:N0} clients saw seq 1..{expected} with no gap; missing "
                + $"seqs {gaps}, duplicates {duplicates}, "
                + $"out of order {outOfOrder} (not counted: {unanswered} seqs of the senders' own unanswered calls)"
        );
        return new LiveFigures(
            clients.Length,
            options.Conversations,
            options.Rate,
            delivered,
            delivered / Math.Max(window, 0.001),
            latencies.Count > 0 ? LatencyStats.From("send-to-delivery", latencies) : null,
            sendTimes.IsEmpty ? null : LatencyStats.From("round trip", [.. sendTimes]),
            complete,
            gaps,
            duplicates,
            outOfOrder,
            sendErrors.Count,
            MachineCpu.PerMessageMs(cpuUsed, senders.Count * options.Messages)
        );
    }

    /// <summary>
    /// Where the deliveries over the p99 come from: how many messages they belong to, in how many 100-ms slices of
    /// sending, and how those messages reached their other members. Few slices, every member late: a stall (a GC pause,
    /// a periodic job) held everything at once; many slices, the other members on time: queueing in the fan-out.
    /// </summary>
    public static string TailShape(List<(double Latency, string Text, long SentAt)> deliveries, double p99, long start)
    {
        var slow = deliveries.Where(d => d.Latency > p99).ToList();
        if (slow.Count == 0)
            return "over the p99: no delivery";
        var messages = slow.Select(d => d.Text).ToHashSet();
        var slices = slow.Select(d => (long)(Stopwatch.GetElapsedTime(start, d.SentAt).TotalMilliseconds / 100))
            .Distinct()
            .Count();
        var allSlices = deliveries
            .Select(d => (long)(Stopwatch.GetElapsedTime(start, d.SentAt).TotalMilliseconds / 100))
            .Distinct()
            .Count();
        var ofThose = deliveries.Where(d => messages.Contains(d.Text)).ToList();
        var lateEverywhere = ofThose.GroupBy(d => d.Text).Count(m => m.All(d => d.Latency > p99 / 2));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"over the p99 ({p99:0.0} ms): {slow.Count:N0} deliveries of {messages.Count:N0} messages, sent in "
                + $"{slices:N0} of {allSlices:N0} 100-ms slices; every delivery of those messages p50 "
                + $"{LatencyStats.From("tail", [.. ofThose.Select(d => d.Latency)]).P50:0.0} ms; "
                + $"{lateEverywhere:N0} of the {messages.Count:N0} over p99/2 at every member"
        );
    }

    /// <summary>
    /// This process's GC pauses over the timed sends, and whether the messages with a delivery over the p99 were more
    /// often on their way during one (a pause of 5 ms or more between the send and the last delivery) than all
    /// messages.
    /// </summary>
    public static string PausesAndTail(
        List<(double Latency, string Text, long SentAt)> deliveries,
        double p99,
        IReadOnlyList<(long Start, double Ms)> pauses,
        double allocatedPerMessage,
        long since,
        string holds
    )
    {
        var allocated = string.Create(
            CultureInfo.InvariantCulture,
            $"this process ({holds}) allocated {allocatedPerMessage / 1024:N0} KiB a message; "
        );
        var sampled = StallWatch.AllocatedSince(since);
        var total = Math.Max(1, sampled.Sum(t => t.Bytes));
        allocated +=
            "most by type (sampled): "
            + string.Join(
                ", ",
                sampled
                    .Take(8)
                    .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Type} {100.0 * t.Bytes / total:0}%"))
            )
            + "; ";
        if (pauses.Count == 0)
            return allocated + "no GC pause over the timed sends";
        var ms = pauses.Select(p => p.Ms).ToList();
        var long5 = pauses.Where(p => p.Ms >= 5).Select(p => p.Start).ToArray();
        var messages = deliveries
            .GroupBy(d => d.Text)
            .Select(m =>
            {
                var sent = m.First().SentAt;
                var until = sent + (long)(m.Max(d => d.Latency) / 1000 * Stopwatch.Frequency);
                return (Slow: m.Any(d => d.Latency > p99), Paused: long5.Any(p => p >= sent && p <= until));
            })
            .ToList();
        var slow = messages.Where(m => m.Slow).ToList();
        double Share(List<(bool Slow, bool Paused)> of) =>
            of.Count == 0 ? 0 : 100.0 * of.Count(m => m.Paused) / of.Count;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{allocated}GC pauses: {pauses.Count:N0}, p50 {LatencyStats.From("gc", ms).P50:0.0} ms, "
                + $"p99 {LatencyStats.From("gc", ms).P99:0.0} ms, max {ms.Max():0.0} ms, {ms.Sum():N0} ms in all; "
                + $"on their way during a pause of 5 ms or more: {Share(slow):0}% of the {slow.Count:N0} messages with "
                + $"a delivery over the p99, {Share(messages):0}% of all {messages.Count:N0}"
        );
    }

    /// <summary>What each process grew by from before the first connection to all clients joined, per client.</summary>
    private static string MemoryPerConnection(
        IReadOnlyList<(string Process, long Bytes)> before,
        IReadOnlyList<(string Process, long Bytes)> after,
        int clients
    )
    {
        const double MiB = 1024 * 1024;
        var parts = before
            .Zip(after)
            .Select(p =>
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{p.First.Process} {p.First.Bytes / MiB:N0} -> {p.Second.Bytes / MiB:N0} MiB"
                        + $" ({(p.Second.Bytes - p.First.Bytes) / (double)clients / 1024:N1} KiB a client)"
                )
            );
        var servers = before.Count > 1 ? before.Zip(after).SkipLast(1).Sum(p => p.Second.Bytes - p.First.Bytes) : 0;
        return "resident memory: "
            + string.Join("; ", parts)
            + (
                before.Count > 1
                    ? string.Create(
                        CultureInfo.InvariantCulture,
                        $"; servers (gateways and instances) {servers / (double)clients / 1024:N1} KiB a connection"
                    )
                    : ""
            );
    }

    private static HashSet<long> Seen(Client client)
    {
        lock (client.Deliveries)
            return [.. client.Deliveries.Select(d => d.Seq).Concat(client.OwnSeqs)];
    }

    public static string Stats(string name, List<double> ms)
    {
        if (ms.Count == 0)
            return $"{name, -44} no samples";
        var s = LatencyStats.From(name, ms);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name, -44} n={s.Runs, 7:N0}  p50 {s.P50, 7:0.0} ms  p95 {s.P95, 7:0.0} ms  p99 "
                + $"{s.P99, 7:0.0} ms  max {s.Max, 7:0.0} ms"
        );
    }
}
