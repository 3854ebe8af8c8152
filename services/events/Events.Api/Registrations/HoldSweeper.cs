using Community.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Community.Events.Registrations;

/// <summary>
/// Keeps seats moving off the request path: ends holds nobody paid for and fills waiting lists nobody promoted. Runs
/// on every instance at once: rows are claimed with FOR UPDATE SKIP LOCKED, so nothing is done twice.
/// </summary>
public sealed class HoldSweeper(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<EventsOptions> options,
    ILogger<HoldSweeper> logger
) : PeriodicSweep(clock, logger)
{
    protected override TimeSpan Every => options.Value.HoldSweepInterval;

    protected override string FailureMessage => "Sweeping expired ticket holds failed; retrying on the next tick";

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => SweepOnceAsync(stoppingToken);

    /// <summary>
    /// One pass: up to a batch of expired holds and a batch of waiting lists; returns how many holds ended.
    /// </summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var released = 0;
        await using (var scope = scopes.CreateAsyncScope())
        {
            released = await scope
                .ServiceProvider.GetRequiredService<SeatBook>()
                .ReleaseExpiredHoldsAsync(null, Clock.GetUtcNow(), cancellationToken);
        }

        List<Guid> waiting;
        await using (var scope = scopes.CreateAsyncScope())
        {
            waiting = await scope
                .ServiceProvider.GetRequiredService<SeatBook>()
                .EventsWithSeatsForTheWaitingAsync(Clock.GetUtcNow(), cancellationToken);
        }
        foreach (var eventId in waiting)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<SeatBook>().PromoteAsync(eventId, cancellationToken);
        }
        if (released > 0)
            logger.LogInformation("Released {Count} expired ticket holds", released);
        return released;
    }
}
