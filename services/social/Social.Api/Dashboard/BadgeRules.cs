using Community.Contracts.Social;
using Community.ServiceDefaults.Data;

namespace Community.Social.Dashboard;

/// <summary>A published badge rule: earned once <see cref="ProgressAsync"/> reaches <see cref="Target"/>.</summary>
public sealed record BadgeRule(
    string Badge,
    string Name,
    string Description,
    int Target,
    Func<SocialDbContext, Guid, CancellationToken, Task<int>> ProgressAsync
);

/// <summary>The badge rules, all of them (README "Social" lists the same), and awarding them.</summary>
public static class BadgeRules
{
    public static readonly IReadOnlyList<BadgeRule> All =
    [
        new(
            "connected",
            "Connected",
            "10 accepted connections",
            10,
            (db, userId, ct) =>
                db.Connections.CountAsync(
                    c => c.Status == ConnectionStatus.Accepted && (c.RequesterId == userId || c.AddresseeId == userId),
                    ct
                )
        ),
        new(
            "founder",
            "Founder",
            "Own a group with 10 members",
            10,
            async (db, userId, ct) =>
                await db.Groups.Where(g => g.OwnerId == userId).MaxAsync(g => (int?)g.MemberCount, ct) ?? 0
        ),
        new(
            "regular",
            "Regular",
            "Checked in at 5 events",
            5,
            (db, userId, ct) => db.EventsAttended.CountAsync(a => a.UserId == userId, ct)
        ),
    ];

    /// <summary>
    /// Awards every badge <paramref name="userId"/> has reached and not yet earned, each announced as BadgeEarned
    /// through the outbox in the caller's transaction. The unique (user, badge) row makes it once: of two
    /// transactions awarding the same badge, the second's insert waits for the first and then inserts nothing. The
    /// caller holds the <see cref="ErasureGate"/>, so no badge outlives its account's erasure.
    /// </summary>
    public static async Task AwardAsync(
        SocialDbContext db,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        if (await db.UserProfiles.AnyAsync(p => p.UserId == userId && p.DeletedAt != null, cancellationToken))
            return;
        var earned = await db.Badges.Where(b => b.UserId == userId).Select(b => b.Badge).ToListAsync(cancellationToken);
        foreach (var rule in All.Where(r => !earned.Contains(r.Badge)))
        {
            if (await rule.ProgressAsync(db, userId, cancellationToken) < rule.Target)
                continue;
            var added = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO badges (user_id, badge, earned_at) VALUES ({userId}, {rule.Badge}, {now})
                    ON CONFLICT DO NOTHING
                """,
                cancellationToken
            );
            if (added > 0)
                db.AddIntegrationEvent(new BadgeEarned(Guid.CreateVersion7(), now, userId, rule.Badge, rule.Name));
        }
    }
}
