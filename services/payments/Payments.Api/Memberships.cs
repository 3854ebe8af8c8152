using Community.ServiceDefaults.Api;

namespace Community.Payments;

/// <summary>
/// A user's tier from every source (subscription, referral rewards); SubscriptionChanged only when it moves. The
/// membership row is locked before the sources are read, so of two concurrent changes the second sees the first.
/// </summary>
public sealed class Memberships(PaymentsDbContext db, TimeProvider clock, ILogger<Memberships> logger)
{
    private static readonly string[] Ranking = [Tiers.Free, Tiers.Premium, Tiers.Elite];

    /// <summary>How much <paramref name="tier"/> gives: free lowest, elite highest.</summary>
    public static int Rank(string tier) => Array.IndexOf(Ranking, tier);

    /// <param name="subscription">The user's subscription as this transaction changed it, when it did; otherwise
    /// read.</param>
    public async Task<Membership> RefreshAsync(
        Guid userId,
        Subscription? subscription,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO memberships (user_id, tier, source, updated_at) VALUES ({userId}, 'free', 'none', {now})
            ON CONFLICT (user_id) DO NOTHING
            """,
            cancellationToken
        );
        var membership = (
            await db.Set<Membership>()
                .FromSql($"SELECT * FROM memberships WHERE user_id = {userId} FOR UPDATE")
                .ToListAsync(cancellationToken)
        ).Single();
        // Stamped after the lock, and after the change before it: a change that waited here is newer than the one it
        // waited for, as the services keeping the newest tier read it (a clock read before the wait, or another
        // instance's clock, could say otherwise).
        now = UtcTimestamps.AsStored(clock.GetUtcNow());
        var stamp = now > membership.UpdatedAt ? now : membership.UpdatedAt.AddTicks(10);

        subscription ??= await db.Set<Subscription>()
            .AsNoTracking()
            .FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        var rewards = await db.Set<ReferralReward>()
            .AsNoTracking()
            .Where(r =>
                r.ReferrerUserId == userId
                && r.RevokedAt == null
                && (r.CurrentPeriodEnd == null || r.CurrentPeriodEnd > now)
            )
            .Select(r => new { r.Tier, r.CurrentPeriodEnd })
            .ToListAsync(cancellationToken);

        var grants = rewards
            .Select(r => (r.Tier, Until: r.CurrentPeriodEnd, Source: MembershipSources.Referral))
            .ToList();
        if (subscription is { } s && s.Tier != Tiers.Free)
            grants.Add((s.Tier, s.CurrentPeriodEnd, MembershipSources.Subscription));
        // The highest tier, and of its grants the one that lasts longest (for life first).
        var best =
            grants
                .OrderByDescending(g => Rank(g.Tier))
                .ThenByDescending(g => g.Until ?? DateTimeOffset.MaxValue)
                .Select(g => ((string Tier, DateTimeOffset? Until, string Source)?)g)
                .FirstOrDefault()
            ?? (Tiers.Free, null, MembershipSources.None);

        membership.ReviewAt = rewards.Min(r => r.CurrentPeriodEnd);
        membership.Source = best.Source;
        membership.UpdatedAt = stamp;
        if (membership.Tier == best.Tier && membership.TierUntil == best.Until)
            return membership;

        logger.LogInformation(
            "User {UserId} is now {Tier} until {Until} ({Source}); was {Previous}",
            userId,
            best.Tier,
            best.Until?.ToString("O") ?? "further notice",
            best.Source,
            membership.Tier
        );
        membership.Tier = best.Tier;
        membership.TierUntil = best.Until;
        db.AddIntegrationEvent(new SubscriptionChanged(Guid.CreateVersion7(), stamp, userId, best.Tier, best.Until));
        return membership;
    }
}
