using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// MassTransit's hosted service with its stop bounded. The bus is given <c>MassTransitHostOptions.StopTimeout</c>, but
/// a receive endpoint still waiting for its channel after the broker came back can ignore it (seen once: a test host's
/// stop hung for good after a broker restart, 8.5.12), and the host waits for every hosted service it stops. So the
/// host stops without the bus once <see cref="Limit"/> has passed, with a warning: connections close with the process.
/// </summary>
public sealed class BoundedBusStop(IHostedService bus, TimeSpan limit, ILogger<BoundedBusStop> logger) : IHostedService
{
    public TimeSpan Limit => limit;

    public Task StartAsync(CancellationToken cancellationToken) => bus.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var stopping = bus.StopAsync(cancellationToken);
        try
        {
            await stopping.WaitAsync(limit, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            logger.LogWarning(
                "The message bus did not stop within {Limit} s; the service stops without waiting for it.",
                limit.TotalSeconds
            );
            // Observed later, so its fault (if it ever ends in one) is not an unobserved task exception.
            _ = stopping.ContinueWith(
                t => t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default
            );
        }
    }

    /// <summary>Puts the bound around the hosted service AddMassTransit registered.</summary>
    internal static void Wrap(IServiceCollection services, TimeSpan limit)
    {
        var registered = services.SingleOrDefault(d =>
            d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MassTransitHostedService)
        );
        if (registered is null)
            throw new InvalidOperationException("MassTransit's hosted service was not registered as expected.");
        services.Remove(registered);
        services.AddSingleton<IHostedService>(sp => new BoundedBusStop(
            ActivatorUtilities.CreateInstance<MassTransitHostedService>(sp),
            limit,
            sp.GetRequiredService<ILogger<BoundedBusStop>>()
        ));
    }
}
