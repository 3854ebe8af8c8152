namespace Community.Payments.Subscriptions;

/// <summary>
/// Stopping a subscription at the provider, durably: asked in the transaction that decides it (a row and the message
/// that carries it out after the commit), marked done once the provider has done it, and asked again by
/// <see cref="SubscriptionCancellationRecovery"/> while not done. A provider away for longer than the message's retries
/// would otherwise leave the subscription renewing and charging (a deleted account's, a refunded one's, a replaced
/// plan's).
/// </summary>
public sealed class SubscriptionCanceller(
    PaymentsDbContext db,
    PaymentBook payments,
    SubscriptionBook book,
    IPaymentProvider provider,
    TimeProvider clock,
    ILogger<SubscriptionCanceller> logger
)
{
    /// <summary>
    /// Asked in the caller's transaction (saved with it): the provider stops
    /// <paramref name="providerSubscriptionId"/> now or at its period end. <paramref name="refundedPaymentId"/> names
    /// the full refund that asked it; the subscription it paid for then ends here if it has not yet (the refund
    /// now ends it at once; requests written by earlier versions left the end to this).
    /// </summary>
    public static void Request(
        PaymentsDbContext db,
        Guid userId,
        string providerSubscriptionId,
        bool atPeriodEnd,
        Guid? refundedPaymentId,
        DateTimeOffset now
    )
    {
        var id = Guid.CreateVersion7(now);
        db.SubscriptionCancellations.Add(
            new SubscriptionCancellation
            {
                Id = id,
                UserId = userId,
                ProviderSubscriptionId = providerSubscriptionId,
                AtPeriodEnd = atPeriodEnd,
                RefundedPaymentId = refundedPaymentId,
                RequestedAt = now,
                // The message carries it out at once; the recovery only after it has had its chance.
                NextAttemptAt = now + SubscriptionCancellationRecovery.StaleAfter,
            }
        );
        db.AddIntegrationEvent(
            new SubscriptionCancellationRequested(
                id,
                now,
                userId,
                providerSubscriptionId,
                atPeriodEnd,
                refundedPaymentId
            )
        );
    }

    /// <summary>
    /// Tells the provider (outside any transaction: both calls are idempotent there), then ends ours if a refund asked
    /// for it and marks the request done, in one transaction. A provider that does not do it throws; nothing is marked.
    /// </summary>
    public async Task CarryOutAsync(SubscriptionCancellationRequested m, CancellationToken cancellationToken)
    {
        if (m.AtPeriodEnd)
            await provider.CancelSubscriptionAtPeriodEndAsync(m.ProviderSubscriptionId, cancellationToken);
        else
            await provider.CancelSubscriptionNowAsync(m.ProviderSubscriptionId, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        await db
            .SubscriptionCancellations.Where(c => c.Id == m.MessageId && c.DoneAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.DoneAt, now), cancellationToken);
        if (m.RefundedPaymentId is { } paymentId && await EndRefundedAsync(m, paymentId, cancellationToken))
            logger.LogInformation(
                "Subscription payment {PaymentId} was refunded: {UserId}'s subscription ended now",
                paymentId,
                m.UserId
            );
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<bool> EndRefundedAsync(
        SubscriptionCancellationRequested m,
        Guid paymentId,
        CancellationToken cancellationToken
    )
    {
        // Locked in the order the delivery and refund consumers use: payment, then subscription.
        await payments.LockAsync(paymentId, cancellationToken);
        var subscription = await book.LockAsync(m.UserId, cancellationToken);
        if (
            subscription is null
            || subscription.LastPaymentId != paymentId
            || subscription.ProviderSubscriptionId != m.ProviderSubscriptionId
            || subscription.Status == SubscriptionStatus.Canceled
        )
            return false;
        await SubscriptionRefundedConsumer.EndNowAsync(book, subscription, clock, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}

/// <summary>
/// Asks the provider again for every stop of a subscription not done by its next attempt (the message's retries ran
/// out while the provider was away, or the process died before it answered): at once after
/// <see cref="StaleAfter"/>, then after 2, 4, 8... minutes, at most an hour apart, each failure a warning (an operator
/// must see a provider that keeps refusing), until it is done. Each attempt is claimed first: instances sweeping at
/// once ask once.
/// </summary>
public sealed class SubscriptionCancellationRecovery(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<SubscriptionCancellationRecovery> logger
) : BackgroundService
{
    /// <summary>Younger requests are most likely still being carried out by their message.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>Longer than the provider's call may take with its retries.</summary>
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ResumeDueAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Resuming subscription cancellations failed; retrying on the next tick");
            }
        }
    }

    /// <summary>How long a done request is kept (what was stopped, and when), then deleted.</summary>
    public static readonly TimeSpan KeptDoneFor = TimeSpan.FromDays(30);

    /// <summary>Carries out every request due; returns how many are done now.</summary>
    public async Task<int> ResumeDueAsync(CancellationToken cancellationToken)
    {
        List<SubscriptionCancellation> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = clock.GetUtcNow();
            var requests = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().SubscriptionCancellations;
            await requests.Where(c => c.DoneAt < now - KeptDoneFor).ExecuteDeleteAsync(cancellationToken);
            due = await requests
                .AsNoTracking()
                .Where(c => c.DoneAt == null && c.NextAttemptAt <= now)
                .OrderBy(c => c.NextAttemptAt)
                .Take(100)
                .ToListAsync(cancellationToken);
        }
        var done = 0;
        foreach (var request in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
            // Claimed for the attempt, so another instance's sweep at the same moment leaves it to this one.
            var now = clock.GetUtcNow();
            if (
                await db
                    .SubscriptionCancellations.Where(c =>
                        c.Id == request.Id && c.DoneAt == null && c.NextAttemptAt <= now
                    )
                    .ExecuteUpdateAsync(c => c.SetProperty(x => x.NextAttemptAt, now + ClaimFor), cancellationToken)
                == 0
            )
                continue;
            try
            {
                await scope
                    .ServiceProvider.GetRequiredService<SubscriptionCanceller>()
                    .CarryOutAsync(
                        new SubscriptionCancellationRequested(
                            request.Id,
                            request.RequestedAt,
                            request.UserId,
                            request.ProviderSubscriptionId,
                            request.AtPeriodEnd,
                            request.RefundedPaymentId
                        ),
                        cancellationToken
                    );
                done++;
                logger.LogInformation(
                    "Subscription {SubscriptionId} of user {UserId} stopped at the provider on a later attempt",
                    request.ProviderSubscriptionId,
                    request.UserId
                );
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                var attempts = request.Attempts + 1;
                var wait = TimeSpan.FromMinutes(Math.Min(Math.Pow(2, attempts), LongestWait.TotalMinutes));
                await db
                    .SubscriptionCancellations.Where(c => c.Id == request.Id && c.DoneAt == null)
                    .ExecuteUpdateAsync(
                        c =>
                            c.SetProperty(x => x.Attempts, attempts)
                                .SetProperty(x => x.NextAttemptAt, clock.GetUtcNow() + wait),
                        cancellationToken
                    );
                logger.LogWarning(
                    exception,
                    "Subscription {SubscriptionId} of user {UserId} is still not stopped at the provider (attempt "
                        + "{Attempts}; asked again in {Wait}): it may renew and charge until it is",
                    request.ProviderSubscriptionId,
                    request.UserId,
                    attempts,
                    wait
                );
            }
        }
        return done;
    }
}
