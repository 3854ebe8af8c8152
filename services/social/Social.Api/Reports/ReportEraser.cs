using Community.Contracts.Identity;

namespace Community.Social.Reports;

/// <summary>The reports a deleted account filed (reports about it stay for the moderators).</summary>
public sealed class ReportEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Reports.Where(r => r.ReporterId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
}
