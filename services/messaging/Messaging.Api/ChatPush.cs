using System.Text.Json;
using System.Text.Json.Serialization;
using Community.Contracts;
using Community.Messaging.Conversations;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Messaging;

/// <summary>
/// How every feature (REST routes, consumers, the hub itself) reaches connected clients, on this instance and the
/// others: a user's connections (SignalR's Redis backplane), or the connections that joined a conversation or
/// subscribed to a group.
/// </summary>
/// <remarks>
/// A push to joined or subscribed connections names the group of each user allowed now (<see cref="JoinedGroup"/>,
/// <see cref="SubscribedGroup"/>), so a block or a departure stops delivery at once without tracking connections
/// across instances. It is one Redis publish however many users it names (SignalR's groups would publish once a
/// group: ten a message in a conversation of ten): every instance hears it on one channel and writes it to the
/// connections it holds in those groups. A connection is in a group from the hub call that joined it until it leaves
/// or closes; it lives on one instance, so that instance's own table is the whole truth about it.
/// <para>The instance that publishes a push writes it to its own connections at once, in the order it publishes its
/// pushes, and skips it when Redis relays it back (<see cref="Push{T}.Origin"/>): its own connections do not wait for
/// Redis's round trip (at two instances, about half of a conversation's deliveries), nor miss its pushes while Redis
/// is away. Every instance hears the others' pushes in the order they were published; two instances' pushes may
/// reach each instance interleaved differently, as their messages' seqs already could (clients order by seq).</para>
/// </remarks>
public sealed class ChatPush : IHostedService
{
    private readonly IHubContext<ChatHub> _hub;
    private readonly RealTimeRedisConnection _redis;
    private readonly JsonSerializerOptions _json;
    private readonly JsonSerializerOptions _read;
    private readonly ILogger<ChatPush> _logger;
    private readonly RedisChannel _channel;
    private readonly Lock _gate = new();

    // Held while this instance publishes a push and writes it to its own connections: both in the same order.
    private readonly Lock _publishing = new();
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly byte[] _ownPrefix;
    private readonly Dictionary<PushGroup, HashSet<string>> _connectionsOf = [];
    private readonly Dictionary<string, HashSet<PushGroup>> _groupsOf = new(StringComparer.Ordinal);
    private ChannelMessageQueue? _pushes;

    public ChatPush(
        IHubContext<ChatHub> hub,
        RealTimeRedisConnection redis,
        IOptions<JsonHubProtocolOptions> json,
        IOptions<RealTimeOptions> options,
        ILogger<ChatPush> logger
    )
    {
        (_hub, _redis, _json, _logger) = (hub, redis, json.Value.PayloadSerializerOptions, logger);
        _read = new JsonSerializerOptions(_json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };
        // Services (and test classes) sharing one Redis never hear each other's pushes.
        _channel = RedisChannel.Literal($"{options.Value.RedisKeyPrefix}{ResourceNames.Messaging}:pushes");
        // How this instance's own pushes begin (Origin is the first member written): skipped without reading them.
        _ownPrefix = JsonSerializer.SerializeToUtf8Bytes(new OriginOnly(_origin), _json)[..^1];
    }

    // What crosses Redis: the instance that published it (Origin, written first), the payload as the hub's protocol
    // writes it, and whom it is for (the groups of Users in Scope, but the connection Except); Also, another view of
    // it for other users in the same publish. Read with members it does not know skipped, so an instance running the
    // version before a new member still delivers what it knows during a rollout.
    private sealed record Push<T>(
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Origin,
        PushGroupKind Kind,
        Guid Scope,
        IReadOnlyList<Guid> Users,
        string? Except,
        string Target,
        T Payload,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] View<T>? Also = null
    );

    private sealed record View<T>(IReadOnlyList<Guid> Users, T Payload);

    private sealed record OriginOnly(string Origin);

    public Task ToUsersAsync<T>(
        IEnumerable<Guid> userIds,
        HubEvent<T> target,
        T payload,
        CancellationToken cancellationToken
    ) =>
        _hub
            .Clients.Users(userIds.Select(u => u.ToString()).ToList())
            .SendAsync(target.Name, payload, cancellationToken);

    /// <summary>The group of <paramref name="userId"/>'s connections that joined
    /// <paramref name="conversationId"/>.</summary>
    public static PushGroup JoinedGroup(Guid conversationId, Guid userId) =>
        new(PushGroupKind.Joined, conversationId, userId);

    /// <summary>
    /// The group of <paramref name="userId"/>'s connections subscribed to group <paramref name="groupId"/>'s community
    /// events (JoinGroup); as for conversations, pushes name the members allowed now.
    /// </summary>
    public static PushGroup SubscribedGroup(Guid groupId, Guid userId) =>
        new(PushGroupKind.Subscribed, groupId, userId);

    /// <summary>The connections of <paramref name="userIds"/> subscribed to group <paramref name="groupId"/>.</summary>
    public Task ToSubscribedAsync<T>(
        Guid groupId,
        IEnumerable<Guid> userIds,
        HubEvent<T> target,
        T payload,
        CancellationToken cancellationToken
    ) => PublishAsync(PushGroupKind.Subscribed, groupId, userIds, null, target, payload, cancellationToken);

    /// <summary>The connections of <paramref name="userIds"/> that joined <paramref name="conversationId"/>, but
    /// <paramref name="exceptConnectionId"/>.</summary>
    public Task ToJoinedAsync<T>(
        Guid conversationId,
        IEnumerable<Guid> userIds,
        HubEvent<T> target,
        T payload,
        string? exceptConnectionId,
        CancellationToken cancellationToken
    ) =>
        PublishAsync(
            PushGroupKind.Joined,
            conversationId,
            userIds,
            exceptConnectionId,
            target,
            payload,
            cancellationToken
        );

    /// <summary>
    /// In one publish: <paramref name="actorView"/> to <paramref name="actorId"/>'s connections that joined
    /// <paramref name="conversationId"/> but <paramref name="originConnectionId"/>, and <paramref name="othersView"/>
    /// to the joined connections of <paramref name="others"/>.
    /// </summary>
    public Task ToJoinedAsync<T>(
        Guid conversationId,
        Guid actorId,
        T actorView,
        IEnumerable<Guid> others,
        T othersView,
        HubEvent<T> target,
        string? originConnectionId,
        CancellationToken cancellationToken
    ) =>
        PublishAsync(
            PushGroupKind.Joined,
            conversationId,
            others.Where(u => u != actorId),
            originConnectionId,
            target,
            othersView,
            cancellationToken,
            new View<T>([actorId], actorView)
        );

    /// <summary>
    /// Puts this instance's connection <paramref name="connectionId"/> in <paramref name="group"/>, unless it is in
    /// <paramref name="limit"/> groups of that kind already (false): what one connection holds here, and renews in
    /// Redis, stays bounded.
    /// </summary>
    public bool Add(string connectionId, PushGroup group, int limit, CancellationToken connectionAborted)
    {
        lock (_gate)
        {
            // A connection that closed while its join was on its way has left every group already (SignalR ends its
            // token before it runs the disconnect): adding it now would keep a dead connection here for good.
            if (connectionAborted.IsCancellationRequested)
                return true;
            if (
                _groupsOf.TryGetValue(connectionId, out var held)
                && !held.Contains(group)
                && held.Count(g => g.Kind == group.Kind) >= limit
            )
                return false;
            if (!_connectionsOf.TryGetValue(group, out var connections))
                _connectionsOf[group] = connections = new HashSet<string>(StringComparer.Ordinal);
            connections.Add(connectionId);
            if (!_groupsOf.TryGetValue(connectionId, out var groups))
                _groupsOf[connectionId] = groups = [];
            groups.Add(group);
            return true;
        }
    }

    /// <summary>Takes connection <paramref name="connectionId"/> out of <paramref name="group"/>.</summary>
    public void Remove(string connectionId, PushGroup group)
    {
        lock (_gate)
        {
            if (_groupsOf.TryGetValue(connectionId, out var groups) && groups.Remove(group) && groups.Count == 0)
                _groupsOf.Remove(connectionId);
            RemoveFromGroup(connectionId, group);
        }
    }

    /// <summary>A closed connection leaves every group it was in.</summary>
    public void RemoveConnection(string connectionId)
    {
        lock (_gate)
        {
            if (!_groupsOf.Remove(connectionId, out var groups))
                return;
            foreach (var group in groups)
                RemoveFromGroup(connectionId, group);
        }
    }

    /// <summary>How many connections of this instance are in <paramref name="group"/>.</summary>
    public int CountIn(PushGroup group)
    {
        lock (_gate)
            return _connectionsOf.TryGetValue(group, out var connections) ? connections.Count : 0;
    }

    private void RemoveFromGroup(string connectionId, PushGroup group)
    {
        if (_connectionsOf.TryGetValue(group, out var connections) && connections.Remove(connectionId))
            if (connections.Count == 0)
                _connectionsOf.Remove(group);
    }

    private async Task PublishAsync<T>(
        PushGroupKind kind,
        Guid scope,
        IEnumerable<Guid> userIds,
        string? exceptConnectionId,
        HubEvent<T> target,
        T payload,
        CancellationToken cancellationToken,
        View<T>? also = null
    )
    {
        var users = userIds.Distinct().ToList();
        if (users.Count == 0 && also is null)
            return;
        var push = new Push<T>(_origin, kind, scope, users, exceptConnectionId, target.Name, payload, also);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(push, _json);
        // Not awaited before the local writes: a Redis that is away or slow holds up only the other instances.
        var subscriber = _redis.SubscriberAsync();
        Task published;
        lock (_publishing)
        {
            published = subscriber.IsCompletedSuccessfully
                ? Publish(subscriber.Result, bytes)
                : PublishWhenConnectedAsync(subscriber, bytes);
            Write(push);
        }
        await published.WaitAsync(cancellationToken);
    }

    private Task Publish(ISubscriber subscriber, byte[] push)
    {
        try
        {
            return subscriber.PublishAsync(_channel, push);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private async Task PublishWhenConnectedAsync(Task<ISubscriber> subscriber, byte[] push) =>
        await Publish(await subscriber, push);

    // One message at a time, in the order Redis relays them, so each connection gets a conversation's pushes in the
    // order they were published; this instance's own were written when published.
    private void Deliver(ChannelMessage message)
    {
        var bytes = (byte[])message.Message!;
        if (bytes.AsSpan().StartsWith(_ownPrefix))
            return;
        Push<JsonElement>? push;
        try
        {
            push = JsonSerializer.Deserialize<Push<JsonElement>>(bytes, _read);
        }
        catch (JsonException e)
        {
            _logger.LogWarning(e, "A push on {Channel} is not one this service publishes; dropped", _channel);
            return;
        }
        if (push is not null && push.Origin != _origin)
            Write(push);
    }

    // To this instance's connections in the push's groups. Writes are not awaited: a client slow to read holds up only
    // its own connection, whose writes SignalR queues in order.
    private void Write<T>(Push<T> push)
    {
        var connections = ConnectionsOf(push, push.Users);
        var alsoConnections = push.Also is { } also ? ConnectionsOf(push, also.Users) : [];
        foreach (var connection in connections)
            Observe(_hub.Clients.Client(connection).SendAsync(push.Target, push.Payload));
        foreach (var connection in alsoConnections)
            Observe(_hub.Clients.Client(connection).SendAsync(push.Target, push.Also!.Payload));
    }

    // This instance's connections in the push's groups of users, but the one it leaves out.
    private List<string> ConnectionsOf<T>(Push<T> push, IReadOnlyList<Guid> users)
    {
        List<string> connections = [];
        lock (_gate)
            foreach (var user in users)
                if (_connectionsOf.TryGetValue(new PushGroup(push.Kind, push.Scope, user), out var members))
                    foreach (var connection in members)
                        if (connection != push.Except)
                            connections.Add(connection);
        return connections;
    }

    private void Observe(Task write)
    {
        if (write.IsCompletedSuccessfully)
            return;
        write.ContinueWith(
            static (t, state) =>
                ((ILogger)state!).LogDebug(t.Exception, "A push to a closing connection was not written"),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default
        );
    }

    /// <summary>
    /// Subscribes without waiting for Redis: while it is away the subscription waits in the connection's table, and
    /// it is made (again) whenever the connection is (re)established.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = await _redis.SubscriberAsync();
        _pushes = subscriber.Subscribe(_channel, CommandFlags.FireAndForget);
        _pushes.OnMessage(Deliver);
    }

    /// <summary>
    /// Unsubscribes once. A host may stop its services twice at once: a test's WebApplicationFactory stops the host
    /// while the app's own Run stops it too and then disposes it. The first call unsubscribes (Run disposes the
    /// connection only after its own stop), the second finds nothing to do; a connection closed meanwhile took its
    /// subscription with it.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Exchange(ref _pushes, null)?.Unsubscribe(CommandFlags.FireAndForget);
        }
        catch (ObjectDisposedException)
        {
            // the connection is closed, and its subscriptions with it
        }
        return Task.CompletedTask;
    }
}

/// <summary>What a connection joined: a conversation, or a group's community events.</summary>
public enum PushGroupKind
{
    Joined,
    Subscribed,
}

/// <summary>The connections of one user that joined one conversation (or subscribed to one group).</summary>
public readonly record struct PushGroup(PushGroupKind Kind, Guid Scope, Guid User);
