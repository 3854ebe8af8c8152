using Community.ServiceDefaults.Data;

namespace Community.AiCompanion.Conversation.Safety;

/// <summary>
/// A stretch of continuous use: since when, the latest message, and the last break reminder shown in it.
/// </summary>
public sealed record ContinuousUse(DateTimeOffset Since, DateTimeOffset LastMessageAt, DateTimeOffset? LastReminderAt);

/// <summary>
/// The minors' break reminder (SB 243: at least every 3 hours of continuous use). Use is continuous while messages come
/// at most <see cref="Pause"/> apart; a longer gap starts a new stretch. A reminder is due with the first message once
/// <see cref="Interval"/> has passed since the stretch began or since the last reminder.
/// </summary>
public static class BreakReminder
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(3);
    public static readonly TimeSpan Pause = TimeSpan.FromMinutes(30);

    public const string Text =
        "You've been chatting with me for a while now. This is a good moment to take a break: stretch, get some "
        + "water, or check in with someone you trust. And a reminder: I'm an AI, not a person.";

    /// <summary>
    /// The stretch after a message at <paramref name="now"/>, and whether that message's reply carries the reminder.
    /// </summary>
    public static (ContinuousUse Use, bool Due) Observe(ContinuousUse? use, DateTimeOffset now)
    {
        if (use is null || now - use.LastMessageAt > Pause)
            return (new ContinuousUse(now, now, null), false);
        var due = now - (use.LastReminderAt ?? use.Since) >= Interval;
        return (use with { LastMessageAt = now, LastReminderAt = due ? now : use.LastReminderAt }, due);
    }
}

/// <summary>The break-reminder state of minors in <c>companion_use</c>; call once per reply stored.</summary>
public sealed class BreakReminders(CompanionDbContext db)
{
    /// <summary>
    /// Records the message of <paramref name="context"/> (at <see cref="SafetyContext.Now"/>) and returns the reminder
    /// to add to its reply when one is due; null otherwise and always for adults (whose use is not recorded).
    /// Joins the caller's transaction when one is open (the one storing the reply: a reply not stored uses up no
    /// reminder). Row-locked until that ends, so two concurrent messages cannot both get it.
    /// </summary>
    public Task<string?> ObserveAsync(SafetyContext context, CancellationToken cancellationToken)
    {
        if (!context.IsMinor)
            return Task.FromResult<string?>(null);
        return db.InTransactionAsync(
            async ct =>
            {
                var rows = await db
                    .Database.SqlQuery<UseRow>(
                        $"""
                        SELECT continuous_since AS since, last_message_at, last_reminder_at
                        FROM companion_use WHERE user_id = {context.UserId} FOR UPDATE
                        """
                    )
                    .ToListAsync(ct);
                var current = rows is [var row]
                    ? new ContinuousUse(row.Since, row.LastMessageAt, row.LastReminderAt)
                    : null;
                var (use, due) = BreakReminder.Observe(current, context.Now);
                await db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO companion_use (user_id, continuous_since, last_message_at, last_reminder_at)
                    VALUES ({context.UserId}, {use.Since}, {use.LastMessageAt}, {use.LastReminderAt})
                    ON CONFLICT (user_id) DO UPDATE SET continuous_since = EXCLUDED.continuous_since,
                        last_message_at = EXCLUDED.last_message_at, last_reminder_at = EXCLUDED.last_reminder_at
                    """,
                    ct
                );
                return due ? BreakReminder.Text : null;
            },
            cancellationToken
        );
    }

    private sealed record UseRow(DateTimeOffset Since, DateTimeOffset LastMessageAt, DateTimeOffset? LastReminderAt);
}
