using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Options;

namespace Community.Messaging;

/// <summary>
/// Every third of a connection lease: renews this instance's presence leases (a slice of its connections at a time,
/// <see cref="RenewalSlices"/>) and announces offline the users of instances that died (their leases ended); on a
/// clean stop closes this instance's connections, so their users go offline now.
/// </summary>
public sealed class HubPresenceKeeper(
    HubPresence presence,
    IOptions<RealTimeOptions> options,
    ILogger<HubPresenceKeeper> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slices = new RenewalSlices(options.Value.ConnectionLease / 3);
        using var timer = new PeriodicTimer(slices.Tick);
        long tick = 0;
        do
        {
            try
            {
                await presence.RenewAsync(slices, tick, stoppingToken);
                if (tick % slices.Count == 0 && await presence.SweepAsync(stoppingToken) is > 0 and var swept)
                    logger.LogInformation("{Count} users of silent instances went offline", swept);
            }
            // Anything but the stop itself (a timeout's cancellation too) is logged: a fault must not stop the host.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be away for a moment; the next round tries again.
                logger.LogWarning(e, "Keeping the hub presence of instance {Instance} failed", presence.InstanceId);
            }
            tick++;
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await presence.CloseAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Left to expire: the other instances' sweep announces them when their leases end.
            logger.LogWarning(
                e,
                "Closing the hub connections of instance {Instance} on stop failed",
                presence.InstanceId
            );
        }
    }
}
