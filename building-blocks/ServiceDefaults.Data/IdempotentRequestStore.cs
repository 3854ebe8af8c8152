using Community.ServiceDefaults.Api;
using Microsoft.Extensions.Logging;
using NpgsqlTypes;

namespace Community.ServiceDefaults.Data;

/// <summary>The <c>idempotent_requests</c> table (platform migration 0005), written with the service's clock.</summary>
public sealed class IdempotentRequestStore(NpgsqlDataSource dataSource, TimeProvider clock) : IIdempotentRequestStore
{
    public async Task<IdempotentClaim> ClaimAsync(
        Guid userId,
        string key,
        byte[] fingerprint,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetUtcNow();
            // A new key, an expired one, or the same request's abandoned claim is taken; anything else is read.
            await using (
                var claim = dataSource.CreateCommand(
                    """
                    INSERT INTO idempotent_requests AS r (user_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (user_id, key) DO UPDATE SET
                        fingerprint = excluded.fingerprint, created_at = excluded.created_at,
                        status_code = NULL, content_type = NULL, location = NULL, etag = NULL, body = NULL
                    WHERE r.created_at < $5
                       OR (r.status_code IS NULL AND r.created_at < $6 AND r.fingerprint = excluded.fingerprint)
                    RETURNING created_at
                    """
                )
            )
            {
                AddKey(claim, userId, key);
                claim.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = fingerprint });
                foreach (
                    var at in new[]
                    {
                        now,
                        now - IdempotentRequests.Retention,
                        now - IdempotentRequests.InProgressLease,
                    }
                )
                    claim.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
                if (await claim.ExecuteScalarAsync(cancellationToken) is DateTime claimedAt)
                    return new IdempotentClaim(IdempotentClaimOutcome.Claimed, ClaimedAt: claimedAt);
            }

            await using var read = dataSource.CreateCommand(
                """
                SELECT fingerprint, status_code, content_type, location, etag, body
                FROM idempotent_requests WHERE user_id = $1 AND key = $2
                """
            );
            AddKey(read, userId, key);
            await using var row = await read.ExecuteReaderAsync(cancellationToken);
            // Released between the two statements: claim again (a third miss is a request racing in a loop: in
            // progress).
            if (!await row.ReadAsync(cancellationToken))
            {
                if (attempt < 2)
                    continue;
                return new IdempotentClaim(IdempotentClaimOutcome.InProgress);
            }
            if (!row.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(fingerprint))
                return new IdempotentClaim(IdempotentClaimOutcome.OtherRequest);
            if (row.IsDBNull(1))
                return new IdempotentClaim(IdempotentClaimOutcome.InProgress);
            return new IdempotentClaim(
                IdempotentClaimOutcome.Completed,
                new StoredResponse(
                    row.GetInt32(1),
                    Text(row, 2),
                    Text(row, 3),
                    Text(row, 4),
                    row.GetFieldValue<byte[]>(5)
                )
            );
        }
    }

    public async Task CompleteAsync(
        Guid userId,
        string key,
        StoredResponse response,
        CancellationToken cancellationToken
    )
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE idempotent_requests SET status_code = $3, content_type = $4, location = $5, etag = $6, body = $7
            WHERE user_id = $1 AND key = $2 AND status_code IS NULL
            """
        );
        AddKey(command, userId, key);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = response.StatusCode });
        foreach (var text in new[] { response.ContentType, response.Location, response.ETag })
            command.Parameters.Add(
                new NpgsqlParameter { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text }
            );
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = response.Body });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(
        Guid userId,
        string key,
        DateTimeOffset claimedAt,
        CancellationToken cancellationToken
    )
    {
        await using var command = dataSource.CreateCommand(
            """
            DELETE FROM idempotent_requests
            WHERE user_id = $1 AND key = $2 AND created_at = $3 AND status_code IS NULL
            """
        );
        AddKey(command, userId, key);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = claimedAt });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the keys older than <see cref="IdempotentRequests.Retention"/>; answers how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM idempotent_requests WHERE created_at < $1");
        var before = clock.GetUtcNow() - IdempotentRequests.Retention;
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = before });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string? Text(NpgsqlDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    private static void AddKey(NpgsqlCommand command, Guid userId, string key)
    {
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
    }
}

/// <summary>Removes idempotency keys past their 24 h, at start and hourly.</summary>
public sealed class IdempotentRequestSweeper(
    IdempotentRequestStore store,
    TimeProvider clock,
    ILogger<IdempotentRequestSweeper> logger
) : PeriodicSweep(clock, logger)
{
    protected override TimeSpan Every { get; } = TimeSpan.FromHours(1);

    protected override string FailureMessage => "Sweeping expired idempotency keys failed; trying again in an hour";

    protected override async Task RunRoundAsync(CancellationToken stoppingToken)
    {
        var removed = await store.SweepAsync(stoppingToken);
        if (removed > 0)
            logger.LogInformation("Removed {Count} expired idempotency keys", removed);
    }
}
