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
    public static readonly string[] ActivitySources = ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "MassTransit", "Yarp.ReverseProxy", DiagnosticNames.Source];
    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Authentication",
        "System.Net.Http", "System.Runtime", "Npgsql", "MassTransit", DiagnosticNames.Source,
    ];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        void Describe(ResourceBuilder resource) => resource.AddService(serviceName);

        builder.Services.AddSingleton(_ =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder().ConfigureResource(Describe).AddSource(ActivitySources);
            if (otlp) tracing.AddOtlpExporter();
            return new TelemetryProviders(tracing.Build(), BuildMeters(Describe, otlp));
        });
        builder.Services.AddHostedService<TelemetryLifetime>();

        if (otlp)
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeScopes = true;
                logging.IncludeFormattedMessage = true;
                logging.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
                logging.AddOtlpExporter();
            });
        }
        return builder;
    }

    private static MeterProvider BuildMeters(Action<ResourceBuilder> describe, bool otlp)
    {
        var metrics = Sdk.CreateMeterProviderBuilder().ConfigureResource(describe).AddMeter(Meters);
        if (otlp) metrics.AddOtlpExporter();
        return metrics.Build();
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
