using Community.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Community.Messaging.Notifications;

public sealed class ErasureOptions
{
    public const string Section = "Messaging:Erasure";

    /// <summary>
    /// How long after an account's erasure its notifications are deleted again, and how often the sweep runs: longer
    /// than any send can take (its few commands each time out after 30 seconds), so those that raced it have ended.
    /// </summary>
    public TimeSpan FollowUpAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Goes over deleted accounts' erasures again once due (<see cref="ErasureOptions.FollowUpAfter"/>): a send that read
/// its recipients before the erasure committed (the tombstone not yet in its snapshot) writes the account a "sent you a
/// message" the erasure's delete could not see, not yet committed. Nothing else a send writes is a recipient's, and the
/// sender's own member row waits for its erasure (<see cref="Conversations.MessageInsert.LockSenderFirst"/>). The
/// erasure takes no send's lock for it: the lock-free follow-up is written down with it instead
/// (<see cref="NotificationsEraser"/>). Each instance sweeps; a follow-up goes once, with whoever claimed it.
/// </summary>
public sealed class ErasureFollowUpSweep(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<ErasureOptions> options,
    ILogger<ErasureFollowUpSweep> logger
) : PeriodicSweep(clock, logger)
{
    private const int Batch = 500;

    protected override TimeSpan Every => options.Value.FollowUpAfter;

    // The database away: the follow-ups wait for the next round, nothing is lost.
    protected override string FailureMessage => "Following up erased accounts failed; trying again in {Every}";

    protected override async Task RunRoundAsync(CancellationToken stoppingToken)
    {
        while (await SweepAsync(stoppingToken) == Batch) { }
    }

    /// <summary>Does up to one batch of the follow-ups due; how many were done.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        // One statement, one transaction: a follow-up goes with what it deleted. Claimed first (SKIP LOCKED), then the
        // notifications, in the erasure's own order (NotificationsEraser), so a second erasure of the account waits.
        var found = await db
            .Database.SqlQuery<int>(
                $"""
                WITH due AS (
                    DELETE FROM erasure_follow_ups WHERE user_id IN (
                        SELECT user_id FROM erasure_follow_ups WHERE due_at <= {Clock.GetUtcNow()}
                        ORDER BY due_at LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                    RETURNING user_id),
                gone AS (DELETE FROM notifications WHERE user_id IN (SELECT user_id FROM due) RETURNING user_id)
                SELECT count(g.user_id)::int AS "Value" FROM due d LEFT JOIN gone g ON g.user_id = d.user_id
                GROUP BY d.user_id
                """
            )
            .ToListAsync(cancellationToken);
        if (found.Sum() is > 0 and var notifications)
            logger.LogInformation(
                "Deleted {Count} notifications of {Accounts} accounts sent while they were erased",
                notifications,
                found.Count(n => n > 0)
            );
        return found.Count;
    }
}
