using System.Security.Claims;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Dashboard;

/// <summary>My social standing at a glance (seed 003's dashboard stats), always the caller's own.</summary>
/// <param name="WeeklyGrowth">
/// New connections and followers in the last 7 days against the 7 before, in percent with one decimal
/// ((this - before) * 100 / before, e.g. 12.5 or -40.0); null when the week before had none. The counts are in
/// weekly_growth_detail.
/// </param>
/// <param name="EmotionalPathProgress">
/// 0-100, the sum of: 20 per completed course (up to 40), 5 per course in progress (up to 10), 2 per day of the current
/// streak (up to 20), 1 per active day in the last 28 (up to 15) and 1 per day in the last 28 with a check-in with the
/// AI companion (a message to it; up to 15).
/// </param>
/// <param name="DailyMessage">
/// One of DashboardRules.DailyMessages, chosen by the caller's id and today's UTC date: the same all day, another day
/// likely another.
/// </param>
public sealed record DashboardDto(
    Guid UserId,
    Streak Streak,
    DashboardCounts Counts,
    double? WeeklyGrowth,
    WeeklyGrowth WeeklyGrowthDetail,
    int EmotionalPathProgress,
    string DailyMessage,
    IReadOnlyList<EarnedBadgeDto> Badges,
    IReadOnlyList<BadgeProgressDto> NextBadges
);

/// <summary>
/// Courses in progress are the courses I enrolled in and have not completed (events' CourseCompleted).
/// </summary>
public sealed record DashboardCounts(
    int Connections,
    int Followers,
    int Groups,
    int EventsAttended,
    int CoursesInProgress,
    int PendingRequests
);

/// <summary>
/// New connections (still standing) and followers in the last 7 days and in the 7 before; change_percent is null when
/// the week before had none.
/// </summary>
public sealed record WeeklyGrowth(
    int NewConnections,
    int NewFollowers,
    int PreviousConnections,
    int PreviousFollowers,
    int? ChangePercent
);

public sealed record EarnedBadgeDto(string Badge, string Name, string Description, DateTimeOffset EarnedAt);

public sealed record BadgeProgressDto(string Badge, string Name, string Description, int Progress, int Target);

public static class DashboardApi
{
    public static RouteGroupBuilder MapDashboardApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/dashboard")
            .WithTags("Dashboard")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", Get)
            .WithName("GetDashboard")
            .WithSummary(
                "My streak, counts, weekly growth (percent, counts in weekly_growth_detail), emotional path progress "
                    + "(0-100), the daily message, the badges I earned and my progress towards the others"
            );
        return group;
    }

    /// <summary>
    /// Every count, sum and badge from one snapshot: a connection accepted or a course completed between two of the
    /// reads would otherwise show a week's growth above the total, or a course both in progress and completed.
    /// </summary>
    private static async Task<Ok<DashboardDto>> Get(
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            await db.InSnapshotAsync(
                () => ReadAsync(principal.UserId(), db, clock.GetUtcNow(), cancellationToken),
                cancellationToken
            )
        );

    private static async Task<DashboardDto> ReadAsync(
        Guid me,
        SocialDbContext db,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var streak = await Activity.StreakAsync(db, me, DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);

        var accepted = db
            .Connections.AsNoTracking()
            .Where(c => c.Status == ConnectionStatus.Accepted && (c.RequesterId == me || c.AddresseeId == me));
        var counts = new DashboardCounts(
            await accepted.CountAsync(cancellationToken),
            await db.Follows.CountAsync(f => f.FollowedId == me, cancellationToken),
            await db.GroupMembers.CountAsync(m => m.UserId == me, cancellationToken),
            await db.EventsAttended.CountAsync(a => a.UserId == me, cancellationToken),
            await db.CourseEnrollments.CountAsync(c => c.UserId == me && c.CompletedAt == null, cancellationToken),
            await db.Connections.CountAsync(
                c => c.Status == ConnectionStatus.Pending && c.AddresseeId == me,
                cancellationToken
            )
        );

        var weekAgo = now.AddDays(-7);
        var twoWeeksAgo = now.AddDays(-14);
        var newConnections = await accepted.CountAsync(
            c => c.AcceptedAt > weekAgo && c.AcceptedAt <= now,
            cancellationToken
        );
        var previousConnections = await accepted.CountAsync(
            c => c.AcceptedAt > twoWeeksAgo && c.AcceptedAt <= weekAgo,
            cancellationToken
        );
        var followers = db.Follows.AsNoTracking().Where(f => f.FollowedId == me);
        var newFollowers = await followers.CountAsync(
            f => f.CreatedAt > weekAgo && f.CreatedAt <= now,
            cancellationToken
        );
        var previousFollowers = await followers.CountAsync(
            f => f.CreatedAt > twoWeeksAgo && f.CreatedAt <= weekAgo,
            cancellationToken
        );
        var previous = previousConnections + previousFollowers;
        int? change = previous == 0 ? null : (newConnections + newFollowers - previous) * 100 / previous;
        var growth = new WeeklyGrowth(newConnections, newFollowers, previousConnections, previousFollowers, change);
        double? growthPercent =
            previous == 0 ? null : Math.Round((newConnections + newFollowers - previous) * 100.0 / previous, 1);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var completed = await db.CourseEnrollments.CountAsync(
            c => c.UserId == me && c.CompletedAt != null,
            cancellationToken
        );
        var activeDays = await db.ActivityDays.CountAsync(
            d => d.UserId == me && d.Day > today.AddDays(-DashboardRules.ActiveDaysWindow) && d.Day <= today,
            cancellationToken
        );
        var companionDays = await db.CompanionCheckInDays.CountAsync(
            d => d.UserId == me && d.Day > today.AddDays(-DashboardRules.ActiveDaysWindow) && d.Day <= today,
            cancellationToken
        );
        var progress = DashboardRules.EmotionalPathProgress(
            completed,
            counts.CoursesInProgress,
            streak.Days,
            activeDays,
            companionDays
        );

        var earned = await db
            .Badges.AsNoTracking()
            .Where(b => b.UserId == me)
            .ToDictionaryAsync(b => b.Badge, cancellationToken);
        var badges = new List<EarnedBadgeDto>();
        var next = new List<BadgeProgressDto>();
        foreach (var rule in BadgeRules.All)
        {
            if (earned.TryGetValue(rule.Badge, out var b))
                badges.Add(new(rule.Badge, rule.Name, rule.Description, b.EarnedAt));
            else
                next.Add(
                    new(
                        rule.Badge,
                        rule.Name,
                        rule.Description,
                        Math.Min(rule.Target, await rule.ProgressAsync(db, me, cancellationToken)),
                        rule.Target
                    )
                );
        }
        return new DashboardDto(
            me,
            streak,
            counts,
            growthPercent,
            growth,
            progress,
            DashboardRules.DailyMessage(me, today),
            badges.OrderBy(b => b.EarnedAt).ToList(),
            next
        );
    }
}
