using Community.Contracts.Identity;
using Community.Payments.Users;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.Payments.Referrals;

/// <summary>What a conversion earns: credits for both sides, and elite for referrers who bring many.</summary>
public static class ReferralRewards
{
    public const long CreditsEach = ReferralTerms.CreditsEach;
    public const string Tier = Tiers.Elite;

    /// <summary>Conversions reached to the elite period they earn (null: for life).</summary>
    public static readonly (int Conversions, TimeSpan? Period)[] Milestones = [(5, TimeSpan.FromDays(90)), (10, null)];

    /// <summary>
    /// Both sides of a referral, in account-lock order (by id), so two postings touching the same users cannot
    /// deadlock.
    /// </summary>
    public static IEnumerable<(Guid UserId, string Side)> Sides(Guid referrerUserId, Guid referredUserId) =>
        new[] { (referrerUserId, "referrer"), (referredUserId, "referred") }.OrderBy(s => s.Item1);

    /// <summary>The idempotency key of one side's 50 credits for one referred user.</summary>
    public static string GrantKey(Guid referredUserId, string side) => $"referral:{referredUserId}:{side}";

    /// <summary>One referrer's conversions are counted and rewarded one transaction at a time.</summary>
    public static async Task LockReferrerAsync(
        PaymentsDbContext db,
        Guid referrerUserId,
        CancellationToken cancellationToken
    )
    {
        await db.Database.LockKeyAsync("referral-referrer:" + referrerUserId, cancellationToken);
    }

    public static Task<int> CountAsync(
        PaymentsDbContext db,
        Guid referrerUserId,
        CancellationToken cancellationToken
    ) =>
        db.Set<ReferralConversion>()
            .CountAsync(c => c.ReferrerUserId == referrerUserId && c.RevokedAt == null, cancellationToken);
}

/// <summary>
/// A referral converted: credits for both sides, the conversion counted, milestones rewarded. The payment is locked
/// first, so a conversion whose payment was refunded in full earns nothing.
/// </summary>
public sealed class ReferralConvertedConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    CreditLedger ledger,
    Memberships memberships,
    TimeProvider clock,
    ILogger<ReferralConvertedConsumer> logger
) : IdempotentConsumer<ReferralConverted, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ReferralConverted> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var payment = await payments.LockAsync(m.PaymentId, cancellationToken);
        var now = clock.GetUtcNow();
        if (payment is { Status: PaymentStatus.Refunded })
        {
            await Db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO referral_conversions
                    (referred_user_id, referrer_user_id, payment_id, converted_at, revoked_at)
                VALUES ({m.ReferredUserId}, {m.ReferrerUserId}, {m.PaymentId}, {m.OccurredAt.ToUniversalTime()}, {now})
                ON CONFLICT (referred_user_id) DO NOTHING
                """,
                cancellationToken
            );
            logger.LogInformation(
                "Referral of {ReferredUserId} by {ReferrerUserId} arrived after payment {PaymentId} was "
                    + "refunded; it earns nothing",
                m.ReferredUserId,
                m.ReferrerUserId,
                m.PaymentId
            );
            return;
        }

        // A deleted account is given nothing more; read under share locks, as deliveries read it, so UserDeleted's
        // erasers see what this writes or this sees the deletion. The side still there earns its credits.
        var deleted = new HashSet<Guid>();
        foreach (var (userId, _) in ReferralRewards.Sides(m.ReferrerUserId, m.ReferredUserId))
            if (await KnownUserRules.IsDeletedAsync(Db, userId, cancellationToken))
                deleted.Add(userId);

        // Accounts are locked in id order, so two conversions touching the same users cannot deadlock.
        var rewarded = ReferralRewards
            .Sides(m.ReferrerUserId, m.ReferredUserId)
            .Where(s => !deleted.Contains(s.UserId));
        foreach (var (userId, side) in rewarded)
            await ledger.GrantAsync(
                userId,
                ReferralRewards.CreditsEach,
                CreditLedger.ReferralGrant(side),
                ReferralRewards.GrantKey(m.ReferredUserId, side),
                cancellationToken
            );

        await ReferralRewards.LockReferrerAsync(Db, m.ReferrerUserId, cancellationToken);
        var counted = await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO referral_conversions (referred_user_id, referrer_user_id, payment_id, converted_at)
            VALUES ({m.ReferredUserId}, {m.ReferrerUserId}, {m.PaymentId}, {m.OccurredAt.ToUniversalTime()})
            ON CONFLICT (referred_user_id) DO NOTHING
            """,
            cancellationToken
        );
        // Counted all the same, so a refund finds what to take back; a deleted referrer's milestones stay revoked.
        if (counted == 0 || deleted.Contains(m.ReferrerUserId))
            return;

        var conversions = await ReferralRewards.CountAsync(Db, m.ReferrerUserId, cancellationToken);
        foreach (var (milestone, period) in ReferralRewards.Milestones.Where(r => conversions >= r.Conversions))
        {
            var periodEnd = now + period;
            // A milestone lost to refunds and reached again is granted anew.
            var granted = await Db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO referral_rewards (referrer_user_id, conversions, tier, current_period_end, granted_at)
                VALUES ({m.ReferrerUserId}, {milestone}, {ReferralRewards.Tier}, {periodEnd}, {now})
                ON CONFLICT (referrer_user_id, conversions) DO UPDATE
                SET tier = EXCLUDED.tier, current_period_end = EXCLUDED.current_period_end,
                    granted_at = EXCLUDED.granted_at, revoked_at = NULL
                WHERE referral_rewards.revoked_at IS NOT NULL
                """,
                cancellationToken
            );
            if (granted > 0)
                logger.LogInformation(
                    "Referrer {UserId} reached {Conversions} conversions: {Tier} until {PeriodEnd}",
                    m.ReferrerUserId,
                    milestone,
                    ReferralRewards.Tier,
                    periodEnd?.ToString("O") ?? "forever"
                );
        }
        await memberships.RefreshAsync(m.ReferrerUserId, null, cancellationToken);
    }
}

/// <summary>
/// A converting payment was refunded in full: the conversion is revoked, both sides' 50 credits are
/// clawed back (as far as they are unspent), and milestones the referrer no longer reaches are
/// revoked while their elite runs, which may end it. Partial refunds change nothing.
/// </summary>
public sealed class ReferralRefundedConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    CreditLedger ledger,
    Memberships memberships,
    TimeProvider clock,
    ILogger<ReferralRefundedConsumer> logger
) : FullRefundConsumer(db, payments, logger)
{
    /// <summary>Any first paid purchase may have converted a referral.</summary>
    protected override string? Purpose => null;

    protected override async Task TakeBackAsync(Payment payment, CancellationToken cancellationToken)
    {
        var conversion = (
            await Db.Set<ReferralConversion>()
                .FromSql(
                    $"""
                    SELECT * FROM referral_conversions WHERE payment_id = {payment.Id} AND revoked_at IS NULL
                    FOR UPDATE
                    """
                )
                .ToListAsync(cancellationToken)
        ).SingleOrDefault();
        if (conversion is null)
            return;

        var now = clock.GetUtcNow();
        conversion.RevokedAt = now;
        foreach (var (_, side) in ReferralRewards.Sides(conversion.ReferrerUserId, conversion.ReferredUserId))
            await ledger.ClawBackAsync(
                ReferralRewards.GrantKey(conversion.ReferredUserId, side),
                "referral_refunded",
                cancellationToken
            );

        await ReferralRewards.LockReferrerAsync(Db, conversion.ReferrerUserId, cancellationToken);
        await Db.SaveChangesAsync(cancellationToken);
        var conversions = await ReferralRewards.CountAsync(Db, conversion.ReferrerUserId, cancellationToken);
        // Only a reward still running: one whose period is over was had, and revoking it would let the milestone,
        // reached again, grant a new period.
        var revoked = await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE referral_rewards SET revoked_at = {now}
            WHERE referrer_user_id = {conversion.ReferrerUserId} AND conversions > {conversions} AND revoked_at IS NULL
                AND (current_period_end IS NULL OR current_period_end > {now})
            """,
            cancellationToken
        );
        logger.LogInformation(
            "Payment {PaymentId} was refunded: the referral of {ReferredUserId} by {ReferrerUserId} no longer "
                + "counts ({Conversions} left, {Revoked} rewards revoked)",
            payment.Id,
            conversion.ReferredUserId,
            conversion.ReferrerUserId,
            conversions,
            revoked
        );
        await memberships.RefreshAsync(conversion.ReferrerUserId, null, cancellationToken);
    }
}
