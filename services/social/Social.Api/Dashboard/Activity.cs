using Community.ServiceDefaults.Data;

namespace Community.Social.Dashboard;

/// <summary>Records the days members were active and erases what the dashboard keeps of a deleted account.</summary>
public static class Activity
{
    /// <summary>
    /// Marks the UTC day of <paramref name="at"/> as active for <paramref name="userId"/>; once a day, never for a
    /// deleted account. The caller holds the <see cref="ErasureGate"/> (a consumer's first step).
    /// </summary>
    public static Task RecordAsync(
        SocialDbContext db,
        Guid userId,
        DateTimeOffset at,
        CancellationToken cancellationToken
    )
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activity_days (user_id, day)
            SELECT {userId}, {day} WHERE NOT EXISTS (SELECT 1 FROM user_profiles WHERE user_id = {userId}
                AND deleted_at IS NOT NULL)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
    }

    /// <summary>The member's current streak: consecutive active days ending today or yesterday (UTC), else 0.</summary>
    public static async Task<Streak> StreakAsync(
        SocialDbContext db,
        Guid userId,
        DateOnly today,
        CancellationToken cancellationToken
    )
    {
        var last = await db
            .ActivityDays.Where(d => d.UserId == userId && d.Day <= today)
            .MaxAsync(d => (DateOnly?)d.Day, cancellationToken);
        if (last is not { } lastDay || lastDay < today.AddDays(-1))
            return new(0, false, last);
        // In a run of consecutive days read newest first, day + row number is the same for every day of the run.
        var days = await db
            .Database.SqlQuery<int>(
                $"""
                SELECT count(*)::int AS "Value" FROM (
                    SELECT day + (row_number() OVER (ORDER BY day DESC))::int AS run FROM activity_days
                        WHERE user_id = {userId} AND day <= {lastDay}
                ) AS d WHERE run = {lastDay.AddDays(1)}
                """
            )
            .SingleAsync(cancellationToken);
        return new(days, lastDay == today, lastDay);
    }
}

/// <summary>Days in a row with activity, whether today is one of them, and the last active day.</summary>
public sealed record Streak(int Days, bool ActiveToday, DateOnly? LastActiveOn);
