using Community.LocalInfrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Messaging.Tests;

/// <summary>Two messaging instances on a RabbitMQ node of this class's own, which the test stops and starts while
/// clients chat.</summary>
public sealed class BrokerOutageFixture : MessagingFixture
{
    public RabbitMqServer Rabbit { get; private set; } = null!;
    public ServiceHost<Program> Second { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Rabbit = await TestInfrastructure.StartPrivateRabbitMqAsync();
        var vhost = await Rabbit.CreateVhostAsync("outage");
        await base.InitializeAsync();
        await Host.DisposeAsync();
        Host = StartHost(Settings, brokerUri: vhost);
        Client.Dispose();
        Client = Host.NewClient();
        await BusReadyAsync(Host);
        Second = StartHost(Settings, brokerUri: vhost);
        await BusReadyAsync(Second);
    }

    // Reconnecting as a real client would; after an outage a client joins again from the last seq it saw.
    public Task<LiveConnection> ConnectAsync(string token, bool toSecond) =>
        ChatClient.ConnectAsync((toSecond ? Second : Host).BaseAddress, token, reconnect: true);

    public override async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await base.DisposeAsync();
        await Rabbit.DisposeAsync();
    }
}

public sealed class BrokerOutageTests(BrokerOutageFixture fx) : IClassFixture<BrokerOutageFixture>
{
    [Fact]
    public async Task While_RabbitMQ_is_down_sends_succeed_and_a_later_join_from_the_last_seq_catches_up_with_no_gap()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a, toSecond: false);
        await using var bob = await fx.ConnectAsync(b, toSecond: true);
        await alice.Connection.InvokeAsync("JoinConversation", c, null);
        await bob.Connection.InvokeAsync("JoinConversation", c, null);
        for (var i = 1; i <= 5; i++)
            await alice.Connection.InvokeAsync("SendMessage", c, $"Before {i}", $"before-{i}", null);
        await bob.WaitForCountAsync(LiveEvents.NewMessage, 5);

        await fx.Rabbit.StopAsync();
        try
        {
            for (var i = 1; i <= 4; i++)
            {
                var sent = await alice.Connection.InvokeAsync<JsonElement>(
                    "SendMessage",
                    c,
                    $"During {i}",
                    $"during-{i}",
                    null
                );
                Assert.Equal(5 + i, sent.GetProperty("seq").GetInt64());
            }
            // REST sends too: the event waits in the outbox, the request does not.
            await fx.SendAsync(a, c, "During over REST");
        }
        finally
        {
            await fx.Rabbit.StartAsync();
        }
        await MessagingFixture.BusReadyAsync(fx.Host);
        await MessagingFixture.BusReadyAsync(fx.Second);

        // Catch-up from the last seq bob saw in order; what came live and what the join returns cover every seq once
        // the client keeps one per seq.
        var live = bob.ReceivedOf(LiveEvents.NewMessage).Select(m => m.Seq()).ToList();
        var lastInOrder = live.TakeWhile((seq, index) => seq == index + 1).LastOrDefault();
        Assert.True(lastInOrder >= 5, $"bob saw {string.Join(",", live)} live");
        var catchUp = await bob.Connection.InvokeAsync<JsonElement>("JoinConversation", c, lastInOrder);
        var caughtUp = catchUp
            .GetProperty("items")
            .EnumerateArray()
            .Select(m => m.GetProperty("seq").GetInt64())
            .ToList();
        Assert.Equal(Enumerable.Range((int)lastInOrder + 1, 10 - (int)lastInOrder).Select(s => (long)s), caughtUp);
        Assert.Equal(10, catchUp.GetProperty("last_seq").GetInt64());

        // And live delivery across instances resumes.
        await Eventually.TrueAsync(
            async () =>
            {
                var probe = await alice.Connection.InvokeAsync<JsonElement>(
                    "SendMessage",
                    c,
                    "After",
                    Guid.NewGuid().ToString("N"),
                    null
                );
                var seq = probe.GetProperty("seq").GetInt64();
                try
                {
                    await bob.WaitForAsync(LiveEvents.NewMessage, m => m.Seq() == seq, TimeSpan.FromSeconds(3));
                    return true;
                }
                catch (TimeoutException)
                {
                    return false;
                }
            },
            "live delivery never resumed after RabbitMQ came back",
            TimeSpan.FromSeconds(60)
        );
    }
}
