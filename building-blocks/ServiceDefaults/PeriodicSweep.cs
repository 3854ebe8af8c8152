using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults;

/// <summary>
/// Background work done in rounds on the service's clock: one at start (or <see cref="FirstRoundAfter"/> it), then
/// one every <see cref="Every"/>. A round that fails is logged (<see cref="LogFailure"/>) and the next one comes as
/// planned, so a database or broker away for a while stops nothing for good; the service's stop ends it unlogged.
/// </summary>
public abstract class PeriodicSweep(TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>The service's clock, which the rounds keep to.</summary>
    protected TimeProvider Clock => clock;

    /// <summary>How long from one round's start to the next's.</summary>
    protected abstract TimeSpan Every { get; }

    /// <summary>How long after start the first round comes: at once unless overridden.</summary>
    protected virtual TimeSpan FirstRoundAfter => TimeSpan.Zero;

    /// <summary>
    /// The warning's message template when a round fails, filled with <see cref="FailureArguments"/>: "Sweeping unsent
    /// attachments failed; trying again in {Every}".
    /// </summary>
    protected abstract string FailureMessage { get; }

    /// <summary>
    /// The values of <see cref="FailureMessage"/>'s placeholders, in order: <see cref="Every"/> for a message with an
    /// <c>{Every}</c>, none otherwise (a value without its placeholder would be dropped from the log unseen).
    /// </summary>
    protected virtual object?[] FailureArguments =>
        FailureMessage.Contains("{Every}", StringComparison.Ordinal) ? [Every] : [];

    /// <summary>One round; what it throws is logged, and the next round comes all the same.</summary>
    protected abstract Task RunRoundAsync(CancellationToken cancellationToken);

    /// <summary>A warning: the database or broker is away, or a round keeps failing: an operator must act.</summary>
    protected virtual void LogFailure(Exception exception) =>
        logger.LogWarning(exception, FailureMessage, FailureArguments);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (FirstRoundAfter > TimeSpan.Zero)
            await Task.Delay(FirstRoundAfter, clock, stoppingToken);
        using var timer = new PeriodicTimer(Every, clock);
        do
        {
            try
            {
                await RunRoundAsync(stoppingToken);
            }
            // Anything but the stop itself (a timeout's cancellation too) is logged: a fault must not stop the host.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailure(e);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
