using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Community.Messaging.Bench;

/// <summary>
/// Where one floor message's time goes on our side: every activity this process starts (the SignalR client's call and
/// the hub's, Npgsql's round trips, the outbox's publish, MassTransit's consume; Redis has none) while a send is on its
/// way, placed on that send's clock (from the sender's call to the receiver's arrival); the k-th span of each kind,
/// its median start and length over the floor's sends, in order of start. The gaps between them are the time no
/// instrumented library accounts for: thread-pool hops, the gateway, Redis.
/// </summary>
public sealed class FloorTimeline : IDisposable
{
    private sealed record Span(string Name, long Start, long End);

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Span> _spans = new();
    private readonly List<(long Sent, long Delivered)> _sends = [];

    public FloorTimeline()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var end = Stopwatch.GetTimestamp();
                var start = end - (long)(activity.Duration.TotalSeconds * Stopwatch.Frequency);
                var what =
                    activity.GetTagItem("db.query.text") as string
                    ?? activity.GetTagItem("db.statement") as string
                    ?? activity.DisplayName;
                _spans.Enqueue(new($"{activity.Source.Name}: {Short(what)}", start, end));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Sent(long sent, long delivered)
    {
        lock (_sends)
            _sends.Add((sent, delivered));
    }

    /// <summary>The table's lines: each kind's median start and length, and how many a send had.</summary>
    public IEnumerable<string> Describe()
    {
        var spans = _spans.ToArray();
        var perKind = new Dictionary<string, List<(double Offset, double Length)>>();
        foreach (var (sent, delivered) in _sends)
        foreach (
            var (span, k) in spans
                .Where(s => s.Start >= sent && s.Start <= delivered)
                .OrderBy(s => s.Start)
                .GroupBy(s => s.Name)
                .SelectMany(g => g.Select((s, i) => (s, i)))
        )
        {
            var name = $"{span.Name} #{k + 1}";
            if (!perKind.TryGetValue(name, out var list))
                perKind[name] = list = [];
            list.Add((Ms(span.Start - sent), Ms(span.End - span.Start)));
        }
        var total = _sends.Select(s => Ms(s.Delivered - s.Sent)).ToList();
        yield return string.Create(
            CultureInfo.InvariantCulture,
            $"  {"send to delivery", -70} {0.0, 7:0.00} {Median(total), 7:0.00} ms  x{1.0:0.0}"
        );
        foreach (
            var (name, list) in perKind
                .OrderBy(k => Median(k.Value.Select(v => v.Offset).ToList()))
                .Select(k => (k.Key, k.Value))
        )
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"  {name, -70} {Median(list.Select(v => v.Offset).ToList()), 7:0.00} "
                    + $"{Median(list.Select(v => v.Length).ToList()), 7:0.00} ms  "
                    + $"x{(double)list.Count / _sends.Count:0.0}"
            );
    }

    /// <summary>
    /// Every span of the floor by kind, the work after the delivery included (consumers, the outbox's bookkeeping):
    /// how many a send had, and their median length.
    /// </summary>
    public IEnumerable<string> Counts()
    {
        if (_sends.Count == 0)
            yield break;
        var first = _sends.Min(s => s.Sent);
        var last = _sends.Max(s => s.Delivered);
        foreach (
            var kind in _spans
                .Where(s => s.Start >= first && s.Start <= last)
                .GroupBy(s => s.Name)
                .OrderByDescending(g => g.Count())
        )
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"  {kind.Key, -70} x{(double)kind.Count() / _sends.Count, 4:0.0} "
                    + $"{Median([.. kind.Select(s => Ms(s.End - s.Start))]), 7:0.00} ms"
            );
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count == 0 ? 0 : values[values.Count / 2];
    }

    private static string Short(string name)
    {
        var line = string.Join(' ', name.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 50 ? line : line[..50];
    }

    public void Dispose() => _listener.Dispose();
}
