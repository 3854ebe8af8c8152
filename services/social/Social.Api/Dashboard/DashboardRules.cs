using System.Security.Cryptography;
using System.Text;

namespace Community.Social.Dashboard;

/// <summary>The dashboard's definitions: emotional path progress and the daily message.</summary>
public static class DashboardRules
{
    /// <summary>Active days are counted over this many days, today included.</summary>
    public const int ActiveDaysWindow = 28;

    /// <summary>The messages a day may bring (seed 003's first among them), in this order.</summary>
    public static readonly IReadOnlyList<string> DailyMessages =
    [
        "You showed up — that's enough.",
        "Small steps still move you forward.",
        "Someone here is glad you exist.",
        "Reach out to one person today; it matters more than you think.",
        "Rest is part of growth too.",
        "Be as kind to yourself as you are to your friends.",
        "Every connection starts with a hello.",
        "Notice one good thing today, however small.",
    ];

    /// <summary>
    /// 0-100: 20 per completed course (up to 40), 5 per course in progress (up to 10), 2 per streak day (up to 20),
    /// 1 per active day (up to 15) and 1 per day with the AI companion (up to 15), both in the last
    /// <see cref="ActiveDaysWindow"/> days.
    /// </summary>
    public static int EmotionalPathProgress(
        int completedCourses,
        int coursesInProgress,
        int streakDays,
        int activeDays,
        int companionDays
    ) =>
        Math.Min(40, 20 * Math.Max(0, completedCourses))
        + Math.Min(10, 5 * Math.Max(0, coursesInProgress))
        + Math.Min(20, 2 * Math.Max(0, streakDays))
        + Math.Min(15, Math.Max(0, activeDays))
        + Math.Min(15, Math.Max(0, companionDays));

    /// <summary>The message of <paramref name="day"/> for <paramref name="userId"/>, alike on every instance.</summary>
    public static string DailyMessage(Guid userId, DateOnly day)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{userId:N}:{day:yyyy-MM-dd}"));
        return DailyMessages[(int)(BitConverter.ToUInt32(digest, 0) % (uint)DailyMessages.Count)];
    }
}
