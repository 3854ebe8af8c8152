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
                NextAttemptAt = now + CustomerDeletionRecovery.StaleAfter,
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
/// Asks the provider again for every deletion of a customer not done by its next attempt (the message's retries ran
/// out while the provider was away, or the process died before it answered): at once after <see cref="StaleAfter"/>,
/// then after 2, 4, 8... minutes, at most an hour apart, each failure a warning (an operator must see a deleted
/// account's data still held at the provider), until it is done. Each attempt is claimed first: instances sweeping at
/// once ask once.
/// </summary>
public sealed class CustomerDeletionRecovery(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<CustomerDeletionRecovery> logger
) : BackgroundService
{
    /// <summary>Younger requests are most likely still being carried out by their message.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>How long a done request is kept (what was deleted, and when), then deleted.</summary>
    public static readonly TimeSpan KeptDoneFor = TimeSpan.FromDays(30);

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
                logger.LogWarning(exception, "Resuming customer deletions failed; retrying on the next tick");
            }
        }
    }

    /// <summary>Carries out every request due; returns how many are done now.</summary>
    public async Task<int> ResumeDueAsync(CancellationToken cancellationToken)
    {
        List<CustomerDeletion> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = clock.GetUtcNow();
            var requests = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().CustomerDeletions;
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
                    .CustomerDeletions.Where(c => c.Id == request.Id && c.DoneAt == null && c.NextAttemptAt <= now)
                    .ExecuteUpdateAsync(c => c.SetProperty(x => x.NextAttemptAt, now + ClaimFor), cancellationToken)
                == 0
            )
                continue;
            try
            {
                await scope
                    .ServiceProvider.GetRequiredService<CustomerDeleter>()
                    .CarryOutAsync(
                        new CustomerDeletionRequested(
                            request.Id,
                            request.RequestedAt,
                            request.UserId,
                            request.ProviderCustomerId
                        ),
                        cancellationToken
                    );
                done++;
                logger.LogInformation(
                    "Customer {CustomerId} of deleted user {UserId} deleted at the provider on a later attempt",
                    request.ProviderCustomerId,
                    request.UserId
                );
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                var attempts = request.Attempts + 1;
                var wait = TimeSpan.FromMinutes(Math.Min(Math.Pow(2, attempts), LongestWait.TotalMinutes));
                await db
                    .CustomerDeletions.Where(c => c.Id == request.Id && c.DoneAt == null)
                    .ExecuteUpdateAsync(
                        c =>
                            c.SetProperty(x => x.Attempts, attempts)
                                .SetProperty(x => x.NextAttemptAt, clock.GetUtcNow() + wait),
                        cancellationToken
                    );
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
        }
        return done;
    }
}
