using System.Collections.Concurrent;
using System.Diagnostics;
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

    public StallWatch() => _ = Task.Run(() => WatchAsync(_stop.Token));

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
}
