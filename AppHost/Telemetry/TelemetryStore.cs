namespace Community.AppHost.Telemetry;

/// <summary>
/// A trace as the list shows it: its root, the services it crossed, its span count and whether a span failed.
/// </summary>
internal sealed record TraceSummary(
    string TraceId,
    string Name,
    string Service,
    ulong StartNanos,
    double DurationMs,
    int Spans,
    IReadOnlyList<string> Services,
    bool HasError,
    string? RequestId
);

/// <summary>
/// Request rate, error rate and p95 latency of one service over a window, from http.server.request.duration.
/// </summary>
internal sealed record RequestMetrics(
    string Service,
    double RequestsPerSecond,
    double ErrorRate,
    double? P95Ms,
    ulong Requests,
    double WindowSeconds
);

/// <summary>
/// What the OTLP receiver keeps, all bounded: the newest spans (whole traces evicted oldest
/// first), the newest structured logs, and a few minutes of http.server.request.duration points.
/// </summary>
internal sealed class TelemetryStore(int maxSpans = 20_000, int maxLogs = 10_000, TimeProvider? clock = null)
{
    /// <summary>The attribute UseRequestId puts on server spans (and the log scope field of the same name).</summary>
    public const string RequestIdAttribute = "request_id";
    public const string RequestDurationMetric = "http.server.request.duration";
    private static readonly TimeSpan HistogramHistory = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<SpanRecord>> _traces = [];
    private readonly LinkedList<string> _traceOrder = []; // oldest first, by first arrival
    private readonly Dictionary<string, LinkedListNode<string>> _traceNodes = [];
    private readonly LinkedList<LogRecordData> _logs = [];
    private readonly Dictionary<
        (string Service, string Instance, string Series),
        List<(DateTimeOffset Received, HistogramPoint Point)>
    > _durations = [];
    private readonly Dictionary<
        (string Instance, string Metric, string Series),
        (DateTimeOffset Received, NumberPoint Point)
    > _numbers = [];
    private int _spanCount;

    public void AddSpans(IEnumerable<SpanRecord> spans)
    {
        lock (_gate)
        {
            foreach (var span in spans)
            {
                if (span.TraceId.Length == 0)
                {
                    continue;
                }
                if (!_traces.TryGetValue(span.TraceId, out var list))
                {
                    _traces[span.TraceId] = list = [];
                    _traceNodes[span.TraceId] = _traceOrder.AddLast(span.TraceId);
                }
                list.Add(span);
                _spanCount++;
            }
            while (_spanCount > maxSpans && _traceOrder.First is { } oldest)
            {
                _spanCount -= _traces[oldest.Value].Count;
                _traces.Remove(oldest.Value);
                _traceNodes.Remove(oldest.Value);
                _traceOrder.RemoveFirst();
            }
        }
    }

    public void AddLogs(IEnumerable<LogRecordData> logs)
    {
        lock (_gate)
        {
            foreach (var log in logs)
            {
                _logs.AddLast(log);
                if (_logs.Count > maxLogs)
                {
                    _logs.RemoveFirst();
                }
            }
        }
    }

    public void AddMetrics(MetricsBatch batch)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            // AppHost's own health probes are not traffic: they would fill the rates of idle services
            foreach (
                var point in batch.Histograms.Where(p =>
                    p.Metric == RequestDurationMetric && !IsHealthProbe(p.Attributes)
                )
            )
            {
                // replicas count apart: each one's cumulative series grows on its own
                var key = (point.Service, point.Instance ?? point.Service, SeriesKey(point.Attributes));
                if (!_durations.TryGetValue(key, out var history))
                {
                    _durations[key] = history = [];
                }
                history.Add((now, point));
                history.RemoveAll(h => now - h.Received > HistogramHistory);
            }
            foreach (var point in batch.Numbers)
            {
                _numbers[(point.Instance ?? point.Service, point.Metric, SeriesKey(point.Attributes))] = (now, point);
            }
        }
    }

    /// <summary>
    /// Newest first. <paramref name="query"/> matches a trace id (or its start), a request id, a service or a span
    /// name.
    /// </summary>
    public IReadOnlyList<TraceSummary> Traces(string? query, int limit = 100)
    {
        lock (_gate)
        {
            var q = query?.Trim() ?? "";
            return _traceOrder
                .Reverse()
                .Select(id => (id, spans: _traces[id]))
                .Where(t => q.Length == 0 || Matches(t.id, t.spans, q))
                .Take(limit)
                .Select(t => Summarize(t.id, t.spans))
                .ToList();
        }
    }

    /// <summary>The spans of one trace, by start time; empty when it is unknown (or evicted).</summary>
    public IReadOnlyList<SpanRecord> Trace(string traceId)
    {
        lock (_gate)
        {
            return _traces.TryGetValue(traceId.Trim().ToLowerInvariant(), out var spans)
                ? spans.OrderBy(s => s.StartNanos).ToList()
                : [];
        }
    }

    /// <summary>Newest first, filtered by service, trace id, minimum severity and text (body, attributes).</summary>
    public IReadOnlyList<LogRecordData> Logs(
        string? service,
        string? traceId,
        string? text,
        int minSeverity = 0,
        int limit = 500
    )
    {
        lock (_gate)
        {
            IEnumerable<LogRecordData> logs = _logs.Reverse();
            if (!string.IsNullOrWhiteSpace(service))
                logs = logs.Where(l => l.Service == service);
            if (!string.IsNullOrWhiteSpace(traceId))
                logs = logs.Where(l => l.TraceId == traceId.Trim().ToLowerInvariant());
            if (minSeverity > 0)
                logs = logs.Where(l => l.SeverityNumber >= minSeverity);
            if (!string.IsNullOrWhiteSpace(text))
            {
                logs = logs.Where(l =>
                    l.Body.Contains(text, StringComparison.OrdinalIgnoreCase)
                    || l.Attributes.Any(a => a.Value.Contains(text, StringComparison.OrdinalIgnoreCase))
                );
            }
            return logs.Take(limit).ToList();
        }
    }

    /// <summary>
    /// Per service over the last <paramref name="window"/>: requests, 5xx share and p95 from the
    /// histogram's buckets (cumulative points are differenced; delta points summed).
    /// </summary>
    public IReadOnlyList<RequestMetrics> RequestMetrics(TimeSpan window)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            var result = new List<RequestMetrics>();
            foreach (var service in _durations.Keys.Select(k => k.Service).Distinct().Order(StringComparer.Ordinal))
            {
                ulong requests = 0,
                    errors = 0;
                IReadOnlyList<double> bounds = [];
                ulong[] buckets = [];
                foreach (var (_, history) in _durations.Where(d => d.Key.Service == service))
                {
                    var (count, counts) = Increase(history, now - window);
                    if (count == 0)
                        continue;
                    var point = history[^1].Point;
                    requests += count;
                    if (IsError(point.Attributes))
                        errors += count;
                    if (buckets.Length == 0 || buckets.Length == counts.Length)
                    {
                        if (buckets.Length == 0)
                        {
                            buckets = new ulong[counts.Length];
                            bounds = point.Bounds;
                        }
                        for (var i = 0; i < counts.Length; i++)
                            buckets[i] += counts[i];
                    }
                }
                var seconds = window.TotalSeconds;
                result.Add(
                    new RequestMetrics(
                        service,
                        requests / seconds,
                        requests == 0 ? 0 : (double)errors / requests,
                        Percentile(buckets, bounds, 0.95) is { } p95 ? p95 * 1000 : null,
                        requests,
                        seconds
                    )
                );
            }
            return result;
        }
    }

    /// <summary>When <paramref name="service"/>'s newest request-duration export arrived; null when none did.</summary>
    public DateTimeOffset? LastExport(string service)
    {
        lock (_gate)
        {
            return _durations
                .Where(d => d.Key.Service == service && d.Value.Count > 0)
                .Select(d => (DateTimeOffset?)d.Value[^1].Received)
                .Max();
        }
    }

    /// <summary>
    /// The latest value of every gauge and sum each service exported, of those received less than
    /// <paramref name="maxAge"/> ago: a stopped or crashed instance's last values are not current.
    /// </summary>
    public IReadOnlyList<NumberPoint> Numbers(TimeSpan maxAge)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            return _numbers
                .Values.Where(n => now - n.Received < maxAge)
                .Select(n => n.Point)
                .OrderBy(p => p.Service, StringComparer.Ordinal)
                .ThenBy(p => p.Metric, StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>How much a series grew since <paramref name="since"/>: its count and per-bucket counts.</summary>
    private static (ulong Count, ulong[] Buckets) Increase(
        List<(DateTimeOffset Received, HistogramPoint Point)> history,
        DateTimeOffset since
    )
    {
        var latest = history[^1].Point;
        if (latest.Delta)
        {
            var recent = history.Where(h => h.Received >= since).Select(h => h.Point).ToList();
            var sum = new ulong[latest.BucketCounts.Count];
            foreach (var p in recent.Where(p => p.BucketCounts.Count == sum.Length))
            {
                for (var i = 0; i < sum.Length; i++)
                    sum[i] += p.BucketCounts[i];
            }
            return ((ulong)recent.Sum(p => (decimal)p.Count), sum);
        }
        // the newest point received before the window began is the baseline; none (or a restart) means from zero
        var baseline = history.LastOrDefault(h => h.Received < since && h.Point.StartNanos == latest.StartNanos).Point;
        if (
            baseline is null
            || baseline.Count > latest.Count
            || baseline.BucketCounts.Count != latest.BucketCounts.Count
        )
        {
            return (latest.Count, [.. latest.BucketCounts]);
        }
        return (
            latest.Count - baseline.Count,
            latest.BucketCounts.Select((c, i) => c - baseline.BucketCounts[i]).ToArray()
        );
    }

    /// <summary>
    /// The bucket-interpolated quantile (as Prometheus' histogram_quantile does); null with no observations.
    /// </summary>
    public static double? Percentile(IReadOnlyList<ulong> buckets, IReadOnlyList<double> bounds, double quantile)
    {
        var total = buckets.Aggregate(0UL, (a, b) => a + b);
        if (total == 0 || bounds.Count == 0)
            return null;
        var rank = quantile * total;
        ulong seen = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (seen + buckets[i] >= rank && buckets[i] > 0)
            {
                if (i >= bounds.Count)
                    return bounds[^1]; // the overflow bucket has no upper bound
                var lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * ((rank - seen) / buckets[i]);
            }
            seen += buckets[i];
        }
        return bounds[^1];
    }

    private static bool IsHealthProbe(IReadOnlyDictionary<string, string> attributes) =>
        attributes.TryGetValue("http.route", out var route) && route.StartsWith("/health", StringComparison.Ordinal);

    private static bool IsError(IReadOnlyDictionary<string, string> attributes) =>
        attributes.TryGetValue("http.response.status_code", out var status)
        && int.TryParse(status, out var code)
        && code >= 500;

    private static string SeriesKey(IReadOnlyDictionary<string, string> attributes) =>
        string.Join("|", attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));

    private static bool Matches(string traceId, List<SpanRecord> spans, string q) =>
        traceId.StartsWith(q, StringComparison.OrdinalIgnoreCase)
        || spans.Any(s =>
            s.Service.Equals(q, StringComparison.OrdinalIgnoreCase)
            || s.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
            || (
                s.Attributes.TryGetValue(RequestIdAttribute, out var id)
                && id.Equals(q, StringComparison.OrdinalIgnoreCase)
            )
        );

    private static TraceSummary Summarize(string traceId, List<SpanRecord> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var root =
            spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).MinBy(s => s.StartNanos)
            ?? spans[0];
        var start = spans.Min(s => s.StartNanos);
        var end = spans.Max(s => s.EndNanos);
        var requestId = spans
            .Select(s => s.Attributes.GetValueOrDefault(RequestIdAttribute))
            .FirstOrDefault(v => v is not null);
        return new TraceSummary(
            traceId,
            root.Name,
            root.Service,
            start,
            (end - start) / 1e6,
            spans.Count,
            spans.Select(s => s.Service).Distinct().ToList(),
            spans.Any(s => s.IsError),
            requestId
        );
    }
}
