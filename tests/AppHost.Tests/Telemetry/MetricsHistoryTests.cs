namespace Community.AppHost.Tests.Telemetry;

public sealed class MetricsHistoryTests
{
    private static readonly double[] Bounds = [0.1, 0.2, 0.4];

    private static HistogramPoint Requests(string instance, int status, ulong count, params ulong[] buckets) =>
        new(
            "messaging",
            TelemetryStore.RequestDurationMetric,
            "s",
            new Dictionary<string, string> { ["http.response.status_code"] = $"{status}" },
            1,
            2,
            count,
            0,
            buckets,
            Bounds,
            Delta: false,
            Instance: instance
        );

    private static NumberPoint Number(
        string instance,
        string metric,
        double value,
        ulong timeNanos,
        string? mode = null
    ) =>
        new(
            "messaging",
            metric,
            "",
            mode is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["cpu.mode"] = mode },
            timeNanos,
            value,
            instance
        );

    [Fact]
    public void Replicas_cumulative_histograms_add_up_per_service_instead_of_being_read_as_one_series()
    {
        var clock = new ManualClock();
        var store = new TelemetryStore(clock: clock);
        store.AddMetrics(
            new([Requests("messaging-1", 200, 1000, 1000, 0, 0, 0), Requests("messaging-2", 200, 10, 10, 0, 0, 0)], [])
        );
        clock.Advance(TimeSpan.FromSeconds(70));
        // in the last minute: 60 more on messaging-1, 30 more on messaging-2 (one series each)
        store.AddMetrics(
            new([Requests("messaging-1", 200, 1060, 1060, 0, 0, 0), Requests("messaging-2", 200, 40, 40, 0, 0, 0)], [])
        );

        Assert.Equal(90UL, Assert.Single(store.RequestMetrics(TimeSpan.FromSeconds(60))).Requests);
    }

    [Fact]
    public void Each_sample_adds_a_point_per_service_and_per_instance_and_the_ring_keeps_the_newest()
    {
        var clock = new ManualClock();
        var store = new TelemetryStore(clock: clock);
        var history = new MetricsHistory(store, clock);
        ulong total = 0,
            errors = 0;
        for (var i = 0; i < MetricsHistory.Capacity + 20; i++)
        {
            // 10 requests a second, one in ten a 500, all in (0.1, 0.2]
            total += 45;
            errors += 5;
            store.AddMetrics(
                new(
                    [
                        Requests("messaging-1", 200, total, 0, total, 0, 0),
                        Requests("messaging-1", 500, errors, 0, errors, 0, 0),
                    ],
                    [
                        // one CPU second per 5 s in user mode, half that in system mode: 30 % of a core
                        Number("messaging-1", "dotnet.process.cpu.time", i * 1.0, (ulong)i * 5_000_000_000, "user"),
                        Number("messaging-1", "dotnet.process.cpu.time", i * 0.5, (ulong)i * 5_000_000_000, "system"),
                        Number(
                            "messaging-1",
                            "dotnet.process.memory.working_set",
                            200 * 1048576.0,
                            (ulong)i * 5_000_000_000
                        ),
                        Number(
                            "messaging-1",
                            "dotnet.gc.last_collection.heap.size",
                            30 * 1048576.0,
                            (ulong)i * 5_000_000_000
                        ),
                        Number("messaging-1", "dotnet.gc.collections", i * 2.0, (ulong)i * 5_000_000_000),
                    ]
                )
            );
            clock.Advance(MetricsHistory.Interval);
            history.Sample();
        }

        var rate = history.Points("requests_per_second", "messaging")!;
        Assert.Equal(MetricsHistory.Capacity, rate.Count);
        Assert.True(rate.Zip(rate.Skip(1)).All(p => p.Second.T - p.First.T == 5000), "one point every 5 s");
        Assert.Equal(10, rate[^1].V, 3);
        Assert.Equal(10, history.Points("error_share", "messaging")![^1].V, 3);
        var p95 = history.Points("p95_ms", "messaging")![^1].V;
        Assert.InRange(p95, 100, 200);
        Assert.Equal(30, history.Points("cpu_percent", "messaging-1")![^1].V, 3);
        Assert.Equal(200, history.Points("working_set_mb", "messaging-1")![^1].V, 3);
        Assert.Equal(30, history.Points("gc_heap_mb", "messaging-1")![^1].V, 3);
        Assert.Equal(2, history.Points("gc_collections", "messaging-1")![^1].V, 3);
        Assert.Null(history.Points("cpu_percent", "messaging"));
        Assert.Equal(["messaging-1"], history.Keys()["cpu_percent"]);
    }

    [Fact]
    public void A_service_whose_exports_stopped_leaves_a_gap_instead_of_a_zero_rate()
    {
        var clock = new ManualClock();
        var store = new TelemetryStore(clock: clock);
        var history = new MetricsHistory(store, clock);
        for (ulong i = 1; i <= 4; i++)
        {
            store.AddMetrics(new([Requests("messaging-1", 200, i * 50, 0, i * 50, 0, 0)], []));
            clock.Advance(MetricsHistory.Interval);
            history.Sample();
        }
        // then no export: samples go on while the newest export is within the rate window (15 s), then stop
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(MetricsHistory.Interval);
            history.Sample();
        }

        var rates = history.Points("requests_per_second", "messaging")!;
        Assert.Equal(6, rates.Count);
        Assert.All(rates, p => Assert.True(p.V > 0));
    }

    [Fact]
    public void A_restarted_instance_s_counters_start_again_without_a_negative_point()
    {
        var clock = new ManualClock();
        var store = new TelemetryStore(clock: clock);
        var history = new MetricsHistory(store, clock);
        foreach (var (cpu, time) in new[] { (10.0, 5UL), (11.0, 10UL), (0.5, 15UL), (1.0, 20UL) })
        {
            store.AddMetrics(new([], [Number("social-2", "dotnet.process.cpu.time", cpu, time * 1_000_000_000)]));
            clock.Advance(MetricsHistory.Interval);
            history.Sample();
        }
        // no export between two samples: no point either
        clock.Advance(MetricsHistory.Interval);
        history.Sample();

        Assert.Equal([20.0, 10.0], history.Points("cpu_percent", "social-2")!.Select(p => p.V));
    }

    [Fact]
    public void A_stopped_instance_s_memory_leaves_a_gap_instead_of_repeating_its_last_value()
    {
        var clock = new ManualClock();
        var store = new TelemetryStore(clock: clock);
        var history = new MetricsHistory(store, clock);
        store.AddMetrics(
            new(
                [],
                [
                    Number("messaging-2", "dotnet.process.memory.working_set", 200 * 1048576.0, 5_000_000_000),
                    Number("messaging-2", "dotnet.gc.last_collection.heap.size", 30 * 1048576.0, 5_000_000_000),
                ]
            )
        );
        // then messaging-2 is stopped: no export while six samples are taken (half a minute)
        for (var i = 0; i < 6; i++)
        {
            clock.Advance(MetricsHistory.Interval);
            history.Sample();
        }

        // kept as long as a late export may take (the rates' window), then a gap: not six points of one value
        var kept = (int)((MetricsHistory.RateWindow - TimeSpan.FromTicks(1)) / MetricsHistory.Interval);
        Assert.Equal(kept, history.Points("working_set_mb", "messaging-2")!.Count);
        Assert.Equal(kept, history.Points("gc_heap_mb", "messaging-2")!.Count);
    }

    [Fact]
    public void A_queue_absent_from_the_readings_for_longer_than_the_charts_span_is_forgotten()
    {
        var clock = new ManualClock();
        var history = new MetricsHistory(new TelemetryStore(clock: clock), clock);
        // every restart of a real-time instance declares a queue of its own (a random suffix); read every 30 s
        for (var i = 0; i < 200; i++)
        {
            history.RecordPlatform(
                [],
                [new QueueDepth("messaging_error", 0, true), new QueueDepth($"hub-{i}", 1, false)]
            );
            clock.Advance(TimeSpan.FromSeconds(30));
        }

        var queues = history.Keys()["queue_messages"];
        Assert.Contains("messaging_error", queues);
        Assert.Contains("hub-199", queues);
        Assert.DoesNotContain("hub-0", queues);
        // the charts' span (180 points of 5 s: 15 minutes) holds the last 31 readings
        Assert.Equal(32, queues.Count);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
