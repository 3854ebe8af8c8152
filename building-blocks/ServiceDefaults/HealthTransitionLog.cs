using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults;

/// <summary>
/// Logs health when it changes, in place of the health-check service's line per probe (that
/// category is filtered out): a check that has not been healthy yet within
/// <see cref="StartupGrace"/> is starting (the bus connects in the background) and logs nothing;
/// afterwards each fall to Unhealthy is an error, Degraded a warning, and recovery information.
/// A check still failing when the grace ends is an error too, so a real outage is never hidden. Once the service is
/// stopping, a check falling (the bus's endpoints stop under a probe) is what the stop does: information, no warning.
/// </summary>
public sealed class HealthTransitionLog(
    ILogger<HealthTransitionLog> logger,
    TimeProvider clock,
    IHostApplicationLifetime? lifetime = null
) : IHealthCheckPublisher
{
    /// <summary>
    /// The category of DefaultHealthCheckService, which logs every Unhealthy probe as an error ("fail:").
    /// </summary>
    public const string ProbeLogCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    public static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(60);

    private readonly DateTimeOffset _started = clock.GetUtcNow();
    private readonly Dictionary<string, HealthStatus> _reported = [];
    private readonly HashSet<string> _healthyOnce = [];
    private readonly Lock _gate = new();

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var startingUp = clock.GetUtcNow() - _started < StartupGrace;
            foreach (var (name, entry) in report.Entries)
            {
                var reported = _reported.GetValueOrDefault(name, HealthStatus.Healthy);
                if (entry.Status == HealthStatus.Healthy)
                {
                    _healthyOnce.Add(name);
                    if (reported != HealthStatus.Healthy)
                        logger.LogInformation("Health check {HealthCheckName} is healthy again", name);
                }
                else if (startingUp && !_healthyOnce.Contains(name))
                {
                    continue; // still starting: neither a failure nor a recovery to report later
                }
                else if (entry.Status != reported)
                {
                    var level =
                        lifetime?.ApplicationStopping.IsCancellationRequested == true ? LogLevel.Information
                        : entry.Status == HealthStatus.Unhealthy ? LogLevel.Error
                        : LogLevel.Warning;
                    logger.Log(
                        level,
                        entry.Exception,
                        "Health check {HealthCheckName} is {HealthStatus}: {HealthCheckDescription}",
                        name,
                        entry.Status,
                        entry.Description ?? entry.Exception?.Message
                    );
                }
                _reported[name] = entry.Status;
            }
        }
        return Task.CompletedTask;
    }
}
