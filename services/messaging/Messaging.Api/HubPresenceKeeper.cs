using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Options;

namespace Community.Messaging;

/// <summary>
/// Every third of a connection lease: renews this instance's presence leases and announces offline the users of
/// instances that died (their leases ended); on a clean stop closes this instance's connections, so their users go
/// offline now.
/// </summary>
public sealed class HubPresenceKeeper(
    HubPresence presence,
    IOptions<RealTimeOptions> options,
    ILogger<HubPresenceKeeper> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ConnectionLease / 3);
        do
        {
            try
            {
                await presence.RenewAsync(stoppingToken);
                var swept = await presence.SweepAsync(stoppingToken);
                if (swept > 0)
                    logger.LogInformation("{Count} users of silent instances went offline", swept);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be away for a moment; the next round tries again.
                logger.LogWarning(e, "Keeping the hub presence of instance {Instance} failed", presence.InstanceId);
            }
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
