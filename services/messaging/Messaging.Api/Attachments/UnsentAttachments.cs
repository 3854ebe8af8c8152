using Community.Contracts.Identity;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Messaging;

namespace Community.Messaging.Attachments;

/// <summary>
/// Files uploaded and never sent in a message. A draft may take a while, so they are kept a day
/// (<see cref="KeptFor"/>), then deleted by this sweep, the row first (the file written down with it) and the file
/// after: a send that claims one at that moment either gets it or finds it gone (400), never a message naming a
/// missing file. Each instance sweeps; a row goes once, with whoever deleted it.
/// </summary>
public sealed class UnsentAttachments(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<UnsentAttachments> logger
) : PeriodicSweep(clock, logger)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    /// <summary>How many unsent files one person may hold at once (each at most 10 MB).</summary>
    public const int MaxPerUploader = 20;

    private const int Batch = 500;

    protected override TimeSpan Every { get; } = TimeSpan.FromMinutes(10);

    // The database away: the files wait for the next round, nothing is lost.
    protected override string FailureMessage => "Sweeping unsent attachments failed; trying again in {Every}";

    protected override async Task RunRoundAsync(CancellationToken stoppingToken)
    {
        while (await SweepAsync(stoppingToken) == Batch) { }
    }

    /// <summary>Deletes up to one batch of unsent files past their day; how many went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var blobs = scope.ServiceProvider.GetRequiredService<IBlobStore>();
        var before = Clock.GetUtcNow() - KeptFor;
        // The files are written down with their rows' deletion: an instance stopped right after the commit leaves them
        // to the blob deletion retries, not in the bucket for good.
        List<string> keys;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            keys = await db
                .Database.SqlQuery<string>(
                    $"""
                    DELETE FROM attachments WHERE id IN (SELECT id FROM attachments
                        WHERE message_id IS NULL AND created_at < {before} LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                    RETURNING blob_key AS "Value"
                    """
                )
                .ToListAsync(cancellationToken);
            await db.Database.WriteDownAsync(keys, "an unsent attachment a day old", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await blobs.DeleteWrittenDownAsync(db.Database, keys, logger, cancellationToken);
        if (keys.Count > 0)
            logger.LogInformation("Deleted {Count} attachments uploaded a day ago and never sent", keys.Count);
        return keys.Count;
    }
}

/// <summary>
/// A deleted account's files never sent go with it: the rows now, the files written down in the same transaction
/// (<see cref="BlobDeletions"/>) and deleted after the commit. Written down, since the rows that name them are gone:
/// should the commit's follow-ups stop before this one's (another share's push failing, and the redelivery skipped by
/// the inbox), nothing else would ever find the files again; the blob deletion retries do.
/// </summary>
public sealed class UnsentAttachmentsEraser(
    MessagingDbContext db,
    IBlobStore blobs,
    ILogger<UnsentAttachmentsEraser> logger
) : IUserDataEraser
{
    private List<string> _keys = [];

    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        _keys = await db
            .Database.SqlQuery<string>(
                $"""
                DELETE FROM attachments WHERE uploader_id = {deleted.UserId} AND message_id IS NULL
                RETURNING blob_key AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        await db.Database.WriteDownAsync(_keys, "an unsent attachment of a deleted account", cancellationToken);
    }

    public Task ErasedAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        blobs.DeleteWrittenDownAsync(db.Database, _keys, logger, cancellationToken);
}
