using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Community.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry without the hosting package (not served here): the providers are built by
/// hand and disposed with the host. No instrumentation packages either, so we listen to the
/// sources ASP.NET Core, HttpClient, Npgsql and MassTransit emit natively.
/// </summary>
public static class TelemetrySetup
{
    public static readonly string[] ActivitySources = ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "MassTransit", "Yarp.ReverseProxy", "Microsoft.AspNetCore.SignalR.Server", DiagnosticNames.Source];
    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Authentication",
        "System.Net.Http", "System.Runtime", "Npgsql", "MassTransit", DiagnosticNames.Source,
    ];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var otlp = OtlpTarget.From(builder.Configuration);
        void Describe(ResourceBuilder resource) => resource.AddService(serviceName);

        // No collector, no providers: spans and measurements nobody exports would still be recorded on every request and
        // every database command, for nothing. Without them ASP.NET Core keeps its request activity (trace ids propagate,
        // sit in log scopes, problem details and outbox messages); only the unexported recording goes.
        if (otlp is null) return builder;
        builder.Services.AddSingleton(_ =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder().ConfigureResource(Describe).AddSource(ActivitySources)
                .AddOtlpExporter(o => otlp.Apply(o, "traces"));
            return new TelemetryProviders(tracing.Build(), BuildMeters(Describe, otlp));
        });
        builder.Services.AddHostedService<TelemetryLifetime>();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
            logging.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
            logging.AddOtlpExporter(o => otlp.Apply(o, "logs"));
        });
        return builder;
    }

    private static MeterProvider BuildMeters(Action<ResourceBuilder> describe, OtlpTarget otlp) =>
        Sdk.CreateMeterProviderBuilder().ConfigureResource(describe).AddMeter(Meters)
            .AddOtlpExporter((exporter, reader) =>
            {
                otlp.Apply(exporter, "metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = otlp.MetricIntervalMilliseconds;
            })
            .Build();

    /// <summary>
    /// The collector, from configuration (OTEL_EXPORTER_OTLP_ENDPOINT / _PROTOCOL, as environment
    /// variables or settings), applied to each exporter: OTLP/HTTP wants a path per signal.
    /// </summary>
    private sealed record OtlpTarget(Uri Endpoint, OpenTelemetry.Exporter.OtlpExportProtocol Protocol, int MetricIntervalMilliseconds)
    {
        public static OtlpTarget? From(Microsoft.Extensions.Configuration.IConfiguration configuration)
        {
            var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
            if (string.IsNullOrWhiteSpace(endpoint)) return null;
            var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
                ? OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
                : OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;
            var interval = int.TryParse(configuration["OTEL_METRIC_EXPORT_INTERVAL"], out var ms) && ms > 0 ? ms : 60_000;
            return new OtlpTarget(new Uri(endpoint), protocol, interval);
        }

        public void Apply(OpenTelemetry.Exporter.OtlpExporterOptions options, string signal)
        {
            options.Protocol = Protocol;
            options.Endpoint = Protocol == OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
                ? new Uri(Endpoint, Endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal)
                : Endpoint;
        }
    }

    /// <summary>Health probes arrive every few seconds; recording them would bury the traces that matter.</summary>
    public static IApplicationBuilder UseHealthProbesUntraced(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/health") && Activity.Current is { } activity)
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
        return next(context);
    });

    /// <summary>
    /// Server spans as the instrumentation package (not served here) would describe them: ASP.NET
    /// Core's own activity carries no tags, so name it "METHOD route" and add the semantic-convention
    /// attributes a trace viewer needs.
    /// </summary>
    public static IApplicationBuilder UseServerSpanTags(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var activity = Activity.Current;
        if (activity is null || !activity.IsAllDataRequested)
        {
            await next(context);
            return;
        }
        var request = context.Request;
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("server.address", request.Host.Host);
        try
        {
            await next(context);
        }
        finally
        {
            // After an exception the handler has cleared the endpoint; the one that failed is kept on its feature.
            var endpoint = context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
            var route = (endpoint as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText;
            if (route is not null) activity.SetTag("http.route", route);
            activity.DisplayName = $"{request.Method} {route ?? request.Path.Value}";
            activity.SetTag("http.response.status_code", context.Response.StatusCode);
            if (context.Response.StatusCode >= 500) activity.SetStatus(ActivityStatusCode.Error);
        }
    });

    private sealed record TelemetryProviders(TracerProvider Tracing, MeterProvider Metrics) : IDisposable
    {
        public void Dispose()
        {
            Tracing.Dispose();
            Metrics.Dispose();
        }
    }

    // Creating the providers at start makes them listen before the first request; the container disposes them at stop.
    private sealed class TelemetryLifetime(TelemetryProviders providers) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(providers);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The platform's own ActivitySource and Meter name (outbox, inbox).</summary>
public static class DiagnosticNames
{
    public const string Source = "Community";
    public static readonly ActivitySource Activities = new(Source);
}
