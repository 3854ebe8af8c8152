using MassTransit;

namespace Community.Payments.Users;

/// <summary>
/// Deleting a deleted account's customer at the provider, durably, as <c>SubscriptionCanceller</c> stops a
/// subscription: asked in the transaction that decides it (a row and the message that carries it out after the
/// commit), marked done once the provider has done it, and asked again by <see cref="CustomerDeletionRecovery"/> while
/// not done. Deleting the customer cancels its subscriptions at the provider too; the erasure's own stop of the
/// subscription then finds it gone, which counts as done.
/// </summary>
public sealed class CustomerDeleter(PaymentsDbContext db, IPaymentProvider provider, TimeProvider clock)
{
    /// <summary>Asked in the caller's transaction (saved with it): the provider deletes the customer.</summary>
    public static void Request(PaymentsDbContext db, Guid userId, string providerCustomerId, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        db.CustomerDeletions.Add(
            new CustomerDeletion
            {
                Id = id,
                UserId = userId,
                ProviderCustomerId = providerCustomerId,
                RequestedAt = now,
                // The message carries it out at once; the recovery only after it has had its chance.
                NextAttemptAt = now + ProviderRequests.StaleAfter,
            }
        );
        db.AddIntegrationEvent(new CustomerDeletionRequested(id, now, userId, providerCustomerId));
    }

    /// <summary>
    /// <paramref name="payment"/> (locked) names its provider's customer from now on; one a checkout completed after
    /// the account was deleted (left open, paid anyway) is deleted at the provider too. known_users is read without a
    /// lock: <see cref="CustomerEraser"/> reads the payments under share locks before marking the account, so either
    /// it waits for this transaction and sees the customer, or this one sees the account deleted.
    /// </summary>
    public async Task RecordAsync(Payment payment, string customerId, CancellationToken cancellationToken)
    {
        if (payment.ProviderCustomerId is not null)
            return;
        payment.ProviderCustomerId = customerId;
        var deleted = (
            await db
                .Database.SqlQuery<bool>(
                    $"""
                    SELECT deleted_at IS NOT NULL AS "Value" FROM known_users WHERE user_id = {payment.UserId}
                    """
                )
                .ToListAsync(cancellationToken)
        ).Contains(true);
        if (deleted && !await db.CustomerDeletions.AnyAsync(c => c.ProviderCustomerId == customerId, cancellationToken))
            Request(db, payment.UserId, customerId, clock.GetUtcNow());
    }

    /// <summary>
    /// Tells the provider (outside any transaction: a DELETE is idempotent there), then marks the request done. A
    /// provider that does not do it throws; nothing is marked.
    /// </summary>
    public async Task CarryOutAsync(CustomerDeletionRequested m, CancellationToken cancellationToken)
    {
        await provider.DeleteCustomerAsync(m.ProviderCustomerId, cancellationToken);
        var now = clock.GetUtcNow();
        await db
            .CustomerDeletions.Where(c => c.Id == m.MessageId && c.DoneAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.DoneAt, now), cancellationToken);
    }
}

/// <summary>
/// Carries out a deletion of a customer asked after its commit (<see cref="CustomerDeleter"/>). Not an inbox consumer:
/// the provider is asked outside any transaction; a request whose retries run out here is asked again by
/// <see cref="CustomerDeletionRecovery"/>.
/// </summary>
public sealed class CustomerDeletionConsumer(CustomerDeleter deleter) : IConsumer<CustomerDeletionRequested>
{
    public Task Consume(ConsumeContext<CustomerDeletionRequested> context) =>
        deleter.CarryOutAsync(context.Message, context.CancellationToken);
}

/// <summary>
/// Asks the provider again for every deletion of a customer not done by its next attempt (see
/// <see cref="ProviderRequestRecovery{TRequest}"/>): until it is, the provider keeps a deleted account's e-mail, name
/// and card.
/// </summary>
public sealed class CustomerDeletionRecovery(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<CustomerDeletionRecovery> logger
) : ProviderRequestRecovery<CustomerDeletion>(scopes, clock, logger)
{
    protected override string Kind => "customer deletions";

    protected override Task CarryOutAsync(
        IServiceProvider services,
        CustomerDeletion request,
        CancellationToken cancellationToken
    ) =>
        services
            .GetRequiredService<CustomerDeleter>()
            .CarryOutAsync(
                new CustomerDeletionRequested(
                    request.Id,
                    request.RequestedAt,
                    request.UserId,
                    request.ProviderCustomerId
                ),
                cancellationToken
            );

    protected override void LogDone(CustomerDeletion request) =>
        logger.LogInformation(
            "Customer {CustomerId} of deleted user {UserId} deleted at the provider on a later attempt",
            request.ProviderCustomerId,
            request.UserId
        );

    protected override void LogNotDone(Exception exception, CustomerDeletion request, int attempts, TimeSpan wait) =>
        logger.LogWarning(
            exception,
            "Customer {CustomerId} of deleted user {UserId} is still not deleted at the provider (attempt "
                + "{Attempts}; asked again in {Wait}): it keeps their e-mail, name and card until it is",
            request.ProviderCustomerId,
            request.UserId,
            attempts,
            wait
        );
}
