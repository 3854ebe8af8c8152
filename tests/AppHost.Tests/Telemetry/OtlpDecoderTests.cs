using Google.Protobuf;

namespace Community.AppHost.Tests.Telemetry;

public sealed class OtlpDecoderTests
{
    private static readonly byte[] TraceId = Convert.FromHexString("0af7651916cd43dd8448eb211c80319c");
    private static readonly byte[] ParentId = Convert.FromHexString("b7ad6b7169203331");
    private static readonly byte[] SpanId = Convert.FromHexString("00f067aa0ba902b7");

    [Fact]
    public void A_span_keeps_its_ids_times_kind_attributes_status_and_service()
    {
        var span = new Proto()
            .Bytes(1, TraceId)
            .Bytes(2, SpanId)
            .String(3, "ignored=state")
            .Bytes(4, ParentId)
            .String(5, "GET /api/v1/events/{id}")
            .Varint(6, 2)
            .Fixed64(7, 1_700_000_000_000_000_000)
            .Fixed64(8, 1_700_000_000_250_000_000)
            .Message(9, Proto.StringAttribute("request_id", "req-42"))
            .Message(9, Proto.IntAttribute("http.response.status_code", 503))
            .Message(9, new Proto().String(1, "flag").Message(2, new Proto().Varint(2, 1)))
            .Message(11, new Proto().String(2, "an event the decoder skips"))
            .Message(15, new Proto().String(2, "boom").Varint(3, 2));
        var request = new Proto().Message(
            1,
            new Proto()
                .Message(1, Proto.Resource("events"))
                .Message(2, new Proto().Message(1, new Proto().String(1, "Microsoft.AspNetCore")).Message(2, span))
        );

        var decoded = Assert.Single(OtlpDecoder.DecodeTraces(request.ToArray()));

        Assert.Equal("events", decoded.Service);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", decoded.TraceId);
        Assert.Equal("00f067aa0ba902b7", decoded.SpanId);
        Assert.Equal("b7ad6b7169203331", decoded.ParentSpanId);
        Assert.Equal("GET /api/v1/events/{id}", decoded.Name);
        Assert.Equal(SpanKind.Server, decoded.Kind);
        Assert.Equal(1_700_000_000_000_000_000UL, decoded.StartNanos);
        Assert.Equal(1_700_000_000_250_000_000UL, decoded.EndNanos);
        Assert.Equal("req-42", decoded.Attributes["request_id"]);
        Assert.Equal("503", decoded.Attributes["http.response.status_code"]);
        Assert.Equal("true", decoded.Attributes["flag"]);
        Assert.True(decoded.IsError);
        Assert.Equal("boom", decoded.StatusMessage);
        Assert.Equal("Microsoft.AspNetCore", decoded.Scope);
    }

    [Fact]
    public void Spans_of_several_resources_and_scopes_each_get_their_own_service_and_a_root_has_no_parent()
    {
        static Proto Spans(string service, params string[] names)
        {
            var scope = new Proto();
            foreach (var name in names)
                scope.Message(2, new Proto().Bytes(1, TraceId).Bytes(2, RandomSpanId()).String(5, name).Varint(6, 1));
            return new Proto().Message(1, Proto.Resource(service)).Message(2, scope);
        }
        var request = new Proto()
            .Message(1, Spans("gateway", "a", "b"))
            .Message(1, Spans("identity", "c"))
            .Message(1, new Proto().Message(2, new Proto().Message(2, new Proto().Bytes(1, TraceId).String(5, "d"))));

        var spans = OtlpDecoder.DecodeTraces(request.ToArray());

        Assert.Equal(
            ["gateway:a", "gateway:b", "identity:c", "unknown_service:d"],
            spans.Select(s => $"{s.Service}:{s.Name}")
        );
        Assert.All(spans, s => Assert.Null(s.ParentSpanId));
        Assert.Equal(SpanKind.Internal, spans[0].Kind);
        Assert.False(spans[0].IsError);
    }

    [Fact]
    public void A_log_record_keeps_time_severity_body_attributes_and_its_trace()
    {
        var record = new Proto()
            .Fixed64(1, 1_700_000_000_123_000_000)
            .Varint(2, 17)
            .String(3, "Error")
            .Message(5, new Proto().String(1, "payment 7 failed"))
            .Message(6, Proto.StringAttribute("request_id", "req-7"))
            .Bytes(9, TraceId)
            .Bytes(10, SpanId);
        var unlinked = new Proto()
            .Fixed64(11, 5)
            .Varint(2, 9)
            .Message(5, new Proto().String(1, "started"))
            .Bytes(9, new byte[16]);
        var request = new Proto().Message(
            1,
            new Proto()
                .Message(1, Proto.Resource("payments"))
                .Message(
                    2,
                    new Proto()
                        .Message(1, new Proto().String(1, "Payments.Checkout"))
                        .Message(2, record)
                        .Message(2, unlinked)
                )
        );

        var logs = OtlpDecoder.DecodeLogs(request.ToArray());

        Assert.Equal(2, logs.Count);
        var error = logs[0];
        Assert.Equal(
            ("payments", 1_700_000_000_123_000_000UL, 17, "Error", "payment 7 failed"),
            (error.Service, error.TimeNanos, error.SeverityNumber, error.Severity, error.Body)
        );
        Assert.Equal("req-7", error.Attributes["request_id"]);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", error.TraceId);
        Assert.Equal("00f067aa0ba902b7", error.SpanId);
        Assert.Equal("Payments.Checkout", error.Scope);
        // no time: the observed time; no severity text: named from the number; an all-zero trace id: no trace
        Assert.Equal((5UL, "Information", (string?)null), (logs[1].TimeNanos, logs[1].Severity, logs[1].TraceId));
    }

    [Fact]
    public void Histogram_points_keep_their_buckets_bounds_count_and_temporality_and_gauges_their_value()
    {
        var histogram = new Proto()
            .Message(
                1,
                new Proto()
                    .Message(9, Proto.IntAttribute("http.response.status_code", 200))
                    .Fixed64(2, 10)
                    .Fixed64(3, 20)
                    .Fixed64(4, 6)
                    .Double(5, 0.75)
                    .PackedFixed64(6, 1, 2, 3)
                    .PackedDouble(7, 0.1, 0.5)
            )
            .Varint(2, 2);
        var gauge = new Proto().Message(1, new Proto().Fixed64(3, 30).Double(4, 12.5));
        var sum = new Proto()
            .Message(1, new Proto().Fixed64(3, 31).Message(7, Proto.StringAttribute("queue", "q")).Fixed64Signed(6, 42))
            .Varint(2, 2)
            .Varint(3, 1);
        var request = new Proto().Message(
            1,
            new Proto()
                .Message(1, Proto.Resource("events"))
                .Message(
                    2,
                    new Proto()
                        .Message(
                            2,
                            new Proto().String(1, "http.server.request.duration").String(3, "s").Message(9, histogram)
                        )
                        .Message(2, new Proto().String(1, "process.memory").String(3, "By").Message(5, gauge))
                        .Message(2, new Proto().String(1, "outbox.published").Message(7, sum))
                )
        );

        var batch = OtlpDecoder.DecodeMetrics(request.ToArray());

        var point = Assert.Single(batch.Histograms);
        Assert.Equal(
            ("events", "http.server.request.duration", "s", 10UL, 20UL, 6UL, 0.75, false),
            (
                point.Service,
                point.Metric,
                point.Unit,
                point.StartNanos,
                point.TimeNanos,
                point.Count,
                point.Sum,
                point.Delta
            )
        );
        Assert.Equal([1UL, 2, 3], point.BucketCounts);
        Assert.Equal([0.1, 0.5], point.Bounds);
        Assert.Equal("200", point.Attributes["http.response.status_code"]);
        Assert.Equal(
            ["process.memory=12.5", "outbox.published=42"],
            batch.Numbers.Select(n => $"{n.Metric}={n.Value}")
        );
        Assert.Equal("q", batch.Numbers[1].Attributes["queue"]);
    }

    [Fact]
    public void Bytes_that_are_not_protobuf_are_refused()
    {
        Assert.ThrowsAny<InvalidProtocolBufferException>(() =>
            OtlpDecoder.DecodeTraces([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])
        );
    }

    private static byte[] RandomSpanId() => Guid.NewGuid().ToByteArray()[..8];
}

internal static class ProtoExtensions
{
    /// <summary>NumberDataPoint.as_int (sfixed64, field 6).</summary>
    public static Proto Fixed64Signed(this Proto proto, int field, long value) =>
        proto.Fixed64(field, unchecked((ulong)value));
}
