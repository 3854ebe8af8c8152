using System.Buffers.Binary;
using Community.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Community.Messaging.Notifications;

public sealed class NotificationRetentionOptions
{
    public const string Section = "Notifications";

    /// <summary>How long a notification is kept, read or not: a list and a digest cost what the person holds.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>
/// Deletes notifications older than <see cref="NotificationRetentionOptions.Retention"/>, read or unread, so a
/// person's list (which folds everything they hold before it pages) and the digest cost what the period holds, not
/// everything ever received. Nothing else counts on them: a conversation's unread count is its read position's. Rows a
/// request holds are passed over (SKIP LOCKED) and taken on a later round; each instance sweeps, a row goes once.
/// </summary>
public sealed class NotificationRetention(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<NotificationRetentionOptions> options,
    ILogger<NotificationRetention> logger
) : PeriodicSweep(clock, logger)
{
    private const int Batch = 500;

    protected override TimeSpan Every { get; } = TimeSpan.FromHours(1);

    // The database away: the old notifications wait for the next round, nothing is lost.
    protected override string FailureMessage => "Deleting old notifications failed; trying again in {Every}";

    protected override async Task RunRoundAsync(CancellationToken stoppingToken)
    {
        var deleted = 0;
        while (true)
        {
            var batch = await SweepAsync(stoppingToken);
            deleted += batch;
            if (batch < Batch)
                break;
        }
        if (deleted > 0)
            logger.LogInformation(
                "Deleted {Count} notifications older than {Retention}",
                deleted,
                options.Value.Retention
            );
    }

    /// <summary>Deletes up to one batch of the notifications past the retention; how many went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var before = Clock.GetUtcNow() - options.Value.Retention;
        // Found by the primary key, no index of their own to keep up on every insert: an id starts with its
        // creation's millisecond (NewId; a message's notification, its message's), so the old ones are the lowest,
        // below the least id of the limit's millisecond. created_at says which exactly.
        var least = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(least, before.ToUnixTimeMilliseconds() << 16);
        var bound = new Guid(least, bigEndian: true);
        return await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM notifications WHERE id IN (
                SELECT id FROM notifications WHERE id < {bound} AND created_at < {before}
                ORDER BY id LIMIT {Batch} FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken
        );
    }
}
