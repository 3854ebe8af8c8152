namespace Community.AppHost.Telemetry;

/// <summary>One sample of a chart: Unix time in milliseconds and the value.</summary>
internal sealed record ChartPoint(double T, double V);

/// <summary>A chart the dashboard draws: what its key names (a service, an instance, a queue) and its unit.</summary>
internal sealed record ChartSeries(string Name, string Of, string Unit, string Title);

/// <summary>
/// Charts over time: every <see cref="Interval"/> a sample per service (request rate, 5xx share, p95 from
/// http.server.request.duration) and per instance (CPU, working set, GC heap and collections from the runtime's
/// System.Runtime meter), plus the outbox backlogs and queue depths whenever the platform probes read them; each
/// series a bounded ring (<see cref="Capacity"/> samples: 15 minutes), forgotten after 15 minutes without a point.
/// </summary>
internal sealed class MetricsHistory(TelemetryStore telemetry, TimeProvider? clock = null)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public const int Capacity = 180;

    // services export every 5 s: a 5 s window would see zero or two exports, so rates look back 15 s
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(15);

    // a gauge not renewed within the rates' window is of a process that stopped exporting: a gap, not its last value
    // (as long as a request rate waits: an export late by a slice of a busy machine leaves no false gap)
    private static readonly TimeSpan GaugeMaxAge = RateWindow;

    // what a chart shows: a key with no point for as long (a queue of an instance gone) is forgotten
    private static readonly TimeSpan ChartSpan = Capacity * Interval;

    public static readonly IReadOnlyList<ChartSeries> Series =
    [
        new("requests_per_second", "service", "req/s", "Requests per second"),
        new("error_share", "service", "%", "Errors (5xx share)"),
        new("p95_ms", "service", "ms", "p95 latency"),
        new("cpu_percent", "instance", "% of a core", "CPU"),
        new("working_set_mb", "instance", "MB", "Working set"),
        new("gc_heap_mb", "instance", "MB", "GC heap (after last collection)"),
        new("gc_collections", "instance", "per sample", "GC collections"),
        new("outbox_pending", "service", "rows", "Outbox backlog"),
        new("queue_messages", "queue", "messages", "Queue depth"),
    ];

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Series, string Of), Queue<ChartPoint>> _rings = [];
    private readonly Dictionary<string, (double Cpu, double Collections, ulong TimeNanos)> _previous = [];
    private DateTimeOffset _lastPlatform = DateTimeOffset.MinValue;

    /// <summary>Samples every <see cref="Interval"/> until <paramref name="stopping"/>.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // AppHost is stopping
        }
    }

    /// <summary>Adds one point per service and per instance that exported since the last sample.</summary>
    public void Sample()
    {
        var now = _clock.GetUtcNow();
        var t = now.ToUnixTimeMilliseconds();
        var requests = telemetry.RequestMetrics(RateWindow);
        var numbers = telemetry.Numbers(GaugeMaxAge);
        lock (_gate)
        {
            // a service whose exports stopped (stopped, or starved of CPU) has no point: a gap, not a false zero
            foreach (var r in requests.Where(r => now - telemetry.LastExport(r.Service) <= RateWindow))
            {
                Add("requests_per_second", r.Service, t, r.RequestsPerSecond);
                Add("error_share", r.Service, t, r.ErrorRate * 100);
                if (r.P95Ms is { } p95)
                    Add("p95_ms", r.Service, t, p95);
            }
            foreach (var instance in numbers.GroupBy(n => n.Instance ?? n.Service))
            {
                SampleRuntime(instance.Key, [.. instance], t);
            }
            ForgetSilent(t);
        }
    }

    private void SampleRuntime(string instance, List<NumberPoint> points, double t)
    {
        double Sum(string metric) => points.Where(p => p.Metric == metric).Sum(p => p.Value);
        if (points.Any(p => p.Metric == "dotnet.process.memory.working_set"))
            Add("working_set_mb", instance, t, Sum("dotnet.process.memory.working_set") / 1048576);
        if (points.Any(p => p.Metric == "dotnet.gc.last_collection.heap.size"))
            Add("gc_heap_mb", instance, t, Sum("dotnet.gc.last_collection.heap.size") / 1048576);
        var cpu = points.Where(p => p.Metric == "dotnet.process.cpu.time").ToList();
        if (cpu.Count == 0)
            return;
        var (seconds, collections, time) = (
            cpu.Sum(p => p.Value),
            Sum("dotnet.gc.collections"),
            cpu.Max(p => p.TimeNanos)
        );
        if (
            _previous.TryGetValue(instance, out var before)
            && time > before.TimeNanos
            && seconds >= before.Cpu
            && collections >= before.Collections
        )
        {
            // counters of one process: a restarted one starts again from zero, and counts from its next export
            Add("cpu_percent", instance, t, (seconds - before.Cpu) / ((time - before.TimeNanos) / 1e9) * 100);
            Add("gc_collections", instance, t, collections - before.Collections);
        }
        if (!_previous.TryGetValue(instance, out before) || time != before.TimeNanos)
            _previous[instance] = (seconds, collections, time);
    }

    /// <summary>The platform probes' reading (outbox rows, queue depths), at most one per interval.</summary>
    public void RecordPlatform(IReadOnlyList<OutboxBacklog> outboxes, IReadOnlyList<QueueDepth> queues)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (now - _lastPlatform < Interval)
                return;
            _lastPlatform = now;
            var t = now.ToUnixTimeMilliseconds();
            foreach (var outbox in outboxes.Where(o => o.Pending is not null))
                Add("outbox_pending", outbox.Service, t, outbox.Pending!.Value);
            foreach (var queue in queues)
                Add("queue_messages", queue.Queue, t, queue.Messages);
            ForgetSilent(t);
        }
    }

    /// <summary>The points of one chart, oldest first; null when nothing was ever sampled for it.</summary>
    public IReadOnlyList<ChartPoint>? Points(string series, string of)
    {
        lock (_gate)
        {
            return _rings.TryGetValue((series, of), out var ring) ? [.. ring] : null;
        }
    }

    /// <summary>What each series has points of (services, instances, queues), sorted.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Keys()
    {
        lock (_gate)
        {
            return Series.ToDictionary(
                s => s.Name,
                s =>
                    (IReadOnlyList<string>)
                        _rings
                            .Keys.Where(k => k.Series == s.Name)
                            .Select(k => k.Of)
                            .Order(StringComparer.Ordinal)
                            .ToList()
            );
        }
    }

    /// <summary>Drops the series with no point for <see cref="ChartSpan"/>, so memory stays bounded.</summary>
    private void ForgetSilent(double t)
    {
        var since = t - ChartSpan.TotalMilliseconds;
        foreach (var key in _rings.Where(r => r.Value.Last().T < since).Select(r => r.Key).ToList())
            _rings.Remove(key);
    }

    private void Add(string series, string of, double t, double value)
    {
        if (!double.IsFinite(value))
            return;
        if (!_rings.TryGetValue((series, of), out var ring))
            _rings[(series, of)] = ring = new Queue<ChartPoint>(Capacity);
        if (ring.Count == Capacity)
            ring.Dequeue();
        ring.Enqueue(new ChartPoint(t, Math.Round(value, 3)));
    }
}
