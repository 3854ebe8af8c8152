using Community.Messaging.Data;
using Community.Messaging.Projections;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Community.Messaging.RealTime;

/// <summary>
/// Who is connected, in the tables every messaging instance shares (hub_connections, hub_joins, user_presence):
/// a row per open connection under this instance's id, the conversations it joined, and each user's online flag.
/// A user comes online with their first connection on any instance and goes offline with their last one; their
/// accepted connections hear it as <c>presence</c>. Liveness times come from the database's clock, the one every
/// instance shares; last_offline_at (read by the digest) from the app's.
/// </summary>
public sealed class HubPresence(IServiceScopeFactory scopes, BusInstance instance, TimeProvider clock)
{
    /// <summary>Rows of an instance silent for longer than this are swept: it died without cleaning up.</summary>
    public static readonly TimeSpan SilentInstance = TimeSpan.FromMinutes(2);

    /// <summary>The id this instance's rows carry.</summary>
    public string InstanceId => instance.Id;

    public async Task ConnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        bool cameOnline;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockUserAsync(db, userId, cancellationToken);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO hub_connections (connection_id, user_id, instance_id, connected_at, last_seen_at)
                VALUES ({connectionId}, {userId}, {instance.Id}, now(), now()) ON CONFLICT (connection_id) DO NOTHING
                """, cancellationToken);
            cameOnline = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO user_presence (user_id, online) VALUES ({userId}, true)
                ON CONFLICT (user_id) DO UPDATE SET online = true WHERE NOT user_presence.online
                """, cancellationToken) > 0;
            await transaction.CommitAsync(cancellationToken);
        }
        if (cameOnline) await AnnounceAsync(scope.ServiceProvider, db, userId, true, cancellationToken);
    }

    public async Task DisconnectedAsync(string connectionId, Guid userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        await db.Database.ExecuteSqlAsync($"DELETE FROM hub_connections WHERE connection_id = {connectionId}", cancellationToken);
        await GoOfflineIfLastAsync(scope.ServiceProvider, db, userId, cancellationToken);
    }

    /// <summary>Records that the connection joined the conversation (its row is made again if a sweep took it).</summary>
    public async Task JoinedAsync(MessagingDbContext db, string connectionId, Guid userId, Guid conversationId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO hub_connections (connection_id, user_id, instance_id, connected_at, last_seen_at)
            VALUES ({connectionId}, {userId}, {instance.Id}, now(), now()) ON CONFLICT (connection_id) DO UPDATE SET last_seen_at = now()
            """, cancellationToken);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO hub_joins (connection_id, conversation_id) VALUES ({connectionId}, {conversationId}) ON CONFLICT DO NOTHING
            """, cancellationToken);
    }

    public static Task LeftAsync(MessagingDbContext db, string connectionId, Guid conversationId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM hub_joins WHERE connection_id = {connectionId} AND conversation_id = {conversationId}", cancellationToken);

    /// <summary>This instance is alive: its rows' last_seen_at is now.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        await db.Database.ExecuteSqlAsync($"UPDATE hub_connections SET last_seen_at = now() WHERE instance_id = {instance.Id}", cancellationToken);
    }

    /// <summary>Removes the rows of instances silent for <see cref="SilentInstance"/> (and this instance's own, when it stops); their users may go offline.</summary>
    public async Task<int> SweepAsync(bool own, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var silentSeconds = SilentInstance.TotalSeconds;
        var users = await db.Database.SqlQuery<Guid>($"""
            DELETE FROM hub_connections
            WHERE last_seen_at < now() - make_interval(secs => {silentSeconds}) OR ({own} AND instance_id = {instance.Id})
            RETURNING user_id AS "Value"
            """).ToListAsync(cancellationToken);
        foreach (var userId in users.Distinct()) await GoOfflineIfLastAsync(scope.ServiceProvider, db, userId, cancellationToken);
        return users.Count;
    }

    private async Task GoOfflineIfLastAsync(IServiceProvider services, MessagingDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        bool wentOffline;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockUserAsync(db, userId, cancellationToken);
            var now = clock.GetUtcNow();
            wentOffline = await db.Database.ExecuteSqlAsync($"""
                UPDATE user_presence SET online = false, last_offline_at = {now}
                WHERE user_id = {userId} AND online AND NOT EXISTS (SELECT 1 FROM hub_connections WHERE user_id = {userId})
                """, cancellationToken) > 0;
            await transaction.CommitAsync(cancellationToken);
        }
        if (wentOffline) await AnnounceAsync(services, db, userId, false, cancellationToken);
    }

    // Connects and disconnects of one user on any instance take turns, so the last one out sees no other row.
    private static Task LockUserAsync(MessagingDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({userId.ToString()}, 0))", cancellationToken);

    /// <summary>Tells the user's accepted connections (no block either way) that they came online or went offline.</summary>
    private static async Task AnnounceAsync(IServiceProvider services, MessagingDbContext db, Guid userId, bool online, CancellationToken cancellationToken)
    {
        var connections = await db.Connections.AsNoTracking().Where(p => p.Connected && (p.UserLow == userId || p.UserHigh == userId))
            .Select(p => p.UserLow == userId ? p.UserHigh : p.UserLow).ToListAsync(cancellationToken);
        var blocked = await db.Blocks.AsNoTracking().Where(b => b.Blocked && (b.BlockerId == userId || b.BlockedId == userId))
            .Select(b => b.BlockerId == userId ? b.BlockedId : b.BlockerId).ToListAsync(cancellationToken);
        await services.GetRequiredService<LiveDelivery>().PresenceAsync(userId, online, connections.Except(blocked).ToList());
    }
}

/// <summary>
/// Keeps this instance's presence rows alive: at startup it clears leftovers (silent instances' rows), then every
/// <see cref="RefreshEvery"/> refreshes its own rows' last_seen_at and sweeps those of instances silent for two minutes;
/// on a clean stop it removes its own.
/// </summary>
public sealed class HubPresenceKeeper(HubPresence presence, ILogger<HubPresenceKeeper> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshEvery);
        do
        {
            try
            {
                await presence.RefreshAsync(stoppingToken);
                var swept = await presence.SweepAsync(own: false, stoppingToken);
                if (swept > 0) logger.LogInformation("Swept {Count} hub connections of silent instances", swept);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be away for a moment; the next round tries again.
                logger.LogWarning(e, "Refreshing hub presence of instance {Instance} failed", presence.InstanceId);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await presence.SweepAsync(own: true, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Left for the other instances' sweep two minutes from now.
            logger.LogWarning(e, "Removing the hub connections of instance {Instance} on stop failed", presence.InstanceId);
        }
    }
}
