using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;

namespace Community.AiCompanion.Users;

/// <summary>
/// What a member's own request writes (their settings, a session bought) never outlives their account's erasure: the
/// account's tokens are refused everywhere only once the revocation reaches every instance, so a request may still come
/// after the erasure, or be under way while it commits.
/// </summary>
public static class ErasedAccounts
{
    /// <summary>
    /// Enters the erasure gate (in the caller's transaction, held until it ends): an erasure under way is waited for,
    /// and one committed is seen, and refused with 403, nothing written. One that comes later waits for this
    /// transaction and then deletes what it wrote.
    /// </summary>
    public static async Task RefuseErasedAsync(CompanionDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        await ErasureGate.EnterAsync(db, cancellationToken);
        if (await db.UserProfiles.AnyAsync(u => u.UserId == userId && u.DeletedAt != null, cancellationToken))
            throw Refusal();
    }

    /// <summary>The 403 of a write the account's erasure came before.</summary>
    public static ForbiddenException Refusal() => new("This account was deleted.");
}
