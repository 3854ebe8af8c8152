using System.Diagnostics;
using System.Diagnostics.Metrics;
using Community.LocalInfrastructure;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SpanKind = Community.AppHost.Telemetry.SpanKind;

namespace Community.AppHost.Tests.Telemetry;

/// <summary>
/// The real OpenTelemetry OTLP exporter (HTTP/protobuf) sends to the dashboard's receiver: the format end to end.
/// </summary>
public sealed class OtlpReceiverTests : IDisposable
{
    private readonly TelemetryStore _store = new();
    private readonly Dashboard _dashboard;
    private readonly CancellationTokenSource _stop = new();

    public OtlpReceiverTests()
    {
        // "localhost", as AppHost's default dashboard address is
        _dashboard = new Dashboard($"http://localhost:{LoopbackPorts.Take()}", () => [], _store);
        _dashboard.Start(_stop.Token);
    }

    private void Export(OtlpExporterOptions options, string signal)
    {
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Endpoint = new Uri($"{_dashboard.OtlpEndpoint}/v1/{signal}");
    }

    [Fact]
    public void Spans_exported_by_the_sdk_arrive_with_their_service_parent_and_attributes()
    {
        using var source = new ActivitySource("Community.AppHost.Tests.Receiver");
        string traceId,
            parentId;
        using (
            var tracing = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => r.AddService("receiver-test"))
                .AddSource(source.Name)
                .AddOtlpExporter(o => Export(o, "traces"))
                .Build()
        )
        {
            using (var parent = source.StartActivity("GET /things", ActivityKind.Server)!)
            {
                parent.SetTag("request_id", "req-receiver");
                traceId = parent.TraceId.ToHexString();
                parentId = parent.SpanId.ToHexString();
                using var publish = source.StartActivity("publish ThingAdded", ActivityKind.Producer)!;
                publish.SetStatus(ActivityStatusCode.Error, "broker down");
            }
            Assert.True(tracing.ForceFlush(10_000));
        }

        var spans = _store.Trace(traceId);
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal("receiver-test", s.Service));
        var root = spans.Single(s => s.ParentSpanId is null);
        Assert.Equal(
            (parentId, "GET /things", SpanKind.Server, "req-receiver"),
            (root.SpanId, root.Name, root.Kind, root.Attributes["request_id"])
        );
        var child = spans.Single(s => s.ParentSpanId == parentId);
        Assert.Equal(
            ("publish ThingAdded", SpanKind.Producer, true, "broker down"),
            (child.Name, child.Kind, child.IsError, child.StatusMessage)
        );
        Assert.True(root.EndNanos >= child.EndNanos && child.StartNanos >= root.StartNanos);
        Assert.Equal(traceId, Assert.Single(_store.Traces("req-receiver")).TraceId);
    }

    [Fact]
    public void Logs_exported_by_the_sdk_arrive_with_severity_body_scope_attributes_and_trace()
    {
        using var source = new ActivitySource("Community.AppHost.Tests.ReceiverLogs");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        string traceId;
        using (
            var loggers = LoggerFactory.Create(logging =>
                logging.AddOpenTelemetry(o =>
                {
                    o.IncludeFormattedMessage = true;
                    o.IncludeScopes = true;
                    o.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("receiver-logs"));
                    o.AddOtlpExporter(e => Export(e, "logs"));
                })
            )
        )
        {
            var logger = loggers.CreateLogger("Community.Receiver");
            using (var activity = source.StartActivity("work")!)
            {
                traceId = activity.TraceId.ToHexString();
                using (logger.BeginScope(new Dictionary<string, object> { ["request_id"] = "req-log" }))
                {
                    logger.LogWarning("Order {OrderId} is late", 42);
                }
            }
        } // disposing the factory flushes the batch

        var log = Assert.Single(_store.Logs("receiver-logs", null, null));
        Assert.Equal(
            ("Warning", 13, "Order 42 is late", traceId, "Community.Receiver"),
            (log.Severity, log.SeverityNumber, log.Body, log.TraceId, log.Scope)
        );
        Assert.Equal("42", log.Attributes["OrderId"]);
        Assert.Equal("req-log", log.Attributes["request_id"]);
    }

    [Fact]
    public void The_request_duration_histogram_exported_by_the_sdk_gives_rate_errors_and_p95()
    {
        using var meter = new Meter("Community.AppHost.Tests.ReceiverMetrics");
        // the bucket boundaries ASP.NET Core advises for this instrument
        var duration = meter.CreateHistogram(
            TelemetryStore.RequestDurationMetric,
            "s",
            null,
            null,
            new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
            }
        );
        using (
            var metrics = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService("receiver-metrics"))
                .AddMeter(meter.Name)
                .AddOtlpExporter((o, _) => Export(o, "metrics"))
                .Build()
        )
        {
            for (var i = 0; i < 19; i++)
                duration.Record(0.003, new KeyValuePair<string, object?>("http.response.status_code", 200));
            duration.Record(0.003, new KeyValuePair<string, object?>("http.response.status_code", 503));
            Assert.True(metrics.ForceFlush(10_000));
        }

        var service = Assert.Single(
            _store.RequestMetrics(TimeSpan.FromMinutes(1)),
            m => m.Service == "receiver-metrics"
        );
        Assert.Equal(20UL, service.Requests);
        Assert.Equal(0.05, service.ErrorRate, 6);
        Assert.InRange(service.P95Ms!.Value, 0, 5); // every observation is in the first bucket, (0, 5 ms]
    }

    [Fact]
    public async Task Other_content_and_unknown_signals_are_refused_and_garbage_is_a_400()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_dashboard.Url) };
        using var json = await http.PostAsync(
            "/v1/traces",
            new StringContent("{}", System.Text.Encoding.UTF8, "application/json")
        );
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        using var unknown = await http.PostAsync("/v1/profiles", Protobuf([]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var garbage = await http.PostAsync("/v1/traces", Protobuf([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        using var empty = await http.PostAsync("/v1/logs", Protobuf([]));
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
    }

    private static ByteArrayContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/x-protobuf");
        return content;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _dashboard.Dispose();
        _stop.Dispose();
    }
}
