using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests;

/// <summary>A bus that is still connecting is not a failure; an outage after that is, once.</summary>
public sealed class HealthTransitionLogTests
{
    private readonly TestClock _clock = new();
    private readonly RecordingLogger _logger = new();
    private readonly HealthTransitionLog _log;

    public HealthTransitionLogTests() => _log = new HealthTransitionLog(_logger, _clock);

    private Task Publish(HealthStatus bus, string description = "Not ready: not started") =>
        _log.PublishAsync(
            new HealthReport(
                new Dictionary<string, HealthReportEntry>
                {
                    ["database"] = new(HealthStatus.Healthy, null, TimeSpan.Zero, null, null),
                    ["masstransit-bus"] = new(
                        bus,
                        bus == HealthStatus.Healthy ? "Ready" : description,
                        TimeSpan.Zero,
                        null,
                        null
                    ),
                },
                TimeSpan.Zero
            ),
            CancellationToken.None
        );

    [Fact]
    public async Task A_bus_still_starting_logs_nothing_and_its_first_success_is_no_recovery()
    {
        await Publish(HealthStatus.Unhealthy);
        await Publish(HealthStatus.Unhealthy);
        await Publish(HealthStatus.Healthy);

        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task An_outage_after_start_is_one_error_and_its_end_one_information()
    {
        await Publish(HealthStatus.Healthy);

        await Publish(HealthStatus.Unhealthy, "Not ready: broker unreachable");
        await Publish(HealthStatus.Unhealthy, "Not ready: broker unreachable");
        await Publish(HealthStatus.Healthy);

        Assert.Collection(
            _logger.Entries,
            e =>
            {
                Assert.Equal(LogLevel.Error, e.Level);
                Assert.Contains("masstransit-bus", e.Message);
                Assert.Contains("broker unreachable", e.Message);
            },
            e =>
            {
                Assert.Equal(LogLevel.Information, e.Level);
                Assert.Contains("masstransit-bus is healthy again", e.Message);
            }
        );
    }

    [Fact]
    public async Task A_check_that_never_becomes_healthy_is_an_error_once_the_start_up_grace_is_over()
    {
        await Publish(HealthStatus.Unhealthy);
        _clock.Advance(HealthTransitionLog.StartupGrace);

        await Publish(HealthStatus.Unhealthy);

        Assert.Equal(LogLevel.Error, Assert.Single(_logger.Entries).Level);
    }

    [Fact]
    public async Task Degraded_after_start_is_a_warning()
    {
        await Publish(HealthStatus.Healthy);

        await Publish(HealthStatus.Degraded, "Degraded: an endpoint is faulted");

        Assert.Equal(LogLevel.Warning, Assert.Single(_logger.Entries).Level);
    }

    [Fact]
    public async Task A_check_falling_while_the_service_stops_is_information_not_a_warning_or_an_error()
    {
        using var stopping = new CancellationTokenSource();
        var log = new HealthTransitionLog(_logger, _clock, new Lifetime(stopping.Token));
        await log.PublishAsync(Report(HealthStatus.Healthy, "Ready"), CancellationToken.None);

        await stopping.CancelAsync();
        await log.PublishAsync(Report(HealthStatus.Degraded, "Degraded Endpoints: stopping"), CancellationToken.None);
        await log.PublishAsync(Report(HealthStatus.Unhealthy, "Not ready: stopped"), CancellationToken.None);

        Assert.All(_logger.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Equal(2, _logger.Entries.Count);
    }

    private static HealthReport Report(HealthStatus bus, string description) =>
        new(
            new Dictionary<string, HealthReportEntry>
            {
                ["masstransit-bus"] = new(bus, description, TimeSpan.Zero, null, null),
            },
            TimeSpan.Zero
        );

    private sealed class Lifetime(CancellationToken stopping) : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => stopping;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() { }
    }

    [Fact]
    public void Services_log_changes_instead_of_an_error_per_probe()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddServiceDefaults();
        using var app = builder.Build();

        Assert.Contains(app.Services.GetServices<IHealthCheckPublisher>(), p => p is HealthTransitionLog);
        var probes = app
            .Services.GetRequiredService<ILoggerFactory>()
            .CreateLogger(HealthTransitionLog.ProbeLogCategory);
        Assert.False(probes.IsEnabled(LogLevel.Error));
        Assert.True(
            app.Services.GetRequiredService<ILoggerFactory>()
                .CreateLogger<HealthTransitionLog>()
                .IsEnabled(LogLevel.Error)
        );
    }

    private sealed class RecordingLogger : ILogger<HealthTransitionLog>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        ) => Entries.Add((logLevel, formatter(state, exception)));
    }
}
