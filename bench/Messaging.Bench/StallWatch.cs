using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.Json;

namespace Community.Messaging.Bench;

/// <summary>
/// A process's stalls, second by second: the time its threads stood still for the GC, and how late a 100-ms wait on
/// the thread pool came back (a pool with more queued than its threads take). Seconds over <see cref="Threshold"/> of
/// either are kept, so a latency spike in the report can be put down to a process and a cause (or cleared of one).
/// </summary>
public sealed class StallWatch : IDisposable
{
    public const double Threshold = 50;

    /// <summary>One second's worst: GC pauses in it, gen2 collections, the pool's lateness and its queue.</summary>
    public sealed record Second(DateTime At, double GcPauseMs, int Gen2, double PoolLateMs, long Queued, int Threads);

    private readonly ConcurrentQueue<Second> _kept = new();
    private readonly CancellationTokenSource _stop = new();

    // One listener a process, from the first watch on: ours and the peer's runs read the same record.
    private static readonly Lazy<GcPauses> Pauses = new(() => new GcPauses());

    public StallWatch()
    {
        _ = Pauses.Value;
        _ = Task.Run(() => WatchAsync(_stop.Token));
    }

    /// <summary>This process's GC pauses (each from the runtime's suspension to its restart) since
    /// <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp): when each began, and how long it
    /// lasted.</summary>
    public static IReadOnlyList<(long Start, double Ms)> PausesSince(long since) => Pauses.Value.Since(since);

    /// <summary>What this process allocated since <paramref name="since"/> by type, as the runtime samples it (a tick
    /// every 100 KiB or so, carrying the type that crossed it), most first.</summary>
    public static IReadOnlyList<(string Type, long Bytes)> AllocatedSince(long since) =>
        Pauses.Value.AllocatedSince(since);

    /// <summary>The seconds kept since <paramref name="since"/>, as one line of JSON.</summary>
    public string Since(DateTime since) => JsonSerializer.Serialize(_kept.Where(s => s.At >= since).ToArray());

    public static Second[] Parse(string json) => JsonSerializer.Deserialize<Second[]>(json) ?? [];

    private async Task WatchAsync(CancellationToken stop)
    {
        var pauses = GC.GetTotalPauseDuration();
        var gen2 = GC.CollectionCount(2);
        var second = DateTime.UtcNow;
        double late = 0;
        long queued = 0;
        while (!stop.IsCancellationRequested)
        {
            var asked = Stopwatch.GetTimestamp();
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            late = Math.Max(late, Stopwatch.GetElapsedTime(asked).TotalMilliseconds - 100);
            queued = Math.Max(queued, ThreadPool.PendingWorkItemCount);
            var now = DateTime.UtcNow;
            if (now - second < TimeSpan.FromSeconds(1))
                continue;
            var (pausedNow, gen2Now) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2));
            var paused = (pausedNow - pauses).TotalMilliseconds;
            if (paused > Threshold || late > Threshold)
                _kept.Enqueue(new Second(second, paused, gen2Now - gen2, late, queued, ThreadPool.ThreadCount));
            (pauses, gen2, second, late, queued) = (pausedNow, gen2Now, now, 0, 0);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>The runtime's GC suspension events (GCSuspendEEBegin, GCRestartEEEnd), each pause placed on the
    /// <see cref="Stopwatch"/> clock the runs time their messages with.</summary>
    private sealed class GcPauses : EventListener
    {
        private const long GcKeyword = 0x1;
        private const int SuspendBegin = 9;
        private const int RestartEnd = 3;
        private const int AllocationTick = 10;
        private readonly ConcurrentQueue<(long Start, double Ms)> _pauses = new();
        private readonly ConcurrentQueue<(long At, string Type, long Bytes)> _allocations = new();
        private readonly DateTime _utcAtStart = DateTime.UtcNow;
        private readonly long _timestampAtStart = Stopwatch.GetTimestamp();
        private DateTime? _suspended;

        public IReadOnlyList<(long Start, double Ms)> Since(long since) => [.. _pauses.Where(p => p.Start >= since)];

        public IReadOnlyList<(string Type, long Bytes)> AllocatedSince(long since) =>
            [
                .. _allocations
                    .Where(a => a.At >= since)
                    .GroupBy(a => a.Type)
                    .Select(g => (g.Key, g.Sum(a => a.Bytes)))
                    .OrderByDescending(t => t.Item2),
            ];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                // Verbose for the allocation ticks: a sample every 100 KiB allocated, with its type.
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventId == AllocationTick && e.PayloadNames is { } names)
            {
                var type = e.Payload![names.IndexOf("TypeName")] as string ?? "?";
                var bytes = Convert.ToInt64(
                    e.Payload[names.IndexOf("AllocationAmount64")],
                    CultureInfo.InvariantCulture
                );
                _allocations.Enqueue((Stopwatch.GetTimestamp(), type, bytes));
            }
            else if (e.EventId == SuspendBegin)
                _suspended = e.TimeStamp.ToUniversalTime();
            else if (e.EventId == RestartEnd && _suspended is { } began)
            {
                var at = _timestampAtStart + (long)((began - _utcAtStart).TotalSeconds * Stopwatch.Frequency);
                _pauses.Enqueue((at, (e.TimeStamp.ToUniversalTime() - began).TotalMilliseconds));
                _suspended = null;
            }
        }
    }
}
