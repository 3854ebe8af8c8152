namespace Community.AppHost.Telemetry;

/// <summary>OTLP span kinds (opentelemetry/proto/trace/v1/trace.proto).</summary>
internal enum SpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>One span as the dashboard keeps it; ids are lower-case hex, times Unix nanoseconds.</summary>
internal sealed record SpanRecord(
    string Service,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    SpanKind Kind,
    ulong StartNanos,
    ulong EndNanos,
    IReadOnlyDictionary<string, string> Attributes,
    bool IsError,
    string? StatusMessage,
    string Scope
);

/// <summary>One structured log record; <see cref="TraceId"/> links it to its trace.</summary>
internal sealed record LogRecordData(
    string Service,
    ulong TimeNanos,
    int SeverityNumber,
    string Severity,
    string Body,
    IReadOnlyDictionary<string, string> Attributes,
    string? TraceId,
    string? SpanId,
    string Scope
);

/// <summary>
/// One histogram data point (explicit buckets), cumulative or delta as <see cref="Delta"/> says; <see cref="Instance"/>
/// is the exporting process's service.instance.id (replicas of a service export apart), its service's name without one.
/// </summary>
internal sealed record HistogramPoint(
    string Service,
    string Metric,
    string Unit,
    IReadOnlyDictionary<string, string> Attributes,
    ulong StartNanos,
    ulong TimeNanos,
    ulong Count,
    double Sum,
    IReadOnlyList<ulong> BucketCounts,
    IReadOnlyList<double> Bounds,
    bool Delta,
    string? Instance = null
);

/// <summary>One gauge or sum data point, of one instance as <see cref="HistogramPoint"/>'s.</summary>
internal sealed record NumberPoint(
    string Service,
    string Metric,
    string Unit,
    IReadOnlyDictionary<string, string> Attributes,
    ulong TimeNanos,
    double Value,
    string? Instance = null
);

internal sealed record MetricsBatch(IReadOnlyList<HistogramPoint> Histograms, IReadOnlyList<NumberPoint> Numbers);
