using System.Net;
using System.Net.Sockets;
using Community.Contracts;
using Community.ServiceDefaults.Messaging;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>A managed broker over TLS (amqps://, as Amazon MQ and CloudAMQP give it): the bus speaks TLS.</summary>
public sealed class BrokerTlsTests
{
    [Fact]
    public async Task An_amqps_connection_string_opens_the_connection_with_a_TLS_handshake_on_its_own_port()
    {
        using var broker = new TcpListener(IPAddress.Loopback, 0);
        broker.Start();
        var port = ((IPEndPoint)broker.LocalEndpoint).Port;
        using var host = BusHosts.Build(
            new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = $"amqps://probe:secret@127.0.0.1:{port}/probe",
            },
            builder => builder.AddEventBus("probe")
        );
        await host.StartAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var connection = await broker.AcceptTcpClientAsync(timeout.Token);
            var first = new byte[1];
            await connection.GetStream().ReadExactlyAsync(first, timeout.Token);
            // 0x16: a TLS handshake record (the client's hello); plain AMQP would begin with "AMQP" (0x41).
            Assert.Equal(0x16, first[0]);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("amqps://u:p@broker.example/community", "rabbitmqs://broker.example:5671/community", 5671)]
    [InlineData("amqps://u:p@broker.example:5999/", "rabbitmqs://broker.example:5999/%2F", 5999)]
    [InlineData("amqp://u:p@broker.example/community", "rabbitmq://broker.example:5672/community", 5672)]
    [InlineData("amqp://u:p@broker.example:5673/community", "rabbitmq://broker.example:5673/community", 5673)]
    public void The_host_address_and_the_readiness_probe_use_the_schemes_port(
        string connectionString,
        string hostAddress,
        int port
    )
    {
        var amqp = new Uri(connectionString);
        Assert.Equal(new Uri(hostAddress), BusSetup.ToHostAddress(amqp));
        Assert.Equal(port, BusSetup.BrokerPort(amqp));
    }
}
