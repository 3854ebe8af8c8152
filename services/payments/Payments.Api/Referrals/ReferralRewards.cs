using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Payments.Credits;
using Community.Payments.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Referrals;

/// <summary>A referred user's first paid purchase, as identity announced it: one per referred user.</summary>
public sealed class ReferralConversion
{
    public Guid ReferredUserId { get; set; }
    public Guid ReferrerUserId { get; set; }
    public Guid PaymentId { get; set; }
    public DateTimeOffset ConvertedAt { get; set; }
}

/// <summary>A tier granted to a referrer for reaching <see cref="Conversions"/> conversions.</summary>
public sealed class ReferralReward
{
    public Guid ReferrerUserId { get; set; }
    public int Conversions { get; set; }
    public string Tier { get; set; } = "";
    /// <summary>Null: for life.</summary>
    public DateTimeOffset? CurrentPeriodEnd { get; set; }
    /// <summary>The SubscriptionChanged that granted it.</summary>
    public Guid EventId { get; set; }
    public DateTimeOffset GrantedAt { get; set; }
}

public sealed class ReferralConversionConfiguration : IEntityTypeConfiguration<ReferralConversion>
{
    public void Configure(EntityTypeBuilder<ReferralConversion> e)
    {
        e.ToTable("referral_conversions");
        e.HasKey(c => c.ReferredUserId);
    }
}

public sealed class ReferralRewardConfiguration : IEntityTypeConfiguration<ReferralReward>
{
    public void Configure(EntityTypeBuilder<ReferralReward> e)
    {
        e.ToTable("referral_rewards");
        e.HasKey(r => new { r.ReferrerUserId, r.Conversions });
    }
}

/// <summary>What a conversion earns: credits for both sides, and elite for referrers who bring many.</summary>
public static class ReferralRewards
{
    public const long CreditsEach = 50;
    public const string Tier = "elite";

    /// <summary>Conversions reached to the elite period they earn (null: for life).</summary>
    public static readonly (int Conversions, TimeSpan? Period)[] Milestones = [(5, TimeSpan.FromDays(90)), (10, null)];
}

/// <summary>
/// A referral converted: 50 credits to the referrer and 50 to the referred user (each grant one-shot
/// by its key), and the conversion counted; the 5th and the 10th publish SubscriptionChanged (elite
/// for three months, then for life) once each. A referrer's conversions are counted one at a time,
/// so concurrent conversions cannot both miss a milestone.
/// </summary>
public sealed class ReferralConvertedConsumer(
    PaymentsDbContext db, CreditLedger ledger, TimeProvider clock, ILogger<ReferralConvertedConsumer> logger)
    : IdempotentConsumer<ReferralConverted, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<ReferralConverted> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        // Accounts are locked in id order, so two conversions touching the same users cannot deadlock.
        foreach (var (userId, side) in new[] { (m.ReferrerUserId, "referrer"), (m.ReferredUserId, "referred") }.OrderBy(g => g.Item1))
            await ledger.GrantAsync(userId, ReferralRewards.CreditsEach, "referral_" + side, $"referral:{m.ReferredUserId}:{side}", cancellationToken);

        var referrerLock = "referral-referrer:" + m.ReferrerUserId;
        await Db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({referrerLock}, 0))", cancellationToken);
        var now = clock.GetUtcNow();
        var counted = await Db.Database.ExecuteSqlAsync($"""
            INSERT INTO referral_conversions (referred_user_id, referrer_user_id, payment_id, converted_at)
            VALUES ({m.ReferredUserId}, {m.ReferrerUserId}, {m.PaymentId}, {m.OccurredAt.ToUniversalTime()})
            ON CONFLICT (referred_user_id) DO NOTHING
            """, cancellationToken);
        if (counted == 0) return;

        var conversions = await Db.Set<ReferralConversion>().CountAsync(c => c.ReferrerUserId == m.ReferrerUserId, cancellationToken);
        foreach (var (milestone, period) in ReferralRewards.Milestones.Where(r => conversions >= r.Conversions))
        {
            var eventId = Guid.NewGuid();
            var periodEnd = now + period;
            var granted = await Db.Database.ExecuteSqlAsync($"""
                INSERT INTO referral_rewards (referrer_user_id, conversions, tier, current_period_end, event_id, granted_at)
                VALUES ({m.ReferrerUserId}, {milestone}, {ReferralRewards.Tier}, {periodEnd}, {eventId}, {now})
                ON CONFLICT DO NOTHING
                """, cancellationToken);
            if (granted == 0) continue;
            Db.AddIntegrationEvent(new SubscriptionChanged(eventId, now, m.ReferrerUserId, ReferralRewards.Tier, periodEnd));
            logger.LogInformation("Referrer {UserId} reached {Conversions} conversions: {Tier} until {PeriodEnd}",
                m.ReferrerUserId, milestone, ReferralRewards.Tier, periodEnd?.ToString("O") ?? "forever");
        }
    }
}
