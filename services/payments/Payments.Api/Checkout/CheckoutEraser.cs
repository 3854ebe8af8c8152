using Community.Contracts.Identity;

namespace Community.Payments.Checkout;

/// <summary>
/// A deleted account's open checkouts end; one paid anyway settles as any late payment does, and what payments itself
/// delivers is refunded instead (<see cref="DeliveryConsumer"/>). Settled payments and refunds stay: the accounts
/// need them.
/// </summary>
public sealed class CheckoutEraser(PaymentsDbContext db, TimeProvider clock) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        // Nothing is published (PaymentFailed): every service erases the user on the same UserDeleted.
        await db
            .Payments.Where(p => p.UserId == deleted.UserId)
            .EndPendingAsync(PaymentStatus.Expired, "account_deleted", clock.GetUtcNow(), cancellationToken);
    }
}
