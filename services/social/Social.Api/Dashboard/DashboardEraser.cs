using Community.Contracts.Identity;

namespace Community.Social.Dashboard;

/// <summary>What the dashboard keeps of a deleted account: activity and check-in days, badges, courses.</summary>
public sealed class DashboardEraser(SocialDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        await db.ActivityDays.Where(d => d.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.CompanionCheckInDays.Where(d => d.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Badges.Where(b => b.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.CourseEnrollments.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }
}
