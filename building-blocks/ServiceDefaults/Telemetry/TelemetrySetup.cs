using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Community.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry traces, metrics and logs over OTLP, configured as the SDK reads it
/// (OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, OTEL_METRIC_EXPORT_INTERVAL, OTEL_SERVICE_NAME).
/// </summary>
public static class TelemetrySetup
{
    /// <summary>Sources no instrumentation package adds: the bus, the proxy, SignalR and our own.</summary>
    public static readonly string[] ActivitySources =
    [
        "MassTransit",
        "Yarp.ReverseProxy",
        "Microsoft.AspNetCore.SignalR.Server",
        DiagnosticNames.Source,
    ];

    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Authentication",
        "MassTransit",
        DiagnosticNames.Source,
    ];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        // No collector, no providers: spans and measurements nobody exports would still be recorded on every
        // request and every database command, for nothing. Without them ASP.NET Core keeps its request activity
        // (trace ids propagate, sit in log scopes, problem details and outbox messages); only the recording goes.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            return builder;

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var attributes = builder.Configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "";
        var hasInstanceId = attributes.Contains("service.instance.id=", StringComparison.Ordinal);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });
        builder
            .Services.AddOpenTelemetry()
            // An instance id in OTEL_RESOURCE_ATTRIBUTES (AppHost's replicas) is kept; else one is made per process.
            .ConfigureResource(resource =>
                resource.AddService(serviceName, autoGenerateServiceInstanceId: !hasInstanceId)
            )
            .WithTracing(tracing =>
                tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsHealthProbe(context.Request))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddSource(ActivitySources)
            )
            .WithMetrics(metrics =>
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddMeter(Meters)
            )
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>Health probes arrive every few seconds; recording them would bury the traces that matter.</summary>
    private static bool IsHealthProbe(HttpRequest request) => request.Path.StartsWithSegments("/health");
}

/// <summary>The platform's own ActivitySource and Meter name (outbox, inbox).</summary>
public static class DiagnosticNames
{
    public const string Source = "Community";
    public static readonly ActivitySource Activities = new(Source);
    public static readonly System.Diagnostics.Metrics.Meter Meter = new(Source);
}
