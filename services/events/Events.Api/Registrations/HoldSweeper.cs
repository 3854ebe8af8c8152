using Community.Events.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Events.Registrations;

/// <summary>
/// Releases the seats of holds whose payer never paid and gives them to the waiting list.
/// Registrations release an event's expired holds themselves too; this catches events nobody touches.
/// Safe on every replica at once: each event is swept under its row lock.
/// </summary>
public sealed class HoldSweeper(IServiceScopeFactory scopes, TimeProvider clock, IOptions<EventsOptions> options, ILogger<HoldSweeper> logger)
    : BackgroundService
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
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<Guid> eventIds;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EventsDbContext>();
            eventIds = await db.Registrations
                .Where(r => r.Status == RegistrationStatus.Held && r.HoldExpiresAt <= now)
                .Select(r => r.EventId).Distinct().OrderBy(id => id).Take(100)
                .ToListAsync(cancellationToken);
        }

        var released = 0;
        foreach (var eventId in eventIds)
        {
            await using var scope = scopes.CreateAsyncScope();
            released += await scope.ServiceProvider.GetRequiredService<SeatBook>().SweepAsync(eventId, cancellationToken);
        }
        if (released > 0) logger.LogInformation("Released {Count} expired ticket holds", released);
        return released;
    }
}
