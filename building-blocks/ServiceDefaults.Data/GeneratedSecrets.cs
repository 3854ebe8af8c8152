using Npgsql;

namespace Community.ServiceDefaults.Data;

/// <summary>
/// Secrets a service makes for itself on first use (signing keys, sandbox webhook secrets) and keeps
/// in its own database, so every replica shares them and none is ever configured or committed.
/// The table has the columns (id integer primary key, secret, created_at timestamptz); row 1 is the secret.
/// </summary>
public static class GeneratedSecrets
{
    /// <param name="table">A table name from the service's own migrations, never user input.</param>
    public static async Task<T> GetOrCreateAsync<T>(NpgsqlDataSource dataSource, string table, Func<T> fresh, CancellationToken cancellationToken)
        where T : class
    {
        // Two instances may race to create it; the loser's statement may not see the winner's row yet, so it asks again.
        for (var attempt = 0; ; attempt++)
        {
            await using var command = dataSource.CreateCommand(
                $"""
                WITH created AS (
                    INSERT INTO {table} (id, secret, created_at) VALUES (1, $1, now())
                    ON CONFLICT (id) DO NOTHING RETURNING secret)
                SELECT secret FROM created UNION ALL SELECT secret FROM {table} WHERE id = 1 LIMIT 1
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = fresh() });
            if (await command.ExecuteScalarAsync(cancellationToken) is T secret) return secret;
            if (attempt == 3) throw new InvalidOperationException($"The secret in {table} could not be created or read.");
        }
    }
}
