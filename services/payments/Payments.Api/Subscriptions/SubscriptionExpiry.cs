using Community.ServiceDefaults;

namespace Community.Payments.Subscriptions;

/// <summary>
/// Ends what no webhook will (a period over, cancelled or long unrenewed) and reviews memberships whose referral reward
/// lapsed; rows are claimed with SKIP LOCKED, so every replica may sweep at once.
/// </summary>
public sealed class SubscriptionExpiry(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<SubscriptionOptions> options,
    ILogger<SubscriptionExpiry> logger
) : PeriodicSweep(clock, logger)
{
    private const int BatchSize = 100;

    protected override TimeSpan Every => options.Value.ExpirySweepInterval;

    protected override string FailureMessage => "Sweeping ended subscriptions failed; retrying on the next tick";

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => SweepOnceAsync(stoppingToken);

    /// <summary>
    /// Downgrades every subscription that has ended and reviews every membership due; returns how many of each.
    /// </summary>
    public async Task<(int Subscriptions, int Memberships)> SweepOnceAsync(CancellationToken cancellationToken) =>
        (await EndSubscriptionsAsync(cancellationToken), await ReviewMembershipsAsync(cancellationToken));

    private async Task<int> EndSubscriptionsAsync(CancellationToken cancellationToken)
    {
        var ended = await InBatchesAsync(
            async (services, db, now) =>
            {
                var unrenewed = now - options.Value.RenewalGrace;
                var due = await db.Set<Subscription>()
                    .FromSql(
                        $"""
                        SELECT * FROM subscriptions
                        WHERE tier <> 'free' AND current_period_end IS NOT NULL
                          AND ((cancel_at_period_end AND current_period_end <= {now})
                            OR current_period_end <= {unrenewed})
                        ORDER BY current_period_end LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                        """
                    )
                    .ToListAsync(cancellationToken);
                var book = services.GetRequiredService<SubscriptionBook>();
                foreach (var subscription in due)
                    await book.ChangeAsync(
                        subscription,
                        s => s.Status = s.CancelAtPeriodEnd ? SubscriptionStatus.Canceled : SubscriptionStatus.Expired,
                        cancellationToken
                    );
                return due.Count;
            },
            cancellationToken
        );
        if (ended > 0)
            logger.LogInformation("Ended {Count} subscriptions whose period ran out", ended);
        return ended;
    }

    private async Task<int> ReviewMembershipsAsync(CancellationToken cancellationToken)
    {
        var reviewed = await InBatchesAsync(
            async (services, db, now) =>
            {
                var due = await db
                    .Database.SqlQuery<Guid>(
                        $"""
                        SELECT user_id AS "Value" FROM memberships WHERE review_at <= {now}
                        ORDER BY review_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                        """
                    )
                    .ToListAsync(cancellationToken);
                var memberships = services.GetRequiredService<Memberships>();
                foreach (var userId in due)
                    await memberships.RefreshAsync(userId, null, cancellationToken);
                return due.Count;
            },
            cancellationToken
        );
        if (reviewed > 0)
            logger.LogInformation("Reviewed {Count} memberships whose referral reward ran out", reviewed);
        return reviewed;
    }

    /// <summary>
    /// Runs <paramref name="batch"/> (claim up to <see cref="BatchSize"/> rows, change them, say how
    /// many) in a fresh scope and transaction each, until a batch comes back short; returns the total.
    /// </summary>
    private async Task<int> InBatchesAsync(
        Func<IServiceProvider, PaymentsDbContext, DateTimeOffset, Task<int>> batch,
        CancellationToken cancellationToken
    )
    {
        var total = 0;
        int count;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            count = await batch(scope.ServiceProvider, db, Clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            total += count;
        } while (count == BatchSize);
        return total;
    }
}
