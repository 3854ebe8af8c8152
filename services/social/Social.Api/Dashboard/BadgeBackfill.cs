using Community.ServiceDefaults.Data;

namespace Community.Social.Dashboard;

/// <summary>
/// Awards, once at start-up, the badges people reached without the event that awards them (before a rule existed),
/// each through <see cref="BadgeRules.AwardAsync"/> so BadgeEarned is announced as usual.
/// </summary>
public sealed class BadgeBackfill(IServiceScopeFactory scopes, TimeProvider clock, ILogger<BadgeBackfill> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var awarded = await RunAsync(
                scope.ServiceProvider.GetRequiredService<SocialDbContext>(),
                clock.GetUtcNow(),
                stoppingToken
            );
            if (awarded > 0)
                logger.LogInformation(
                    "Badge backfill: {Count} members had reached a badge they had not been given",
                    awarded
                );
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The next start tries again; until then a badge still comes with the next event that reaches it.
            logger.LogWarning(e, "Badge backfill failed");
        }
    }

    /// <summary>Awards what every qualifier lacks; answers how many members were looked at.</summary>
    public static async Task<int> RunAsync(SocialDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int Target(string badge) => BadgeRules.All.Single(r => r.Badge == badge).Target;
        var (connected, founder, regular) = (Target("connected"), Target("founder"), Target("regular"));
        var candidates = await db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT q.user_id AS "Value" FROM (
                    SELECT user_id, 'connected' AS badge FROM connection_edges GROUP BY user_id
                        HAVING count(*) >= {connected}
                    UNION ALL SELECT owner_id, 'founder' FROM groups WHERE member_count >= {founder}
                    UNION ALL SELECT user_id, 'regular' FROM events_attended GROUP BY user_id
                        HAVING count(*) >= {regular}
                ) q
                WHERE NOT EXISTS (SELECT 1 FROM badges b WHERE b.user_id = q.user_id AND b.badge = q.badge)
                GROUP BY q.user_id
                """
            )
            .ToListAsync(cancellationToken);
        foreach (var userId in candidates)
            await db.InTransactionAsync(
                async ct =>
                {
                    await ErasureGate.EnterAsync(db, ct);
                    await BadgeRules.AwardAsync(db, userId, now, ct);
                    return true;
                },
                cancellationToken
            );
        return candidates.Count;
    }
}
