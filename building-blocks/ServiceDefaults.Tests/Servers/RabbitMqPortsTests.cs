using System.Net;
using System.Net.Sockets;
using Community.LocalInfrastructure;
using Community.LocalInfrastructure.Internal;

namespace Community.ServiceDefaults.Tests.Servers;

/// <summary>
/// A private broker's ports are chosen free, then bound by a VM that takes seconds to start: another process may take
/// one meanwhile (CI's test projects start their brokers side by side). The node starts again on other ports.
/// </summary>
public sealed class RabbitMqPortsTests
{
    [Theory]
    [InlineData(0)] // the AMQP listener's
    [InlineData(1)] // the Erlang distribution's, refused before the node's log is set up
    public async Task A_private_node_whose_chosen_port_was_taken_starts_on_other_ports(int taken)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var takenPort = ((IPEndPoint)holder.LocalEndpoint).Port;
        List<int> attempts = [];
        var options = LocalInfrastructureOptions.ForTests() with
        {
            RabbitMqPorts = attempt =>
            {
                attempts.Add(attempt);
                var ports = LoopbackPorts.Take(2);
                if (attempt == 1)
                    ports[taken] = takenPort;
                return ports;
            },
        };

        await using var broker = await RabbitMqServer.StartAsync(options);

        Assert.Equal([1, 2], attempts);
        Assert.NotEqual(takenPort, broker.Port);
        Assert.True(broker.IsRunning);
        Assert.True(await FreePorts.AcceptsConnectionsAsync(broker.Port, CancellationToken.None));
    }

    [Fact]
    public async Task A_stopped_node_whose_distribution_port_was_taken_starts_again_on_its_amqp_port()
    {
        await using var broker = await RabbitMqServer.StartAsync(LocalInfrastructureOptions.ForTests());
        var (amqp, distribution) = (broker.Port, broker.DistributionPort);
        await broker.StopAsync();
        using var holder = new TcpListener(IPAddress.Loopback, distribution);
        holder.Start();

        await broker.StartAsync();

        Assert.True(broker.IsRunning);
        Assert.Equal(amqp, broker.Port);
        Assert.NotEqual(distribution, broker.DistributionPort);
        Assert.True(await FreePorts.AcceptsConnectionsAsync(amqp, CancellationToken.None));
    }
}
