using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Blobs whose rows a transaction deletes, written down in <c>blob_deletions</c> by that same transaction: once it
/// commits, <see cref="BlobDeletionRetries"/> deletes them even if nothing after the commit runs (a fault, a crash, a
/// redelivery the inbox skips), and the rows that named them are gone, so nothing else could find them again. Rolled
/// back, nothing is written down and the blobs stay with their rows.
/// </summary>
public static class BlobDeletions
{
    /// <summary>
    /// Writes <paramref name="keys"/> down, due at once, in <paramref name="database"/>'s current transaction (run
    /// it in the one that deletes their rows); <paramref name="reason"/> is what the table shows until they go.
    /// </summary>
    public static Task WriteDownAsync(
        this DatabaseFacade database,
        IReadOnlyCollection<string> keys,
        string reason,
        CancellationToken cancellationToken
    ) =>
        keys.Count == 0
            ? Task.CompletedTask
            : database.ExecuteSqlRawAsync(
                BlobDeletionRetries.WriteDownSql,
                BlobDeletionRetries.WriteDownParameters(keys, TimeSpan.Zero, 0, reason),
                cancellationToken
            );

    /// <summary>
    /// After the commit, the quick way: deletes <paramref name="keys"/> (written down by
    /// <see cref="WriteDownAsync"/>) now and crosses off those gone, so the retries have nothing left to do; a key
    /// whose delete fails stays written down for them. Best effort, never throws: should the crossing off fail, the
    /// retries delete keys already gone, which changes nothing.
    /// </summary>
    public static async Task DeleteWrittenDownAsync(
        this IBlobStore blobs,
        DatabaseFacade database,
        IReadOnlyCollection<string> keys,
        ILogger logger,
        CancellationToken cancellationToken
    )
    {
        var gone = new List<string>(keys.Count);
        foreach (var key in keys)
            try
            {
                await blobs.DeleteAsync(key, cancellationToken);
                gone.Add(key);
            }
            catch (Exception e)
            {
                logger.LogInformation(
                    "Could not delete blob {BlobKey} ({Reason}); it is deleted again later",
                    key,
                    BucketOutage.Reason(e)
                );
            }
        if (gone.Count == 0)
            return;
        try
        {
            await database.ExecuteSqlRawAsync(
                "DELETE FROM blob_deletions WHERE key = ANY(@keys)",
                [new NpgsqlParameter("keys", gone.ToArray())],
                cancellationToken
            );
        }
        catch (Exception e)
        {
            logger.LogInformation(
                "Deleted {Count} blobs but could not cross them off ({Reason}); the retries find them gone",
                gone.Count,
                e.Message
            );
        }
    }
}
