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

    private NpgsqlDataSource? DataSource => services.GetService<NpgsqlDataSource>();

    /// <summary>Writes <paramref name="key"/> down to be deleted again; false when it could not be.</summary>
    public async Task<bool> RecordAsync(string key, string error)
    {
        if (DataSource is not { } dataSource)
            return false;
        try
        {
            await using var insert = dataSource.CreateCommand(
                "INSERT INTO blob_deletions (key, next_attempt_at, last_error) VALUES ($1, now() + $2, $3) "
                    + "ON CONFLICT (key) DO NOTHING"
            );
            insert.Parameters.Add(new NpgsqlParameter { Value = key });
            insert.Parameters.Add(new NpgsqlParameter { Value = options.Value.DeleteRetryEvery });
            insert.Parameters.Add(new NpgsqlParameter { Value = error });
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

    /// <summary>Deletes the blobs whose next attempt is due, a batch a pass, each key held by one instance.</summary>
    private async Task RetryDueAsync(CancellationToken cancellationToken)
    {
        var blobs = services.GetRequiredService<IBlobStore>();
        await using var connection = await DataSource!.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<(string Key, int Attempts, DateTime FirstFailedAt)>();
        await using (
            var select = new NpgsqlCommand(
                "SELECT key, attempts, first_failed_at FROM blob_deletions WHERE next_attempt_at <= now() "
                    + $"ORDER BY next_attempt_at LIMIT {Batch} FOR UPDATE SKIP LOCKED",
                connection,
                transaction
            )
        )
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                due.Add((reader.GetString(0), reader.GetInt32(1), reader.GetDateTime(2)));
        foreach (var (key, attempts, firstFailedAt) in due)
        {
            await using var done = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            done.Parameters.Add(new NpgsqlParameter { Value = key });
            try
            {
                await blobs.DeleteAsync(key, cancellationToken);
                done.CommandText = "DELETE FROM blob_deletions WHERE key = $1";
                logger.LogInformation("Deleted blob {BlobKey} after {Attempts} failed attempts", key, attempts);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                done.CommandText =
                    "UPDATE blob_deletions SET attempts = attempts + 1, next_attempt_at = now() + $2, last_error = $3 "
                    + "WHERE key = $1";
                done.Parameters.Add(new NpgsqlParameter { Value = Wait(attempts) });
                done.Parameters.Add(new NpgsqlParameter { Value = e.Message });
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
        await transaction.CommitAsync(cancellationToken);
    }

    // Doubling from the retry interval after each failure, up to an hour.
    private TimeSpan Wait(int attempts) =>
        TimeSpan.FromTicks(
            Math.Min(options.Value.DeleteRetryEvery.Ticks * (1L << Math.Min(attempts, 20)), LongestWait.Ticks)
        );
}

/// <summary>The service's blob store: failed deletes are written down (<see cref="BlobDeletionRetries"/>).</summary>
internal sealed class RetriedDeletes(IBlobStore inner, BlobDeletionRetries retries) : IBlobStore
{
    public Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken) =>
        inner.PutAsync(key, content, contentType, cancellationToken);

    public Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        inner.DeleteAsync(key, cancellationToken);

    public Task<bool> DeleteLaterAsync(string key, string error) => retries.RecordAsync(key, error);

    public string? PublicUrl(string key) => inner.PublicUrl(key);
}
