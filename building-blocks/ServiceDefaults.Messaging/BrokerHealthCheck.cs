using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Is the broker reachable? MassTransit's own check reports a publish-only bus as ready even
/// while RabbitMQ is down, so readiness also opens a connection to the broker's port. Until the bus has had every
/// endpoint connected once, the service is not ready (unhealthy): its queues may not be bound yet, and an event
/// published meanwhile would reach no queue of theirs, lost. After that, an unreachable broker is its registration's
/// failure status (degraded): the service keeps serving, its events wait in the outbox, and an orchestrator that took
/// every instance out of traffic for it would turn a broker outage into a whole outage.
/// </summary>
public sealed class BrokerHealthCheck(Uri amqp, IBusControl bus, BusConnectedOnce connectedOnce) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        if (!connectedOnce.Yes)
        {
            if (bus.CheckHealth().Status != BusHealthStatus.Healthy)
                return HealthCheckResult.Unhealthy(
                    "The bus has not connected its endpoints to the broker yet: its queues may not be bound."
                );
            connectedOnce.Yes = true;
        }
        var port = BusSetup.BrokerPort(amqp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(amqp.Host, port, timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"The broker at {amqp.Host}:{port} is unreachable; outbox events wait for it.",
                e
            );
        }
    }
}

/// <summary>
/// Whether the bus has had every endpoint connected since the process started (see <see cref="BrokerHealthCheck"/>).
/// </summary>
public sealed class BusConnectedOnce
{
    private volatile bool _yes;

    public bool Yes
    {
        get => _yes;
        set => _yes = value;
    }
}
