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
                NextAttemptAt = now + ProviderRequests.StaleAfter,
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
/// Asks the provider again for every stop of a subscription not done by its next attempt (see
/// <see cref="ProviderRequestRecovery{TRequest}"/>): a provider that keeps refusing leaves it renewing and charging.
/// </summary>
public sealed class SubscriptionCancellationRecovery(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<SubscriptionCancellationRecovery> logger
) : ProviderRequestRecovery<SubscriptionCancellation>(scopes, clock, logger)
{
    protected override string Kind => "subscription cancellations";

    protected override Task CarryOutAsync(
        IServiceProvider services,
        SubscriptionCancellation request,
        CancellationToken cancellationToken
    ) =>
        services
            .GetRequiredService<SubscriptionCanceller>()
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

    protected override void LogDone(SubscriptionCancellation request) =>
        logger.LogInformation(
            "Subscription {SubscriptionId} of user {UserId} stopped at the provider on a later attempt",
            request.ProviderSubscriptionId,
            request.UserId
        );

    protected override void LogNotDone(
        Exception exception,
        SubscriptionCancellation request,
        int attempts,
        TimeSpan wait
    ) =>
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
