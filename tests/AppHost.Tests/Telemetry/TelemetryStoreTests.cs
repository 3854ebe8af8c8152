namespace Community.AppHost.Tests.Telemetry;

public sealed class TelemetryStoreTests
{
    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();

    private static SpanRecord Span(
        string trace,
        string id,
        string? parent,
        string service,
        ulong start,
        ulong end,
        string name = "span",
        string? requestId = null,
        bool error = false
    ) =>
        new(
            service,
            trace,
            id,
            parent,
            name,
            SpanKind.Server,
            start,
            end,
            requestId is null
                ? NoAttributes
                : new Dictionary<string, string> { [TelemetryStore.RequestIdAttribute] = requestId },
            error,
            null,
            "test"
        );

    [Fact]
    public void A_trace_is_found_by_its_id_by_a_request_id_and_by_a_service_and_is_summarised_from_its_root()
    {
        var store = new TelemetryStore();
        store.AddSpans([
            Span("aa01", "s2", "s1", "identity", 120, 180, "POST /api/v1/auth/login"),
            Span("aa01", "s1", null, "gateway", 100, 200, "POST /api/v1/auth/login", requestId: "req-1"),
            Span("aa01", "s3", "s2", "identity", 130, 150, "publish", error: true),
            Span("bb02", "t1", null, "events", 300, 400, "GET /api/v1/events"),
        ]);

        var byRequest = Assert.Single(store.Traces("req-1"));
        Assert.Equal(
            ("aa01", "gateway", "POST /api/v1/auth/login", 3, 100UL, "req-1", true),
            (
                byRequest.TraceId,
                byRequest.Service,
                byRequest.Name,
                byRequest.Spans,
                byRequest.StartNanos,
                byRequest.RequestId,
                byRequest.HasError
            )
        );
        Assert.Equal(["identity", "gateway"], byRequest.Services);
        Assert.Equal(100 / 1e6, byRequest.DurationMs);
        Assert.Equal("bb02", Assert.Single(store.Traces("BB0")).TraceId);
        Assert.Equal("bb02", Assert.Single(store.Traces("events")).TraceId);
        Assert.Equal(["bb02", "aa01"], store.Traces(null).Select(t => t.TraceId));
        Assert.Empty(store.Traces("req-2"));
        Assert.Equal(["s1", "s2", "s3"], store.Trace("AA01").Select(s => s.SpanId));
    }

    [Fact]
    public void The_oldest_whole_traces_go_first_when_the_span_limit_is_passed()
    {
        var store = new TelemetryStore(maxSpans: 3);
        store.AddSpans([Span("t1", "a", null, "x", 1, 2), Span("t1", "b", "a", "x", 1, 2)]);
        store.AddSpans([Span("t2", "c", null, "x", 3, 4)]);
        store.AddSpans([Span("t3", "d", null, "x", 5, 6)]);

        Assert.Equal(["t3", "t2"], store.Traces(null).Select(t => t.TraceId));
        Assert.Empty(store.Trace("t1"));
    }

    [Fact]
    public void Logs_are_bounded_newest_first_and_filtered_by_service_trace_severity_and_text()
    {
        var store = new TelemetryStore(maxLogs: 3);
        LogRecordData Log(string service, string body, int severity, string? trace = null) =>
            new(
                service,
                1,
                severity,
                OtlpDecoder.SeverityName(severity),
                body,
                new Dictionary<string, string> { ["request_id"] = "r-" + body },
                trace,
                null,
                "test"
            );
        store.AddLogs([
            Log("events", "dropped", 9),
            Log("events", "one", 9, "t1"),
            Log("payments", "two", 17, "t1"),
            Log("events", "three", 13),
        ]);

        Assert.Equal(["three", "two", "one"], store.Logs(null, null, null).Select(l => l.Body));
        Assert.Equal(["three", "one"], store.Logs("events", null, null).Select(l => l.Body));
        Assert.Equal(["two", "one"], store.Logs(null, "T1", null).Select(l => l.Body));
        Assert.Equal(["three", "two"], store.Logs(null, null, null, minSeverity: 13).Select(l => l.Body));
        Assert.Equal(["two"], store.Logs(null, null, "r-tw").Select(l => l.Body));
    }

    [Fact]
    public void Request_rate_errors_and_p95_come_from_the_growth_of_cumulative_histograms_within_the_window()
    {
        var clock = new ManualClock();
        var store = new TelemetryStore(clock: clock);
        double[] bounds = [0.1, 0.2, 0.4];
        HistogramPoint Point(int status, ulong count, params ulong[] buckets) =>
            new(
                "events",
                TelemetryStore.RequestDurationMetric,
                "s",
                new Dictionary<string, string> { ["http.response.status_code"] = $"{status}" },
                1,
                2,
                count,
                0,
                buckets,
                bounds,
                Delta: false
            );

        store.AddMetrics(new([Point(200, 100, 100, 0, 0, 0), Point(500, 10, 10, 0, 0, 0)], []));
        clock.Advance(TimeSpan.FromSeconds(70));
        // in the last minute: 90 more 200s (all between 0.2 and 0.4 s) and 10 more 500s (under 0.1 s)
        store.AddMetrics(new([Point(200, 190, 100, 0, 90, 0), Point(500, 20, 20, 0, 0, 0)], []));

        var events = Assert.Single(store.RequestMetrics(TimeSpan.FromSeconds(60)));
        Assert.Equal(100UL, events.Requests);
        Assert.Equal(100 / 60.0, events.RequestsPerSecond, 6);
        Assert.Equal(0.1, events.ErrorRate, 6);
        // rank 95 of 100: 10 in the first bucket, then 85 of the 90 in (0.2, 0.4]
        Assert.Equal((0.2 + 0.2 * 85 / 90) * 1000, events.P95Ms!.Value, 6);
        // over ten minutes the first points count too (a series that began within the window counts from zero)
        Assert.Equal(210UL, store.RequestMetrics(TimeSpan.FromMinutes(10))[0].Requests);
    }

    [Fact]
    public void Health_probe_requests_are_left_out_of_the_rates()
    {
        var store = new TelemetryStore();
        HistogramPoint Point(string route, ulong count) =>
            new(
                "identity",
                TelemetryStore.RequestDurationMetric,
                "s",
                new Dictionary<string, string> { ["http.route"] = route, ["http.response.status_code"] = "503" },
                1,
                2,
                count,
                0,
                [count],
                [],
                Delta: false
            );
        store.AddMetrics(new([Point("/health/ready", 40), Point("/api/v1/auth/login", 3)], []));

        var identity = Assert.Single(store.RequestMetrics(TimeSpan.FromMinutes(1)));
        Assert.Equal((3UL, 1.0), (identity.Requests, identity.ErrorRate));
    }

    [Fact]
    public void Delta_histograms_are_summed_within_the_window()
    {
        var clock = new ManualClock();
        var store = new TelemetryStore(clock: clock);
        HistogramPoint Point(ulong count) =>
            new(
                "identity",
                TelemetryStore.RequestDurationMetric,
                "s",
                NoAttributes,
                1,
                2,
                count,
                0,
                [count, 0],
                [0.05],
                Delta: true
            );
        store.AddMetrics(new([Point(50)], []));
        clock.Advance(TimeSpan.FromSeconds(90));
        store.AddMetrics(new([Point(5)], []));
        clock.Advance(TimeSpan.FromSeconds(5));
        store.AddMetrics(new([Point(7)], []));

        var identity = Assert.Single(store.RequestMetrics(TimeSpan.FromSeconds(60)));
        Assert.Equal((12UL, 0.0), (identity.Requests, identity.ErrorRate));
        Assert.True(identity.P95Ms <= 50);
    }

    [Fact]
    public void Percentile_interpolates_within_the_bucket_and_is_null_without_observations()
    {
        Assert.Null(TelemetryStore.Percentile([0, 0], [1.0], 0.95));
        Assert.Equal(0.5, TelemetryStore.Percentile([0, 10, 0], [0.0, 1.0], 0.5));
        Assert.Equal(1.0, TelemetryStore.Percentile([0, 0, 10], [0.5, 1.0], 0.95)); // overflow bucket: its lower bound
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
