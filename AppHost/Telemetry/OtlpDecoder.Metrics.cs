using Google.Protobuf;

namespace Community.AppHost.Telemetry;

// Histograms and sums/gauges of the metrics export request.
internal static partial class OtlpDecoder
{
    public static MetricsBatch DecodeMetrics(ReadOnlySpan<byte> body)
    {
        var histograms = new List<HistogramPoint>();
        var numbers = new List<NumberPoint>();
        ForEachResource(
            body,
            (resource, resourceMetrics) =>
            {
                var service = ServiceName(resource);
                var instance = resource.TryGetValue("service.instance.id", out var id) && id.Length > 0 ? id : service;
                foreach (var scopeMetrics in Repeated(resourceMetrics, 2))
                {
                    foreach (var metric in Repeated(scopeMetrics, 2))
                    {
                        DecodeMetric(metric, service, instance, histograms, numbers);
                    }
                }
            }
        );
        return new MetricsBatch(histograms, numbers);
    }

    private static void DecodeMetric(
        byte[] bytes,
        string service,
        string instance,
        List<HistogramPoint> histograms,
        List<NumberPoint> numbers
    )
    {
        string name = "",
            unit = "";
        var bodies = new List<(int Field, byte[] Bytes)>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    name = input.ReadString();
                    break;
                case 3:
                    unit = input.ReadString();
                    break;
                case 5 or 7 or 9:
                    bodies.Add((WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        foreach (var (field, body) in bodies)
        {
            // Gauge = 5 and Sum = 7 hold NumberDataPoints (field 1); Histogram = 9 holds HistogramDataPoints (field 1),
            // temporality field 2
            var temporality = ReadVarintField(body, 2);
            foreach (var point in Repeated(body, 1))
            {
                if (field == 9)
                {
                    histograms.Add(
                        DecodeHistogramPoint(point, service, name, unit, delta: temporality == 1) with
                        {
                            Instance = instance,
                        }
                    );
                }
                else
                {
                    numbers.Add(DecodeNumberPoint(point, service, name, unit) with { Instance = instance });
                }
            }
        }
    }

    private static HistogramPoint DecodeHistogramPoint(
        byte[] bytes,
        string service,
        string metric,
        string unit,
        bool delta
    )
    {
        ulong start = 0,
            time = 0,
            count = 0;
        double sum = 0;
        var buckets = new List<ulong>();
        var bounds = new List<double>();
        var attributes = new Dictionary<string, string>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = WireFormat.GetTagFieldNumber(tag);
            var packed = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
            switch (field)
            {
                case 9:
                    ReadKeyValue(input.ReadBytes().ToByteArray(), attributes);
                    break;
                case 2:
                    start = input.ReadFixed64();
                    break;
                case 3:
                    time = input.ReadFixed64();
                    break;
                case 4:
                    count = input.ReadFixed64();
                    break;
                case 5:
                    sum = input.ReadDouble();
                    break;
                case 6 when packed:
                    var countsInput = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!countsInput.IsAtEnd)
                        buckets.Add(countsInput.ReadFixed64());
                    break;
                case 6:
                    buckets.Add(input.ReadFixed64());
                    break;
                case 7 when packed:
                    var boundsInput = new CodedInputStream(input.ReadBytes().ToByteArray());
                    while (!boundsInput.IsAtEnd)
                        bounds.Add(boundsInput.ReadDouble());
                    break;
                case 7:
                    bounds.Add(input.ReadDouble());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new HistogramPoint(service, metric, unit, attributes, start, time, count, sum, buckets, bounds, delta);
    }

    private static NumberPoint DecodeNumberPoint(byte[] bytes, string service, string metric, string unit)
    {
        ulong time = 0;
        double value = 0;
        var attributes = new Dictionary<string, string>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 7:
                    ReadKeyValue(input.ReadBytes().ToByteArray(), attributes);
                    break;
                case 3:
                    time = input.ReadFixed64();
                    break;
                case 4:
                    value = input.ReadDouble();
                    break;
                case 6:
                    value = input.ReadSFixed64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new NumberPoint(service, metric, unit, attributes, time, value);
    }
}
