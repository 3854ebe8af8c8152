using Community.Contracts.AiCompanion;
using Community.Social.Dashboard;

namespace Community.Social.Tests;

/// <summary>Seed 003's dashboard figures: emotional path progress, daily message, weekly growth in percent.</summary>
public sealed class DashboardProgressTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Emotional_path_progress_is_0_for_a_newcomer_adds_up_its_parts_and_stops_at_100()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        Assert.Equal(0, (await DashboardAsync(me))["emotional_path_progress"]!.GetValue<int>());
        var today = DateOnly.FromDateTime(fx.Clock.GetUtcNow().UtcDateTime);

        // One course completed (20), one in progress (5), a 3-day streak (6) and 4 active days in 28 (4): 35.
        await CourseAsync(meId, completed: true);
        await CourseAsync(meId, completed: false);
        foreach (var ago in new[] { 0, 1, 2, 10 })
            await ActiveAsync(meId, today.AddDays(-ago));
        // A day before the 28-day window counts for nothing.
        await ActiveAsync(meId, today.AddDays(-DashboardRules.ActiveDaysWindow));
        Assert.Equal(35, (await DashboardAsync(me))["emotional_path_progress"]!.GetValue<int>());

        // Days with the AI companion, from its CompanionCheckedIn: one per day however often announced; one outside the
        // window counts for nothing. 35 + 2 companion days + 1 active day (a check-in is activity: day 5 is new).
        foreach (var ago in new[] { 0, 0, 5, DashboardRules.ActiveDaysWindow })
        {
            var day = today.AddDays(-ago);
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
            await fx.DeliverAsync(new CompanionCheckedIn(Guid.NewGuid(), at, meId, day));
        }
        Assert.Equal(38, (await DashboardAsync(me))["emotional_path_progress"]!.GetValue<int>());

        // Every part at its cap: 3 completed (40), 3 in progress (10), a 20-day streak (20), 20+ active days (15),
        // 15+ companion days (15).
        await CourseAsync(meId, completed: true);
        await CourseAsync(meId, completed: true);
        await CourseAsync(meId, completed: false);
        await CourseAsync(meId, completed: false);
        for (var ago = 3; ago < 20; ago++)
        {
            var day = today.AddDays(-ago);
            await ActiveAsync(meId, day);
            await fx.DeliverAsync(new CompanionCheckedIn(Guid.NewGuid(), fx.Clock.GetUtcNow(), meId, day));
        }
        Assert.Equal(100, (await DashboardAsync(me))["emotional_path_progress"]!.GetValue<int>());
        Assert.Equal(100, DashboardRules.EmotionalPathProgress(50, 50, 365, 28, 28));
        Assert.Equal(0, DashboardRules.EmotionalPathProgress(0, 0, 0, 0, 0));
        Assert.Equal(99, DashboardRules.EmotionalPathProgress(2, 2, 15, 19, 14));
    }

    [Fact]
    public async Task The_daily_message_is_one_of_the_list_the_same_all_day_and_changes_with_the_days()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var first = (await DashboardAsync(me))["daily_message"]!.GetValue<string>();
        Assert.Contains(first, DashboardRules.DailyMessages);
        Assert.Equal(first, (await DashboardAsync(me))["daily_message"]!.GetValue<string>());
        Assert.Equal(first, DashboardRules.DailyMessage(meId, DateOnly.FromDateTime(fx.Clock.GetUtcNow().UtcDateTime)));
        var start = DateOnly.FromDateTime(fx.Clock.GetUtcNow().UtcDateTime);
        var messages = Enumerable
            .Range(0, 30)
            .Select(d => DashboardRules.DailyMessage(meId, start.AddDays(d)))
            .ToList();
        Assert.True(messages.Distinct().Count() > 1);
        Assert.All(messages, m => Assert.Contains(m, DashboardRules.DailyMessages));
        // Each message of the list comes up for someone.
        var seen = Enumerable
            .Range(0, 400)
            .Select(i => DashboardRules.DailyMessage(new Guid(i, 0, 0, new byte[8]), start))
            .ToHashSet();
        Assert.Equal(DashboardRules.DailyMessages.Count, seen.Count);
    }

    [Fact]
    public async Task Weekly_growth_is_a_percent_with_one_decimal_beside_its_counts()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var now = fx.Clock.GetUtcNow();
        // The week before: 8 followers; this week: 9 (+12.5 %).
        for (var i = 0; i < 8; i++)
            await FollowedAsync(meId, now.AddDays(-10));
        for (var i = 0; i < 9; i++)
            await FollowedAsync(meId, now.AddDays(-1));
        var dashboard = await DashboardAsync(me);
        Assert.Equal(12.5, dashboard["weekly_growth"]!.GetValue<double>());
        Assert.Equal(9, dashboard["weekly_growth_detail"]!["new_followers"]!.GetValue<int>());
        Assert.Equal(8, dashboard["weekly_growth_detail"]!["previous_followers"]!.GetValue<int>());
        Assert.Equal(12, dashboard["weekly_growth_detail"]!["change_percent"]!.GetValue<int>());

        // Fewer than the week before: negative, rounded to one decimal (2 against 3: -33.3).
        var (otherId, other, _) = await fx.RegisteredAsync();
        for (var i = 0; i < 3; i++)
            await FollowedAsync(otherId, now.AddDays(-8));
        for (var i = 0; i < 2; i++)
            await FollowedAsync(otherId, now.AddHours(-1));
        Assert.Equal(-33.3, (await DashboardAsync(other))["weekly_growth"]!.GetValue<double>());
    }

    private async Task<System.Text.Json.Nodes.JsonNode> DashboardAsync(string token) =>
        await (await fx.Client.Get("/api/v1/dashboard", token)).AssertStatus(200);

    private Task CourseAsync(Guid userId, bool completed) =>
        fx.ExecuteAsync(
            """
            INSERT INTO course_enrollments (user_id, course_id, enrollment_id, enrolled_at, completed_at)
            VALUES (@u, @c, @e, now(), CASE WHEN @done THEN now() END)
            """,
            ("u", userId),
            ("c", Guid.NewGuid()),
            ("e", Guid.NewGuid()),
            ("done", completed)
        );

    private Task ActiveAsync(Guid userId, DateOnly day) =>
        fx.ExecuteAsync(
            "INSERT INTO activity_days (user_id, day) VALUES (@u, @d) ON CONFLICT DO NOTHING",
            ("u", userId),
            ("d", day)
        );

    private Task FollowedAsync(Guid userId, DateTimeOffset at) =>
        fx.ExecuteAsync(
            "INSERT INTO follows (follower_id, followed_id, created_at) VALUES (@f, @u, @at)",
            ("f", Guid.NewGuid()),
            ("u", userId),
            ("at", at)
        );
}
