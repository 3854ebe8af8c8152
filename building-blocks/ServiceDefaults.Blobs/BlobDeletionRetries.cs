using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// The blobs whose delete failed after their rows were gone, kept in the service's <c>blob_deletions</c> table and
/// deleted again every <see cref="BlobStoreOptions.DeleteRetryEvery"/>, each less often the longer it fails (up to
/// hourly), until it goes. Every instance retries; a key is taken by one at a time. A service without a database
/// writes nothing down.
/// </summary>
public sealed class BlobDeletionRetries(
    IServiceProvider services,
    IOptions<BlobStoreOptions> options,
    ILogger<BlobDeletionRetries> logger
) : BackgroundService
{
    private const int Batch = 50;

    // A key still failing after this many attempts is an operator's matter: the store refuses it, not only a blip.
    private const int WarnAfterAttempts = 6;

    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    // One delete's longest wait for the store; a batch's keys are leased for longer than all of them take.
    private static readonly TimeSpan DeleteTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lease = DeleteTimeout * (Batch + 10);

    private NpgsqlDataSource? DataSource => services.GetService<NpgsqlDataSource>();

    /// <summary>
    /// The one statement that writes keys down (@keys, a text array): each due after @wait, with @attempts failed
    /// attempts behind it and @error as the reason. A key written down already keeps its place and its count.
    /// </summary>
    internal const string WriteDownSql =
        "INSERT INTO blob_deletions (key, next_attempt_at, attempts, last_error) "
        + "SELECT k, now() + @wait, @attempts, @error FROM unnest(@keys) AS k ON CONFLICT (key) DO NOTHING";

    internal static NpgsqlParameter[] WriteDownParameters(
        IEnumerable<string> keys,
        TimeSpan wait,
        int attempts,
        string error
    ) => [new("keys", keys.ToArray()), new("wait", wait), new("attempts", attempts), new("error", error)];

    /// <summary>Writes <paramref name="key"/> down to be deleted again; false when it could not be.</summary>
    public async Task<bool> RecordAsync(string key, string error)
    {
        if (DataSource is not { } dataSource)
            return false;
        try
        {
            await using var insert = dataSource.CreateCommand(WriteDownSql);
            insert.Parameters.AddRange(WriteDownParameters([key], options.Value.DeleteRetryEvery, 1, error));
            await insert.ExecuteNonQueryAsync();
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not write down blob {BlobKey} to delete it again", key);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (DataSource is null)
            return;
        using var timer = new PeriodicTimer(options.Value.DeleteRetryEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            try
            {
                await RetryDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database out of reach: its health check says so; the keys wait in the table.
                logger.LogInformation("Blob deletions were not retried this time: {Reason}", e.Message);
            }
    }

    /// <summary>
    /// Deletes the blobs whose next attempt is due, a batch a pass. The batch is claimed in one statement that moves
    /// each key's next attempt a lease ahead (so another instance, or this one after a crash, takes it only then), and
    /// each blob is deleted outside any transaction: a store that hangs holds no lock and no connection.
    /// </summary>
    private async Task RetryDueAsync(CancellationToken cancellationToken)
    {
        var blobs = services.GetRequiredService<IBlobStore>();
        var dataSource = DataSource!;
        var due = new List<(string Key, int Attempts, DateTime FirstFailedAt)>();
        await using (
            var claim = dataSource.CreateCommand(
                "UPDATE blob_deletions SET next_attempt_at = now() + $1 WHERE key IN ("
                    + "SELECT key FROM blob_deletions WHERE next_attempt_at <= now() "
                    + $"ORDER BY next_attempt_at LIMIT {Batch} FOR UPDATE SKIP LOCKED) "
                    + "RETURNING key, attempts, first_failed_at"
            )
        )
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = Lease });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                due.Add((reader.GetString(0), reader.GetInt32(1), reader.GetDateTime(2)));
        }
        foreach (var (key, attempts, firstFailedAt) in due)
        {
            await using var done = dataSource.CreateCommand();
            done.Parameters.Add(new NpgsqlParameter { Value = key });
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(DeleteTimeout);
                await blobs.DeleteAsync(key, timeout.Token);
                done.CommandText = "DELETE FROM blob_deletions WHERE key = $1";
                logger.LogInformation("Deleted blob {BlobKey} after {Attempts} failed attempts", key, attempts);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                done.CommandText =
                    "UPDATE blob_deletions SET attempts = attempts + 1, next_attempt_at = now() + $2, last_error = $3 "
                    + "WHERE key = $1";
                done.Parameters.Add(new NpgsqlParameter { Value = Wait(attempts) });
                done.Parameters.Add(new NpgsqlParameter { Value = BucketOutage.Reason(e) });
                if (attempts + 1 == WarnAfterAttempts)
                    logger.LogWarning(
                        e,
                        "Blob {BlobKey} has not been deleted in {Attempts} attempts since {FirstFailedAt:u}; tried "
                            + "again up to hourly",
                        key,
                        attempts + 1,
                        firstFailedAt
                    );
            }
            await done.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // Doubling from the retry interval after each failure, up to an hour.
    private TimeSpan Wait(int attempts) =>
        TimeSpan.FromTicks(
            Math.Min(options.Value.DeleteRetryEvery.Ticks * (1L << Math.Min(attempts, 20)), LongestWait.Ticks)
        );
}

/// <summary>
/// The service's blob store (<see cref="Inner"/>): failed deletes are written down (<see cref="BlobDeletionRetries"/>).
/// </summary>
public sealed class RetriedDeletes(IBlobStore inner, BlobDeletionRetries retries) : IBlobStore, IDisposable
{
    /// <summary>The folder or bucket itself.</summary>
    public IBlobStore Inner { get; } = inner;

    public Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken) =>
        Inner.PutAsync(key, content, contentType, cancellationToken);

    public Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Inner.OpenReadAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        Inner.DeleteAsync(key, cancellationToken);

    public Task<bool> DeleteLaterAsync(string key, string error) => retries.RecordAsync(key, error);

    public string? PublicUrl(string key) => Inner.PublicUrl(key);

    // The container disposes what it made, this wrapper: the bucket's client goes with it.
    public void Dispose() => (Inner as IDisposable)?.Dispose();
}
