using System.Data;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Community.ServiceDefaults.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Data;

/// <summary>
/// Applies versioned SQL files (embedded resources named Migrations/NNNN_name.sql) at start-up.
/// A PostgreSQL advisory lock serialises replicas starting together; each file runs in its own
/// transaction with its bookkeeping row, and a file changed after it was applied stops the start.
/// A file waits at most <see cref="LockTimeout"/> for each table lock, then rolls back and tries again after a pause:
/// during a rolling deploy, an ALTER TABLE queued behind an old pod's long transaction would otherwise hold up every
/// query of the running pods on that table for as long as it waits. A file still refused a lock
/// <see cref="MaxLockWait"/> after its first attempt began fails the start, naming the sessions whose transactions
/// are older than that, rather than running into the start-up probe.
/// </summary>
public sealed class SchemaMigrator(
    NpgsqlDataSource dataSource,
    IEnumerable<MigrationSource> sources,
    ILogger<SchemaMigrator> logger
) : IHostedService
{
    private const long AdvisoryLockKey = 0x436F6D6D756E; // "Commun"

    /// <summary>How long a migration's statement waits for a lock before the file is rolled back and retried.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between attempts (they start at a second and double).</summary>
    public TimeSpan MaxRetryPause { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long after a file's first attempt began a refused lock fails the start (its attempts' work counts too; below
    /// the 5 minutes the Kubernetes start-up probe allows a service with a database, so the pod's log says why).
    /// </summary>
    public TimeSpan MaxLockWait { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Waiting longer than this in all is logged as a warning: a session holds a lock an operator should see.
    /// </summary>
    private static readonly TimeSpan WarnAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a start waits for a database out of reach (a failover, a restart, pods up before it) before it fails;
    /// below the start-up probe's 5 minutes, so the pod's log says why rather than a crash loop's back-off.
    /// </summary>
    public TimeSpan MaxDatabaseWait { get; init; } = TimeSpan.FromMinutes(4);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await TakeTheLockAsync(connection, cancellationToken);
        try
        {
            await Execute(
                connection,
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    scope text NOT NULL, version text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope, version))
                """,
                cancellationToken
            );
            foreach (var source in sources)
            foreach (var migration in source.Load())
                await ApplyAsync(connection, source.Scope, migration, cancellationToken);
        }
        finally
        {
            // A connection a fault broke (a failover, the session terminated) took its session's lock with it:
            // unlocking there would throw, and hide the fault that says which file failed and why.
            if (connection.FullState == ConnectionState.Open)
                await Execute(
                    connection,
                    "SELECT pg_advisory_unlock(@key)",
                    CancellationToken.None,
                    ("key", AdvisoryLockKey)
                );
        }
    }

    /// <summary>A connection, waiting out a database out of reach for up to <see cref="MaxDatabaseWait"/>.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        for (
            var pause = TimeSpan.FromSeconds(1);
            ;
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxRetryPause.Ticks))
        )
            try
            {
                return await dataSource.OpenConnectionAsync(cancellationToken);
            }
            catch (Exception e)
                when ((DatabaseFaults.IsUnreachable(e) || DatabaseFaults.IsTransient(e))
                    && waited.Elapsed + pause < MaxDatabaseWait
                )
            {
                logger.LogWarning(
                    "The database is out of reach ({Reason}); migrations wait and try again in {Pause} s",
                    e.Message,
                    pause.TotalSeconds
                );
                await Task.Delay(pause, cancellationToken);
            }
    }

    /// <summary>
    /// The migrations' lock, waited for as long as another instance holds it (a long file, or its own lock retries for
    /// up to <see cref="MaxLockWait"/>): not the connection's command timeout, which failed a replica starting beside
    /// it after 30 s. The start-up probe bounds the wait.
    /// </summary>
    private async Task TakeTheLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var attempt = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection))
        {
            attempt.Parameters.AddWithValue("key", AdvisoryLockKey);
            if ((bool)(await attempt.ExecuteScalarAsync(cancellationToken))!)
                return;
        }
        logger.LogInformation("Waiting for another instance to finish its migrations");
        await using var wait = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection) { CommandTimeout = 0 };
        wait.Parameters.AddWithValue("key", AdvisoryLockKey);
        await wait.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ApplyAsync(
        NpgsqlConnection connection,
        string scope,
        Migration migration,
        CancellationToken cancellationToken
    )
    {
        await using (
            var check = new NpgsqlCommand(
                "SELECT checksum FROM schema_migrations WHERE scope = @scope AND version = @version",
                connection
            )
        )
        {
            check.Parameters.AddWithValue("scope", scope);
            check.Parameters.AddWithValue("version", migration.Version);
            if (await check.ExecuteScalarAsync(cancellationToken) is string applied)
            {
                if (applied != migration.Checksum)
                    throw new InvalidOperationException(
                        $"Migration {scope}/{migration.Version} was changed after it was "
                            + "applied; add a new migration instead."
                    );
                return;
            }
        }

        var started = TimeProvider.System.GetTimestamp();
        var pause = TimeSpan.FromSeconds(1);
        var warned = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyOnceAsync(connection, scope, migration, cancellationToken);
                logger.LogInformation("Applied migration {Scope}/{Version}", scope, migration.Version);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                var waited = TimeProvider.System.GetElapsedTime(started);
                if (waited + pause >= MaxLockWait)
                    throw new InvalidOperationException(
                        $"Migration {scope}/{migration.Version} waited {waited.TotalSeconds:0} s for table locks "
                            + $"({attempt} attempts) and gives up; sessions with older transactions: "
                            + $"{await OldTransactionsAsync(connection, waited, cancellationToken)}",
                        e
                    );
                if (waited >= WarnAfter && !warned)
                {
                    warned = true;
                    logger.LogWarning(
                        "Migration {Scope}/{Version} has waited {Seconds:0} s for table locks ({Attempts} attempts); "
                            + "sessions with older transactions: {Sessions}. Still trying",
                        scope,
                        migration.Version,
                        waited.TotalSeconds,
                        attempt,
                        await OldTransactionsAsync(connection, waited, cancellationToken)
                    );
                }
                else
                    logger.LogInformation(
                        "Migration {Scope}/{Version} did not get a table lock within {Timeout} ms (attempt {Attempt}); "
                            + "it is rolled back and tried again in {Pause} s",
                        scope,
                        migration.Version,
                        LockTimeout.TotalMilliseconds,
                        attempt,
                        pause.TotalSeconds
                    );
                await Task.Delay(pause, cancellationToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxRetryPause.Ticks));
            }
        }
    }

    private async Task ApplyOnceAsync(
        NpgsqlConnection connection,
        string scope,
        Migration migration,
        CancellationToken cancellationToken
    )
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Only waiting for a lock is bounded; the statements themselves run as long as they take.
        await using (
            var timeout = new NpgsqlCommand(
                $"SET LOCAL lock_timeout = {(long)Math.Ceiling(LockTimeout.TotalMilliseconds)}",
                connection,
                transaction
            )
        )
            await timeout.ExecuteNonQueryAsync(cancellationToken);
        // No command timeout: a migration that fills a table from a large one (social 0012 at a million profiles) runs
        // as long as it takes, before the service serves.
        await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction) { CommandTimeout = 0 })
            await apply.ExecuteNonQueryAsync(cancellationToken);
        await using (
            var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (scope, version, checksum) VALUES (@scope, @version, @checksum)",
                connection,
                transaction
            )
        )
        {
            record.Parameters.AddWithValue("scope", scope);
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("checksum", migration.Checksum);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The database's other sessions whose transactions began more than <paramref name="age"/> ago: whoever holds
    /// the lock the migration waits for is among them (pid, application, state, seconds open).
    /// </summary>
    private static async Task<string> OldTransactionsAsync(
        NpgsqlConnection connection,
        TimeSpan age,
        CancellationToken cancellationToken
    )
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT pid, coalesce(nullif(application_name, ''), '-'), coalesce(state, '-'),
                   floor(extract(epoch FROM now() - xact_start))::bigint
            FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND xact_start < now() - make_interval(secs => @seconds)
            ORDER BY xact_start
            LIMIT 5
            """,
            connection
        );
        command.Parameters.AddWithValue("seconds", age.TotalSeconds);
        var sessions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            sessions.Add(
                $"pid {reader.GetInt32(0)} ({reader.GetString(1)}, {reader.GetString(2)}, {reader.GetInt64(3)} s)"
            );
        return sessions.Count == 0 ? "none any more" : string.Join("; ", sessions);
    }

    private static async Task Execute(
        NpgsqlConnection connection,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters
    )
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed record Migration(string Version, string Sql, string Checksum);

/// <summary>The embedded Migrations/*.sql files of one assembly, applied in file-name order under one scope.</summary>
public sealed record MigrationSource(string Scope, Assembly Assembly)
{
    public IEnumerable<Migration> Load() =>
        Assembly
            .GetManifestResourceNames()
            .Where(name =>
                name.Contains(".Migrations.", StringComparison.Ordinal)
                && name.EndsWith(".sql", StringComparison.Ordinal)
            )
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = Assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                var sql = reader.ReadToEnd();
                var version = name[
                    (name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length
                ];
                return new Migration(
                    version,
                    sql,
                    Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))))
                );
            });
}
