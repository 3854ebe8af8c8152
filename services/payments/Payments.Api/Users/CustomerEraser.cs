using Community.Contracts.Identity;

namespace Community.Payments.Users;

/// <summary>
/// A deleted account's customers at the provider (what its buyer gave the checkouts: e-mail, name, saved card) are
/// deleted there, after the commit (<see cref="CustomerDeleter"/>). Runs before <see cref="KnownUserEraser"/>: the
/// account's payments are read under share locks while no known_users lock is held, so a checkout webhook recording a
/// customer meanwhile is waited for, and one after sees the account deleted (<see cref="CustomerDeleter"/>).
/// </summary>
public sealed class CustomerEraser(PaymentsDbContext db, TimeProvider clock, ILogger<CustomerEraser> logger)
    : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        // Every payment of the account, not only those naming a customer yet: one being given its customer is locked.
        var named = await db
            .Database.SqlQuery<string>(
                $"""
                SELECT coalesce(provider_customer_id, '') AS "Value" FROM payments WHERE user_id = {userId} FOR SHARE
                """
            )
            .ToListAsync(cancellationToken);
        var customers = named.Where(c => c.Length > 0).Distinct().ToList();
        if (customers.Count == 0)
            return;
        var asked = await db
            .CustomerDeletions.Where(c => customers.Contains(c.ProviderCustomerId))
            .Select(c => c.ProviderCustomerId)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var customer in customers.Except(asked))
        {
            CustomerDeleter.Request(db, userId, customer, now);
            logger.LogInformation(
                "User {UserId} was deleted: their customer {CustomerId} is deleted at the provider",
                userId,
                customer
            );
        }
    }
}
