using Community.AiCompanion.Conversation.Safety;

namespace Community.AiCompanion.Tests;

public sealed class SafetyBreakReminderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 15, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Messages at the given minutes after <see cref="Start"/>; the minutes whose reply carries the reminder.
    /// </summary>
    private static List<int> RemindedAt(params int[] minutes)
    {
        ContinuousUse? use = null;
        var reminded = new List<int>();
        foreach (var minute in minutes)
        {
            (use, var due) = BreakReminder.Observe(use, Start.AddMinutes(minute));
            if (due)
                reminded.Add(minute);
        }
        return reminded;
    }

    [Fact]
    public void The_first_message_starts_a_stretch_without_a_reminder()
    {
        var (use, due) = BreakReminder.Observe(null, Start);
        Assert.False(due);
        Assert.Equal(new ContinuousUse(Start, Start, null), use);
    }

    [Fact]
    public void A_reminder_comes_with_the_first_message_after_3_hours_of_continuous_use_and_every_3_hours_after()
    {
        var everyTwentyMinutes = Enumerable.Range(0, 28).Select(i => i * 20).ToArray(); // 0 .. 540
        Assert.Equal([180, 360, 540], RemindedAt(everyTwentyMinutes));
        Assert.Equal([185], RemindedAt(0, 25, 50, 75, 100, 125, 150, 175, 185, 200));
    }

    [Fact]
    public void Thirty_minutes_without_a_message_keep_the_stretch_and_more_end_it()
    {
        Assert.Equal([180], RemindedAt(0, 30, 60, 90, 120, 150, 180));
        Assert.Empty(RemindedAt(0, 30, 60, 90, 120, 150, 181, 200, 230, 260, 290, 320, 350));
        Assert.Equal([361], RemindedAt(0, 30, 60, 90, 120, 150, 181, 211, 241, 271, 301, 331, 361));
    }

    [Fact]
    public void A_break_after_a_reminder_starts_the_count_again()
    {
        Assert.Equal([180], RemindedAt(0, 30, 60, 90, 120, 150, 180, 210, 241, 270, 300, 330, 360, 390, 420));
        Assert.Equal([180, 421], RemindedAt(0, 30, 60, 90, 120, 150, 180, 210, 241, 271, 301, 331, 361, 391, 421));
    }
}
