using System.Collections.Concurrent;
using Community.Contracts;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Messaging;
using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Messaging;

/// <summary>
/// Who is connected and which conversations each connection joined, in Redis under leases this instance renews, so a
/// killed instance's connections expire by themselves; scripts on Redis's clock make coming online and going offline
/// happen once. While Redis is away presence degrades (nobody counts as watching) and the next renewal settles it.
/// </summary>
public sealed partial class HubPresence
{
    private readonly IServiceScopeFactory _scopes;
    private readonly RealTimeRedisConnection _redis;
    private readonly BusInstance _instance;
    private readonly TimeProvider _clock;
    private readonly IOptions<RealTimeOptions> _options;
    private readonly ILogger<HubPresence> _logger;
    private readonly ConcurrentDictionary<string, Held> _held = new();
    private readonly ConcurrentDictionary<string, Held> _unsettledCloses = new();
    private readonly RedisFallback _fallback;

    // A joined conversation's kind in Held.Joined: an event chat's leave is pended when the connection leaves it.
    private const byte Conversation = 0;
    private const byte EventChat = 1;

    // A connection this instance holds, with the conversations it joined (and their kinds); Unsettled while Redis has
    // not heard of it.
    private sealed class Held(Guid userId)
    {
        public Guid UserId { get; } = userId;
        public ConcurrentDictionary<Guid, byte> Joined { get; } = new();
        public volatile bool Unsettled;
    }

    public HubPresence(
        IServiceScopeFactory scopes,
        RealTimeRedisConnection redis,
        BusInstance instance,
        TimeProvider clock,
        IOptions<RealTimeOptions> options,
        IConfiguration configuration,
        ILogger<HubPresence> logger
    )
    {
        (_scopes, _redis, _instance, _clock, _options, _logger) = (scopes, redis, instance, clock, options, logger);
        EventChatLeaveLinger = configuration.GetValue("Messaging:EventChatLeaveLinger", TimeSpan.FromSeconds(5));
        _fallback = new RedisFallback(
            logger,
            "Redis is unreachable: hub presence degrades (nobody counts as watching a conversation) until it answers "
                + "again.",
            "Redis answers again: hub presence is shared again.",
            () => redis.Starting
        );
    }

    public string InstanceId => _instance.Id;

    /// <summary>How long an event chat's leave is pending before it is told (Messaging:EventChatLeaveLinger, 5 s by
    /// default).</summary>
    public TimeSpan EventChatLeaveLinger { get; }

    private long Linger => (long)EventChatLeaveLinger.TotalMilliseconds;

    /// <summary>The hub connections this instance holds.</summary>
    public int HeldCount => _held.Count;

    /// <summary>Whether this instance holds the connection (registered by OnConnectedAsync, not yet closed).</summary>
    public bool Holds(string connectionId) => _held.ContainsKey(connectionId);

    private string Prefix => $"{_options.Value.RedisKeyPrefix}{ResourceNames.Messaging}:presence:";
    private long Lease => (long)_options.Value.ConnectionLease.TotalMilliseconds;

    private string Member(string connectionId) => $"{_instance.Id}/{connectionId}";

    /// <summary>The user's open connections (members "instance/connection", each leased).</summary>
    public RedisKey ConnectionsKey(Guid userId) => $"{Prefix}{userId:N}:connections";

    /// <summary>The online users (score: no lease of theirs ends later).</summary>
    public RedisKey OnlineKey => $"{Prefix}online";

    /// <summary>The conversation's joined connections, members "user/instance/connection" (each leased), so who watches
    /// it is one read whoever the recipients are.</summary>
    public RedisKey JoinedKey(Guid conversationId) => $"{Prefix}joined:{conversationId:N}";

    private string Watcher(Guid userId, string connectionId) => $"{userId}/{Member(connectionId)}";

    /// <summary>The event chats' leaves not told yet, members "conversation/user", scored by when their linger
    /// ends.</summary>
    public RedisKey PendingLeavesKey => $"{Prefix}pending-leaves";

    /// <summary>A pending leave's member in <see cref="PendingLeavesKey"/>.</summary>
    public static string PendingLeave(Guid conversationId, Guid userId) => $"{conversationId:N}/{userId}";

    private RedisKey TombstoneKey(string connectionId) => $"{Prefix}closed:{Member(connectionId)}";

    private RedisKey[] Keys(string connectionId, Held held) =>
        [TombstoneKey(connectionId), ConnectionsKey(held.UserId), OnlineKey, .. held.Joined.Keys.Select(JoinedKey)];

    /// <summary>
    /// Registers the connection and, at the user's first, announces them online. The announcement does not stop when
    /// the client leaves meanwhile: SignalR calls no OnDisconnectedAsync for a connection whose OnConnectedAsync
    /// failed, so the user would stay online, renewed for good. When it fails (the database away) the connection is
    /// closed here, and the failure goes on to SignalR, which closes the connection.
    /// </summary>
    public async Task ConnectedAsync(string connectionId, Guid userId)
    {
        var held = new Held(userId);
        var cameOnline = await RunAsync(db =>
            db.ScriptEvaluateAsync(
                Connect,
                [ConnectionsKey(userId), OnlineKey],
                [Member(connectionId), Lease, userId.ToString()]
            )
        );
        // Held after the script, so a renewal cannot put the user online first and hide their coming online.
        held.Unsettled = cameOnline is null;
        _held[connectionId] = held;
        if (cameOnline != 1)
            return;
        try
        {
            await AnnounceAsync(userId, true, CancellationToken.None);
        }
        catch
        {
            await ForgetAsync(connectionId, userId);
            throw;
        }
    }

    // Best effort: the failure that led here is what SignalR logs.
    private async Task ForgetAsync(string connectionId, Guid userId)
    {
        try
        {
            await DisconnectedAsync(connectionId, userId, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogDebug(
                e,
                "Closing hub connection {ConnectionId}, whose opening failed, failed too",
                connectionId
            );
        }
    }

    /// <summary>Closes the connection (the leaves of the event chats it had joined pending).</summary>
    public async Task DisconnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken)
    {
        // Forgotten first: a renewal running now finds the tombstone the close leaves.
        if (!_held.TryRemove(connectionId, out var held))
            held = new Held(userId);
        await CloseAsync(connectionId, held, replay: false, cancellationToken);
    }

    /// <summary>Records that the connection joined the conversation (renewed with it, registered again after a
    /// restart).</summary>
    public async Task JoinedAsync(string connectionId, Guid userId, Guid conversationId)
    {
        if (_held.TryGetValue(connectionId, out var held))
            held.Joined[conversationId] = Conversation;
        await RunAsync(db =>
            db.ScriptEvaluateAsync(
                Join,
                [TombstoneKey(connectionId), JoinedKey(conversationId)],
                [Watcher(userId, connectionId), Lease]
            )
        );
    }

    /// <summary>
    /// Records that the connection joined an event chat, as <see cref="JoinedAsync"/>; true when the user opened it
    /// (none of their connections was in it and no leave of theirs is pending: that one is taken back instead, untold).
    /// False while Redis is away.
    /// </summary>
    public async Task<bool> JoinedEventChatAsync(string connectionId, Guid userId, Guid conversationId)
    {
        var held = _held.GetValueOrDefault(connectionId);
        // Joined again (to catch up) keeps what the first join was: its leave is told if the opening was, even when
        // Redis does not answer this join.
        held?.Joined.TryAdd(conversationId, Conversation);
        var joined = await RunAsync(db =>
            db.ScriptEvaluateAsync(
                JoinEventChat,
                [TombstoneKey(connectionId), JoinedKey(conversationId), PendingLeavesKey],
                [Watcher(userId, connectionId), Lease, userId.ToString(), PendingLeave(conversationId, userId)]
            )
        );
        // Its leave is told only when Redis had it join: an opening nobody heard of (Redis away) leaves untold too.
        if (held is not null && joined is 1 or 2)
            held.Joined.TryUpdate(conversationId, EventChat, Conversation);
        return joined == 1;
    }

    /// <summary>
    /// Pends again a leave taken whose telling failed, until <see cref="EventChatLeaveLinger"/> has passed (as a
    /// leave). Nothing while Redis is away.
    /// </summary>
    public Task PendLeaveAsync(Guid conversationId, Guid userId) =>
        RunAsync(db =>
            db.ScriptEvaluateAsync(
                LeaveEventChat,
                [JoinedKey(conversationId), PendingLeavesKey],
                ["", userId.ToString(), PendingLeave(conversationId, userId), Linger]
            )
        );

    /// <summary>Up to <paramref name="max"/> leaves whose linger ended, oldest first; empty while Redis is
    /// away.</summary>
    public async Task<IReadOnlyList<(Guid ConversationId, Guid UserId)>> DueLeavesAsync(int max)
    {
        var due = await RunAsync(async db =>
            (RedisValue[])(await db.ScriptEvaluateAsync(DueLeaves, [PendingLeavesKey], [max]))!
        );
        var leaves = new List<(Guid, Guid)>();
        foreach (var member in due ?? [])
        {
            var parts = member.ToString().Split('/');
            if (
                parts.Length == 2
                && Guid.TryParseExact(parts[0], "N", out var conversationId)
                && Guid.TryParse(parts[1], out var userId)
            )
                leaves.Add((conversationId, userId));
            else
                await RunAsync(db => db.SortedSetRemoveAsync(PendingLeavesKey, member));
        }
        return leaves;
    }

    /// <summary>
    /// Takes a due leave (on one instance only); true when this call took it and the user is still away, so it is
    /// to be told now. False when another instance took it, it was taken back, or Redis is away.
    /// </summary>
    public async Task<bool> TakeLeaveAsync(Guid conversationId, Guid userId) =>
        await RunAsync(db =>
            db.ScriptEvaluateAsync(
                TakeLeave,
                [PendingLeavesKey, JoinedKey(conversationId)],
                [PendingLeave(conversationId, userId), userId.ToString()]
            )
        ) == 1;

    /// <summary>
    /// Forgets that the connection joined the conversation; for an event chat it joined, the user's leave is pending
    /// in the same step (told after <see cref="EventChatLeaveLinger"/> when they are still away).
    /// </summary>
    public async Task LeftAsync(string connectionId, Guid userId, Guid conversationId)
    {
        if (
            _held.TryGetValue(connectionId, out var held)
            && held.Joined.TryRemove(conversationId, out var kind)
            && kind == EventChat
        )
            await RunAsync(db =>
                db.ScriptEvaluateAsync(
                    LeaveEventChat,
                    [JoinedKey(conversationId), PendingLeavesKey],
                    [Watcher(userId, connectionId), userId.ToString(), PendingLeave(conversationId, userId), Linger]
                )
            );
        else
            await RunAsync(db => db.SortedSetRemoveAsync(JoinedKey(conversationId), Watcher(userId, connectionId)));
    }

    /// <summary>Which of <paramref name="userIds"/> have a live connection that joined the conversation; null while
    /// Redis is away.</summary>
    public async Task<IReadOnlySet<Guid>?> WatchingAsync(Guid conversationId, IReadOnlyList<Guid> userIds) =>
        await WatchersAsync(conversationId) is { } watchers ? userIds.Where(watchers.Contains).ToHashSet() : null;

    /// <summary>Everyone with a live connection that joined the conversation; null while Redis is away.</summary>
    public Task<IReadOnlySet<Guid>?> WatchersAsync(Guid conversationId) =>
        RunAsync<IReadOnlySet<Guid>?>(async db =>
            ((RedisValue[])(await db.ScriptEvaluateAsync(LiveUsers, [JoinedKey(conversationId)]))!)
                .Select(u => Guid.Parse(u.ToString()))
                .ToHashSet()
        );

    /// <summary>Which of <paramref name="userIds"/> have a live connection; null while Redis is away.</summary>
    public Task<IReadOnlySet<Guid>?> OnlineAsync(IReadOnlyList<Guid> userIds) => AnyLiveAsync(userIds, ConnectionsKey);

    /// <summary>The user's live connections as "instance/connection"; null while Redis is away.</summary>
    public Task<string[]?> ConnectionsAsync(Guid userId) =>
        RunAsync(async db =>
            ((RedisValue[])(await db.ScriptEvaluateAsync(LiveMembers, [ConnectionsKey(userId)]))!)
                .Select(m => m.ToString())
                .ToArray()
        );

    /// <summary>
    /// Renews the leases of this instance's connections due at <paramref name="tick"/> and their joins (registering
    /// again those Redis lost), then settles what an outage hid: users whose first connection Redis missed come
    /// online, closes it missed replay.
    /// </summary>
    public async Task RenewAsync(RenewalSlices slices, long tick, CancellationToken cancellationToken)
    {
        // The slice due now, and any connection Redis has not heard of yet (an outage) at once.
        var held = _held.Where(h => h.Value.Unsettled || slices.IsDue(h.Key, tick)).ToArray();
        // Nothing held, nothing asked: an idle instance neither warns nor reports Redis back during an outage.
        var renewed =
            held.Length == 0
                ? Array.Empty<long>()
                : await RunAsync(async db =>
                {
                    // A script renews a chunk of connections (one round trip, not one each).
                    var added = await Task.WhenAll(
                        held.Chunk(RenewalSlices.PerScript).Select(chunk => RenewAsync(db, chunk))
                    );
                    return added.SelectMany(a => a).ToArray();
                });
        if (renewed is null)
            return;
        var cameOnline = held.Zip(renewed)
            .GroupBy(h => h.First.Value.UserId)
            .Where(u => u.Any(h => h.First.Value.Unsettled) && u.Any(h => h.Second == 1))
            .Select(u => u.Key)
            .ToList();
        foreach (var (_, h) in held)
            h.Unsettled = false;
        foreach (var userId in cameOnline)
            await AnnounceAsync(userId, true, cancellationToken);
        foreach (var (connectionId, h) in _unsettledCloses.ToArray())
            if (_unsettledCloses.TryRemove(connectionId, out _))
                await CloseAsync(connectionId, h, replay: true, cancellationToken);
    }

    /// <summary>Announces offline the users whose every lease ended (their instances died); returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var expired = await RunAsync(async db =>
            (RedisValue[])(await db.ScriptEvaluateAsync(Expired, [OnlineKey], [500]))!
        );
        var offline = 0;
        foreach (var user in expired ?? [])
        {
            var userId = Guid.Parse(user.ToString());
            var wentOffline = await RunAsync(db =>
                db.ScriptEvaluateAsync(Expire, [ConnectionsKey(userId), OnlineKey], [userId.ToString()])
            );
            if (wentOffline != 1)
                continue;
            offline++;
            await AnnounceAsync(userId, false, cancellationToken);
        }
        return offline;
    }

    /// <summary>Renews <paramref name="chunk"/> in one script; for each, 1 when its user was put back online.</summary>
    private async Task<long[]> RenewAsync(IDatabase db, KeyValuePair<string, Held>[] chunk)
    {
        var keys = new List<RedisKey>();
        var values = new List<RedisValue> { Lease };
        foreach (var (connectionId, held) in chunk)
        {
            var own = Keys(connectionId, held);
            keys.AddRange(own);
            values.Add(Member(connectionId));
            values.Add(held.UserId.ToString());
            values.Add(own.Length);
        }
        return (long[])(await db.ScriptEvaluateAsync(Renew, [.. keys], [.. values]))!;
    }

    /// <summary>Closes every connection this instance holds (a clean stop), so their users go offline now.</summary>
    public async Task CloseAllAsync(CancellationToken cancellationToken)
    {
        foreach (var connectionId in _held.Keys)
            if (_held.TryRemove(connectionId, out var held))
                await CloseAsync(connectionId, held, replay: false, cancellationToken);
    }

    private async Task CloseAsync(string connectionId, Held held, bool replay, CancellationToken cancellationToken)
    {
        // A snapshot: the key of each joined conversation and the pending leave beside it ('' for no event chat).
        var joined = held.Joined.ToArray();
        var wentOffline = await RunAsync(db =>
            db.ScriptEvaluateAsync(
                Close,
                [
                    TombstoneKey(connectionId),
                    ConnectionsKey(held.UserId),
                    OnlineKey,
                    PendingLeavesKey,
                    .. joined.Select(j => JoinedKey(j.Key)),
                ],
                [
                    Member(connectionId),
                    Lease,
                    held.UserId.ToString(),
                    replay ? "1" : "0",
                    Linger,
                    .. joined.Select(j => (RedisValue)(j.Value == EventChat ? PendingLeave(j.Key, held.UserId) : "")),
                ]
            )
        );
        if (wentOffline is null)
            _unsettledCloses[connectionId] = held;
        else if (wentOffline == 1)
            await AnnounceAsync(held.UserId, false, cancellationToken);
    }

    private async Task AnnounceAsync(Guid userId, bool online, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var audience = await AudienceAsync(db, userId, online ? null : _clock.GetUtcNow(), cancellationToken);
        await scope.ServiceProvider.GetRequiredService<LiveDelivery>().PresenceAsync(userId, online, audience);
    }

    /// <summary>
    /// Who hears a user's presence: their accepted connections, without a block either way. Going offline records
    /// when (<paramref name="offlineAt"/>) in the same statement: one round trip either way; never for a deleted
    /// account, whose last connection may close after <see cref="HubPresenceEraser"/> ran (its profile is read under
    /// a share lock, so an erasure under way is waited for).
    /// </summary>
    private static async Task<IReadOnlyList<Guid>> AudienceAsync(
        MessagingDbContext db,
        Guid userId,
        DateTimeOffset? offlineAt,
        CancellationToken cancellationToken
    ) =>
        await db
            .Database.SqlQuery<Guid>(
                $"""
                WITH profile AS (
                    SELECT deleted_at FROM user_profiles WHERE user_id = {userId} FOR SHARE
                ), offline AS (
                    INSERT INTO user_presence (user_id, last_offline_at)
                    SELECT {userId}, {offlineAt} WHERE {offlineAt}::timestamptz IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM profile WHERE deleted_at IS NOT NULL)
                    ON CONFLICT (user_id) DO UPDATE SET last_offline_at = excluded.last_offline_at
                )
                SELECT o.user_id AS "Value"
                FROM (SELECT CASE WHEN p.user_low = {userId} THEN p.user_high ELSE p.user_low END AS user_id
                      FROM connections p
                      WHERE p.connected AND (p.user_low = {userId} OR p.user_high = {userId})) o
                WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                    AND ((b.blocker_id = {userId} AND b.blocked_id = o.user_id)
                      OR (b.blocker_id = o.user_id AND b.blocked_id = {userId})))
                """
            )
            .ToListAsync(cancellationToken);

    private async Task<IReadOnlySet<Guid>?> AnyLiveAsync(IReadOnlyList<Guid> userIds, Func<Guid, RedisKey> key)
    {
        if (userIds.Count == 0)
            return new HashSet<Guid>();
        var live = await RunAsync(async db =>
            ((RedisResult[])(await db.ScriptEvaluateAsync(AnyLive, [.. userIds.Select(key)]))!)
                .Select(r => (long)r)
                .ToArray()
        );
        return live?.Zip(userIds).Where(l => l.First == 1).Select(l => l.Second).ToHashSet();
    }

    private Task<long?> RunAsync(Func<IDatabase, Task<RedisResult>> script) =>
        RunAsync<long?>(async db => (long)await script(db));

    private Task<T?> RunAsync<T>(Func<IDatabase, Task<T>> command) =>
        _fallback.RunAsync<T?>(async () => await command(await _redis.DatabaseAsync()), default);
}
