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
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HoldSweepInterval, clock);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Sweeping expired ticket holds failed; retrying on the next tick");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

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
                .ReleaseExpiredHoldsAsync(null, clock.GetUtcNow(), cancellationToken);
        }

        List<Guid> waiting;
        await using (var scope = scopes.CreateAsyncScope())
        {
            waiting = await scope
                .ServiceProvider.GetRequiredService<SeatBook>()
                .EventsWithSeatsForTheWaitingAsync(clock.GetUtcNow(), cancellationToken);
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
