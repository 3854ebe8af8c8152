using System.Collections.Concurrent;
using MassTransit;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// SignalR's lifetime manager for several instances of a service: each instance writes to its own
/// connections in-process and publishes one <see cref="BackplaneMessage"/> per send for the others,
/// which deliver it to theirs (a send whose targets are all local is not published). Groups and users
/// are indexed per instance; a group command for a connection of another instance goes to its owner,
/// which acknowledges. Client results (InvokeConnectionAsync) are not supported.
/// </summary>
public sealed class RabbitMqHubLifetimeManager<THub> : HubLifetimeManager<THub>, IBackplaneReceiver where THub : Hub
{
    /// <summary>How long a group command for a connection of no known instance waits; such a connection is ignored, as SignalR ignores unknown ones.</summary>
    internal static readonly TimeSpan GroupCommandTimeout = TimeSpan.FromSeconds(5);

    private static readonly string HubName = typeof(THub).FullName!;

    private readonly HubConnectionStore _connections = new();
    private readonly ConnectionIndex _groups = new();
    private readonly ConnectionIndex _users = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _groupsOf = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _pendingCommands = new();
    private readonly IBus _bus;
    private readonly BackplaneRouter _router;
    private readonly IReadOnlyList<IHubProtocol> _protocols;
    private readonly ILogger _logger;

    public RabbitMqHubLifetimeManager(
        IBus bus, BackplaneRouter router, IHubProtocolResolver protocols, IServiceProviderIsService services, ILogger<RabbitMqHubLifetimeManager<THub>> logger)
    {
        // Without the consumer on the bus every send would look fine here and never reach another instance.
        if (!services.IsService(typeof(BackplaneConsumer)))
            throw new InvalidOperationException("The SignalR backplane has no consumer: call bus.AddRealTimeBackplane() in AddEventBus.");
        _bus = bus;
        _router = router;
        _protocols = protocols.AllProtocols;
        _logger = logger;
        router.Register(HubName, this);
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections.Add(connection);
        if (connection.UserIdentifier is { } user) _users.Add(user, connection);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        if (connection.UserIdentifier is { } user) _users.Remove(user, connection.ConnectionId);
        if (_groupsOf.TryRemove(connection.ConnectionId, out var groups))
            foreach (var group in groups.Keys) _groups.Remove(group, connection.ConnectionId);
        return Task.CompletedTask;
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAllExceptAsync(methodName, args, [], cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        var message = Serialize(methodName, args);
        return Task.WhenAll(
            WriteAsync(AllLocal(excludedConnectionIds), message, cancellationToken),
            PublishAsync(BackplaneTarget.All, [], excludedConnectionIds, message, cancellationToken));
    }

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendConnectionsAsync([connectionId], methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var message = Serialize(methodName, args);
        var local = new List<HubConnectionContext>();
        var remote = new List<string>();
        foreach (var id in connectionIds.Distinct())
        {
            if (_connections[id] is { } connection) local.Add(connection);
            else remote.Add(id);
        }
        return Task.WhenAll(
            WriteAsync(local, message, cancellationToken),
            remote.Count == 0 ? Task.CompletedTask : PublishAsync(BackplaneTarget.Connections, remote, [], message, cancellationToken));
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendGroupsExceptAsync([groupName], [], methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendGroupsExceptAsync(groupNames, [], methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendGroupsExceptAsync([groupName], excludedConnectionIds, methodName, args, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendUsersAsync([userId], methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var message = Serialize(methodName, args);
        return Task.WhenAll(
            WriteAsync(_users.Members(userIds, []), message, cancellationToken),
            PublishAsync(BackplaneTarget.Users, userIds, [], message, cancellationToken));
    }

    private Task SendGroupsExceptAsync(IReadOnlyList<string> groupNames, IReadOnlyList<string> excluded, string methodName, object?[] args, CancellationToken cancellationToken)
    {
        var message = Serialize(methodName, args);
        return Task.WhenAll(
            WriteAsync(_groups.Members(groupNames, excluded), message, cancellationToken),
            PublishAsync(BackplaneTarget.Groups, groupNames, excluded, message, cancellationToken));
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections[connectionId] is not { } connection) return GroupCommandAsync(BackplaneTarget.AddToGroup, connectionId, groupName, cancellationToken);
        Join(connection, groupName);
        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections[connectionId] is null) return GroupCommandAsync(BackplaneTarget.RemoveFromGroup, connectionId, groupName, cancellationToken);
        Leave(connectionId, groupName);
        return Task.CompletedTask;
    }

    Task IBackplaneReceiver.ReceiveAsync(BackplaneMessage message, CancellationToken cancellationToken)
    {
        switch (message.Target)
        {
            case BackplaneTarget.All:
                return WriteAsync(AllLocal(message.Excluded), Deserialize(message), cancellationToken);
            case BackplaneTarget.Connections:
                return WriteAsync(message.Targets.Select(id => _connections[id]).OfType<HubConnectionContext>(), Deserialize(message), cancellationToken);
            case BackplaneTarget.Groups:
                return WriteAsync(_groups.Members(message.Targets, message.Excluded), Deserialize(message), cancellationToken);
            case BackplaneTarget.Users:
                return WriteAsync(_users.Members(message.Targets, []), Deserialize(message), cancellationToken);
            case BackplaneTarget.AddToGroup or BackplaneTarget.RemoveFromGroup:
                if (_connections[message.Targets[0]] is not { } connection) return Task.CompletedTask;
                if (message.Target == BackplaneTarget.AddToGroup) Join(connection, message.Group!);
                else Leave(connection.ConnectionId, message.Group!);
                return _bus.Publish(new BackplaneMessage(HubName, _router.InstanceId, BackplaneTarget.Acknowledge, [message.Origin], [], [], message.Group, message.Command), cancellationToken);
            case BackplaneTarget.Acknowledge:
                if (message.Targets[0] == _router.InstanceId && message.Command is { } command && _pendingCommands.TryRemove(command, out var pending))
                    pending.TrySetResult();
                return Task.CompletedTask;
            default:
                throw new InvalidOperationException($"Unknown backplane target {message.Target}.");
        }
    }

    private void Join(HubConnectionContext connection, string group)
    {
        _groupsOf.GetOrAdd(connection.ConnectionId, _ => new()).TryAdd(group, 0);
        _groups.Add(group, connection);
        // Closed while joining: OnDisconnectedAsync may have missed the group just added.
        if (connection.ConnectionAborted.IsCancellationRequested) Leave(connection.ConnectionId, group);
    }

    private void Leave(string connectionId, string group)
    {
        if (_groupsOf.TryGetValue(connectionId, out var groups)) groups.TryRemove(group, out _);
        _groups.Remove(group, connectionId);
    }

    private async Task GroupCommandAsync(BackplaneTarget command, string connectionId, string group, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingCommands[id] = acknowledged;
        try
        {
            await _bus.Publish(new BackplaneMessage(HubName, _router.InstanceId, command, [connectionId], [], [], group, id), cancellationToken);
            await acknowledged.Task.WaitAsync(GroupCommandTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _logger.LogInformation("No instance owns connection {ConnectionId}: {Command} {Group} ignored", connectionId, command, group);
        }
        finally
        {
            _pendingCommands.TryRemove(id, out _);
        }
    }

    private IEnumerable<HubConnectionContext> AllLocal(IReadOnlyList<string> excluded)
    {
        foreach (var connection in _connections)
            if (excluded.Count == 0 || !excluded.Contains(connection.ConnectionId)) yield return connection;
    }

    private static SerializedHubMessage Serialize(string methodName, object?[] args) => new(new InvocationMessage(methodName, args));

    private static SerializedHubMessage Deserialize(BackplaneMessage message) =>
        new(message.Payloads.Select(p => new SerializedMessage(p.Protocol, p.Bytes)).ToList());

    // As SignalR's own manager does: every write started at once, only the unfinished ones awaited.
    private static Task WriteAsync(IEnumerable<HubConnectionContext> connections, SerializedHubMessage message, CancellationToken cancellationToken)
    {
        List<Task>? pending = null;
        foreach (var connection in connections)
        {
            var write = connection.WriteAsync(message, cancellationToken);
            if (!write.IsCompletedSuccessfully) (pending ??= []).Add(write.AsTask());
        }
        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }

    private Task PublishAsync(BackplaneTarget target, IReadOnlyList<string> targets, IReadOnlyList<string> excluded, SerializedHubMessage message, CancellationToken cancellationToken)
    {
        var payloads = _protocols.Select(p => new BackplanePayload(p.Name, message.GetSerializedMessage(p).ToArray())).ToList();
        return _bus.Publish(new BackplaneMessage(HubName, _router.InstanceId, target, targets, excluded, payloads), cancellationToken);
    }

    /// <summary>Connections by a key (group name, user id); a connection under several of the asked keys is returned once.</summary>
    private sealed class ConnectionIndex
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubConnectionContext>> _byKey = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public void Add(string key, HubConnectionContext connection)
        {
            lock (_lock) _byKey.GetOrAdd(key, _ => new(StringComparer.Ordinal))[connection.ConnectionId] = connection;
        }

        public void Remove(string key, string connectionId)
        {
            lock (_lock)
                if (_byKey.TryGetValue(key, out var members) && members.TryRemove(connectionId, out _) && members.IsEmpty)
                    _byKey.TryRemove(key, out _);
        }

        public IEnumerable<HubConnectionContext> Members(IReadOnlyList<string> keys, IReadOnlyList<string> excluded)
        {
            if (keys.Count == 1)
                return _byKey.TryGetValue(keys[0], out var members) ? members.Values.Where(c => !excluded.Contains(c.ConnectionId)) : [];
            var seen = new Dictionary<string, HubConnectionContext>(StringComparer.Ordinal);
            foreach (var key in keys)
                if (_byKey.TryGetValue(key, out var members))
                    foreach (var (id, connection) in members)
                        if (!excluded.Contains(id)) seen.TryAdd(id, connection);
            return seen.Values;
        }
    }
}
