using System.Collections.Concurrent;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.ServiceDefaults.RealTime;

/// <summary>What a hub's lifetime manager does with a backplane message another instance published.</summary>
internal interface IBackplaneReceiver
{
    Task ReceiveAsync(BackplaneMessage message, CancellationToken cancellationToken);
}

/// <summary>This instance's hubs by name, so one ephemeral queue serves them all.</summary>
public sealed class BackplaneRouter(BusInstance instance)
{
    private readonly ConcurrentDictionary<string, IBackplaneReceiver> _hubs = new();

    internal string InstanceId => instance.Id;

    internal void Register(string hub, IBackplaneReceiver receiver)
    {
        if (!_hubs.TryAdd(hub, receiver)) throw new InvalidOperationException($"Hub {hub} already has a lifetime manager.");
    }

    // What this instance published it delivered itself; a hub it does not run has no connection here.
    internal Task RouteAsync(BackplaneMessage message, CancellationToken cancellationToken) =>
        message.Origin != instance.Id && _hubs.TryGetValue(message.Hub, out var hub)
            ? hub.ReceiveAsync(message, cancellationToken)
            : Task.CompletedTask;
}

/// <summary>The backplane's per-instance consumer: every instance gets every message, in the order published.</summary>
public sealed class BackplaneConsumer(BackplaneRouter router) : IEphemeralConsumer<BackplaneMessage>
{
    public Task Consume(ConsumeContext<BackplaneMessage> context) => router.RouteAsync(context.Message, context.CancellationToken);
}
