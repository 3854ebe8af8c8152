using Community.Contracts.Identity;

namespace Community.AiCompanion.Sessions;

/// <summary>
/// A deleted account's sessions go with it; a spend still arriving for an erased session is refunded.
/// </summary>
public sealed class SessionEraser(CompanionDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.CompanionSessions.Where(s => s.UserId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
}
