using Community.Contracts.Identity;

namespace Community.Payments.Users;

/// <summary>
/// Marks the user deleted in known_users first, in this transaction, not only when the platform's KnownUsersConsumer
/// gets to it: deliveries read that row under a share lock (<see cref="DeliveryConsumer"/>), so a payment delivered
/// meanwhile is either seen by the erasers after this one or refunded by its delivery.
/// </summary>
public sealed class KnownUserEraser(PaymentsDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO known_users (user_id, deleted_at)
            VALUES ({deleted.UserId}, {deleted.OccurredAt.ToUniversalTime()})
            ON CONFLICT (user_id) DO UPDATE SET deleted_at = excluded.deleted_at
            """,
            cancellationToken
        );
}
