using Npgsql;

namespace Community.Social.Tests;

/// <summary>
/// The other services keep, of two changes of the same thing, the one with the later time: each change must read the
/// time while it holds the lock that orders it with the others, so that the one that commits later carries the later
/// time. These hold such a lock while a change is sent, move the clock once the change waits for it, then let it go.
/// </summary>
public static class HeldLocks
{
    /// <summary>
    /// Takes the lock with <paramref name="lockSql"/> (one parameter, @p) and sends <paramref name="change"/>; once a
    /// query like <paramref name="waitingQuery"/> waits for it, moves the clock a minute and lets it go. Returns the
    /// time the change must carry at least, once it has answered.
    /// </summary>
    public static async Task<DateTimeOffset> StampedWhileHeldAsync(
        SocialFixture fx,
        string lockSql,
        object parameter,
        string waitingQuery,
        Func<Task> change
    )
    {
        await using var holder = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand(lockSql, holder))
        {
            take.Parameters.AddWithValue("p", parameter);
            await take.ExecuteNonQueryAsync();
        }
        var answered = change();
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock' AND query ILIKE @q",
                    ("q", waitingQuery)
                ) > 0,
            "the change never waited for the lock"
        );
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        var held = fx.Clock.GetUtcNow();
        await transaction.CommitAsync();
        await answered;
        return held;
    }

    /// <summary>Sends <paramref name="change"/> holding the pair's lock, as LockPairAsync takes it.</summary>
    public static Task<DateTimeOffset> StampedUnderThePairsLockAsync(
        SocialFixture fx,
        Guid one,
        Guid other,
        Func<Task> change
    )
    {
        var (low, high) = one.CompareTo(other) < 0 ? (one, other) : (other, one);
        return StampedWhileHeldAsync(
            fx,
            "SELECT pg_advisory_xact_lock(hashtextextended(@p, 0))",
            low.ToString("N") + high.ToString("N"),
            "%pg_advisory_xact_lock%",
            change
        );
    }

    /// <summary>
    /// Asserts that the <paramref name="type"/> message whose <paramref name="field"/> is <paramref name="value"/>
    /// was stamped after <paramref name="moved"/> (the clock is the real one plus what tests add).
    /// </summary>
    public static async Task AssertStampedAfterAsync(
        SocialFixture fx,
        DateTimeOffset moved,
        string type,
        string field,
        string value
    )
    {
        var stamped = DateTimeOffset.Parse(
            (
                await fx.ScalarAsync<string>(
                    $"SELECT payload->>'occurredAt' FROM outbox_messages WHERE type LIKE '%.{type},%' "
                        + $"AND payload->>'{field}' = @v",
                    ("v", value)
                )
            )!,
            System.Globalization.CultureInfo.InvariantCulture
        );
        Assert.InRange(stamped, moved, moved + TimeSpan.FromSeconds(50));
    }
}
