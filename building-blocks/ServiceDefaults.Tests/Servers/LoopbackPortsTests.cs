using System.Net;
using System.Net.Sockets;
using Community.LocalInfrastructure;

namespace Community.ServiceDefaults.Tests.Servers;

/// <summary>
/// A port chosen for a host that binds it later (a gateway named in a service's settings before it starts) must not
/// be one an outgoing connection can be given meanwhile: <see cref="LoopbackPorts"/> chooses outside the kernel's
/// ephemeral range, where port 0's choices lie.
/// </summary>
public sealed class LoopbackPortsTests
{
    [Fact]
    public void Ports_are_distinct_outside_the_ephemeral_range_and_free()
    {
        var (first, last) = LoopbackPorts.EphemeralRange;
        var ports = LoopbackPorts.Take(40).Concat(Enumerable.Range(0, 40).Select(_ => LoopbackPorts.Take())).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.True(p < first || p > last, $"{p} lies in {first}-{last}"));
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public async Task Connections_made_meanwhile_never_take_a_chosen_port_as_their_own_end()
    {
        var chosen = LoopbackPorts.Take(20).ToHashSet();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var clients = new List<TcpClient>();
        try
        {
            // Fewer than the smallest accept backlog a Linux kernel sets by default (128): none waits to be accepted.
            for (var i = 0; i < 100; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port);
            }
            var (first, last) = LoopbackPorts.EphemeralRange;
            var ends = clients.Select(c => ((IPEndPoint)c.Client.LocalEndPoint!).Port).ToList();
            // The premise: the kernel gives a connection's local end a port of its ephemeral range (read on Linux).
            if (OperatingSystem.IsLinux())
                Assert.All(ends, p => Assert.InRange(p, first, last));
            Assert.DoesNotContain(ends, chosen.Contains);
            // And every chosen port is still free to bind.
            foreach (var port in chosen)
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
