using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Community.Events.Bench;

namespace Community.Messaging.Bench;

/// <summary>
/// The live run against ejabberd: the same clients, rooms, senders and schedule as <see cref="LiveRun"/>. Client i logs
/// in as user i and joins room i % rooms (XEP-0045, no history); sender k of room c is client c + k * rooms. Every
/// occupant notes when each groupchat message arrives; the body names the send, whose start the sender noted. The
/// room reflects a message to its sender too: that echo is the sender's round trip (ours: the SendMessage answer).
/// </summary>
public static class XmppRun
{
    private sealed record Delivery(string Nick, string Body, long At);

    private sealed class Occupant(int index, int room, XmppClient client)
    {
        public int Index { get; } = index;
        public int Room { get; } = room;
        public XmppClient Client { get; } = client;
        public List<Delivery> Deliveries { get; } = [];

        public int Count()
        {
            lock (Deliveries)
                return Deliveries.Count;
        }
    }

    public static async Task<LiveFigures> RunAsync(MessagingBenchOptions options, XmppPeer peer, Action<string> line)
    {
        line("");
        line(
            $"(x) ejabberd: {options.Clients:N0} XMPP clients (c2s, SASL PLAIN), {options.Conversations} rooms, "
                + $"{options.Senders} sender(s) each sending {options.Messages} messages, "
                + $"{options.Rate} messages/s in all"
        );
        line(new string('-', 100));
        var occupants = new Occupant[options.Clients];
        var connecting = Stopwatch.StartNew();
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, options.Clients),
                new ParallelOptions { MaxDegreeOfParallelism = 32 },
                async (i, ct) =>
                {
                    using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    within.CancelAfter(TimeSpan.FromSeconds(60));
                    var client = await XmppClient.ConnectAsync(
                        peer.ClientPort,
                        XmppPeer.Domain,
                        XmppPeer.User(i),
                        XmppPeer.Password,
                        within.Token
                    );
                    var occupant = new Occupant(i, i % options.Conversations, client);
                    client.GroupMessage = (nick, body, at) =>
                    {
                        lock (occupant.Deliveries)
                            occupant.Deliveries.Add(new Delivery(nick, body, at));
                    };
                    occupants[i] = occupant;
                }
            );
            var connected = connecting.Elapsed;
            var joining = Stopwatch.StartNew();
            await Parallel.ForEachAsync(
                occupants,
                new ParallelOptions { MaxDegreeOfParallelism = 32 },
                async (o, ct) =>
                {
                    using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    within.CancelAfter(TimeSpan.FromSeconds(60));
                    await o.Client.JoinAsync(XmppPeer.Room(o.Room), XmppPeer.User(o.Index), within.Token);
                }
            );
            line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"connected {occupants.Length:N0} clients in {connected.TotalSeconds:0.0} s, joined in "
                        + $"{joining.Elapsed.TotalSeconds:0.0} s"
                )
            );
            return await MeasureAsync(options, occupants, peer, line);
        }
        finally
        {
            await Parallel.ForEachAsync(
                occupants.OfType<Occupant>(),
                new ParallelOptions { MaxDegreeOfParallelism = 64 },
                async (o, _) => await o.Client.DisposeAsync()
            );
        }
    }

    private static async Task<LiveFigures> MeasureAsync(
        MessagingBenchOptions options,
        Occupant[] occupants,
        XmppPeer peer,
        Action<string> line
    )
    {
        var senders = Enumerable.Range(0, options.Conversations * options.Senders).Select(i => occupants[i]).ToList();
        var archivedBefore = await peer.ArchivedAsync();

        // Warm-up: one untimed message per sender, seen by every occupant before the clock starts.
        await Task.WhenAll(
            senders.Select(s =>
                s.Client.SendGroupAsync(
                    XmppPeer.Room(s.Room),
                    $"warm-up-{s.Index}",
                    $"warm-up {s.Index}",
                    CancellationToken.None
                )
            )
        );
        var warming = Stopwatch.StartNew();
        while (warming.Elapsed < TimeSpan.FromSeconds(15) && occupants.Any(o => o.Count() < options.Senders))
            await Task.Delay(50);

        var interval = options.SendInterval;
        var sentAt = new ConcurrentDictionary<string, long>();
        var sendErrors = new ConcurrentBag<string>();
        // As ours: untimed rounds of every sender on the same schedule until the warm-up ends; the window opens with a
        // timed one.
        var schedule = WarmUpSchedule.Start(
            options,
            () => Task.FromResult(System.Runtime.JitInfo.GetCompiledMethodCount())
        );
        var cpu = schedule.TimedFromAsync().ContinueWith(t => MachineCpu.From(schedule.Timestamp(t.Result)));
        var allocatedBefore = schedule.TimedFromAsync().ContinueWith(_ => GC.GetTotalAllocatedBytes());
        // Open loop, as ours: a send leaves on its schedule (a write to the socket; the room's echo is its answer).
        await Task.WhenAll(
            senders.Select(
                async (sender, k) =>
                {
                    var offset = interval * k / senders.Count;
                    for (var n = 0; ; n++)
                    {
                        var due = offset + interval * n;
                        if (due > schedule.Elapsed)
                            await Task.Delay(due - schedule.Elapsed);
                        if (schedule.Done(n))
                            break;
                        var text = $"bench {sender.Index} {n}";
                        if (schedule.IsTimed(n))
                            sentAt[text] = Stopwatch.GetTimestamp();
                        try
                        {
                            await sender.Client.SendGroupAsync(
                                XmppPeer.Room(sender.Room),
                                $"bench-{sender.Index}-{n}",
                                text,
                                CancellationToken.None
                            );
                        }
                        catch (Exception e) when (e is IOException or ObjectDisposedException)
                        {
                            sendErrors.Add(e.Message);
                        }
                    }
                }
            )
        );
        var untimed = await schedule.TimedFromAsync();
        var firstSend = schedule.Timestamp(untimed);
        var sendingTook = schedule.Elapsed;

        var expected = options.Senders * (1 + untimed + options.Messages);
        var settle = Stopwatch.StartNew();
        while (settle.Elapsed < TimeSpan.FromSeconds(30) && occupants.Any(o => o.Count() < expected))
            await Task.Delay(100);
        var cpuUsed = await (await cpu).UntilNowAsync();
        var allocated = GC.GetTotalAllocatedBytes() - await allocatedBefore;

        var latencies = new List<double>();
        var timedDeliveries = new List<(double Latency, string Text, long SentAt)>();
        var roundTrips = new List<double>();
        var delivered = 0L;
        long lastDelivery = firstSend;
        int gaps = 0,
            duplicates = 0,
            outOfOrder = 0,
            complete = 0,
            unanswered = 0;
        // What each room's occupants should see: every sender's warm-up and timed messages.
        var roomSenders = senders.GroupBy(s => s.Room).ToDictionary(g => g.Key, g => g.Select(s => s.Index).ToArray());
        foreach (var o in occupants)
        {
            List<Delivery> deliveries;
            lock (o.Deliveries)
                deliveries = [.. o.Deliveries];
            var own = XmppPeer.User(o.Index);
            var lastOf = new Dictionary<string, int>();
            foreach (var d in deliveries)
            {
                if (d.Body.StartsWith("bench ", StringComparison.Ordinal))
                {
                    var parts = d.Body.Split(' ');
                    var n = int.Parse(parts[2], CultureInfo.InvariantCulture);
                    if (lastOf.TryGetValue(parts[1], out var last) && n <= last)
                        outOfOrder++;
                    lastOf[parts[1]] = n;
                }
                if (!sentAt.TryGetValue(d.Body, out var at))
                    continue;
                var ms = Stopwatch.GetElapsedTime(at, d.At).TotalMilliseconds;
                if (d.Nick == own)
                {
                    roundTrips.Add(ms);
                    continue;
                }
                lastDelivery = Math.Max(lastDelivery, d.At);
                delivered++;
                latencies.Add(ms);
                timedDeliveries.Add((ms, d.Body, at));
            }
            var bodies = deliveries.Select(d => d.Body).ToList();
            duplicates += bodies.Count - bodies.Distinct().Count();
            var seen = bodies.ToHashSet();
            var missing = 0;
            foreach (var s in roomSenders.GetValueOrDefault(o.Room, []))
            {
                var theirs = Enumerable
                    .Range(0, untimed + options.Messages)
                    .Select(n => $"bench {s} {n}")
                    .Prepend($"warm-up {s}")
                    .Count(b => !seen.Contains(b));
                if (s == o.Index)
                    unanswered += theirs;
                missing += theirs;
            }
            gaps += missing;
            if (missing == 0)
                complete++;
        }
        var window = Stopwatch.GetElapsedTime(firstSend, lastDelivery).TotalSeconds;
        var archived = await peer.ArchivedAsync() - archivedBefore;

        line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"sent {senders.Count:N0} warm-up messages at once and {schedule.Describe(senders.Count)}, "
                    + $"then {sentAt.Count:N0} timed messages, "
                    + $"the last written after {sendingTook.TotalSeconds:0.0} s (scheduled over "
                    + $"{(interval * (untimed + options.Messages - 1)).TotalSeconds:0.0} s) "
                    + $"({sendErrors.Count} failed); "
                    + $"{archived:N0} archived by mod_mam"
            )
        );
        line(LiveRun.Stats("sender's own echo (round trip)", roundTrips));
        line(LiveRun.Stats("send-to-delivery at every other occupant", latencies));
        line(MachineCpu.Describe(cpuUsed, senders.Count * options.Messages, delivered));
        if (latencies.Count > 0)
        {
            var p99 = LatencyStats.From("send-to-delivery", latencies).P99;
            line(LiveRun.TailShape(timedDeliveries, p99, firstSend));
            line(
                LiveRun.PausesAndTail(
                    timedDeliveries,
                    p99,
                    StallWatch.PausesSince(firstSend),
                    allocated / (double)(senders.Count * options.Messages),
                    firstSend,
                    "the load tool's XMPP clients"
                )
            );
        }
        line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"delivered {delivered:N0} messages to other occupants in {window:0.0} s: "
                    + $"{delivered / Math.Max(window, 0.001):N0} messages/s"
            )
        );
        line(
            $"per client: {complete:N0}/{occupants.Length:N0} clients saw all {expected} messages of their room; "
                + $"missing {gaps} (of which {unanswered} the senders' own echoes), duplicates {duplicates}, "
                + $"out of order {outOfOrder}"
        );
        return new LiveFigures(
            occupants.Length,
            options.Conversations,
            options.Rate,
            delivered,
            delivered / Math.Max(window, 0.001),
            latencies.Count > 0 ? LatencyStats.From("send-to-delivery", latencies) : null,
            roundTrips.Count > 0 ? LatencyStats.From("round trip", roundTrips) : null,
            complete,
            gaps - unanswered,
            duplicates,
            outOfOrder,
            sendErrors.Count + unanswered,
            MachineCpu.PerMessageMs(cpuUsed, senders.Count * options.Messages)
        );
    }
}
