using Microsoft.AspNetCore.DataProtection;

namespace Community.ServiceDefaults.Data;

/// <summary>
/// Secrets a service makes for itself on first use (sandbox webhook secrets, ticket keys) and keeps
/// in its own database, so every replica shares them and none is ever configured or committed.
/// They are stored encrypted with <see cref="SecretProtection"/>; a row written before encryption
/// existed (encrypted = false) is encrypted in place on first read.
/// The table has the columns (id integer primary key, secret bytea, encrypted boolean, created_at timestamptz); row 1
/// is the secret.
/// </summary>
public static class GeneratedSecrets
{
    /// <param name="table">A table name from the service's own migrations, never user input.</param>
    public static async Task<byte[]> GetOrCreateAsync(
        NpgsqlDataSource dataSource,
        IDataProtectionProvider protection,
        string table,
        Func<byte[]> fresh,
        CancellationToken cancellationToken
    )
    {
        var protector = protection.ForStoredSecret(table);
        // Two instances may race to create it; the loser's statement may not see the winner's row yet, so it asks
        // again.
        for (var attempt = 0; ; attempt++)
        {
            await using var command = dataSource.CreateCommand(
                $"""
                WITH created AS (
                    INSERT INTO {table} (id, secret, encrypted, created_at) VALUES (1, $1, true, now())
                    ON CONFLICT (id) DO NOTHING RETURNING secret, encrypted)
                SELECT secret, encrypted FROM created
                UNION ALL SELECT secret, encrypted FROM {table} WHERE id = 1 LIMIT 1
                """
            );
            command.Parameters.Add(new NpgsqlParameter { Value = protector.Protect(fresh()) });
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    var stored = (byte[])reader[0];
                    if (reader.GetBoolean(1))
                        return protector.UnprotectStored(stored, $"The secret in {table}");
                    await reader.CloseAsync();
                    await EncryptInPlaceAsync(dataSource, protector, table, stored, cancellationToken);
                    return stored;
                }
            }
            if (attempt == 3)
                throw new InvalidOperationException($"The secret in {table} could not be created or read.");
        }
    }

    // Only the plain row is replaced, so two replicas migrating at once write one encryption each of the same secret.
    private static async Task EncryptInPlaceAsync(
        NpgsqlDataSource dataSource,
        IDataProtector protector,
        string table,
        byte[] plain,
        CancellationToken cancellationToken
    )
    {
        await using var update = dataSource.CreateCommand(
            $"UPDATE {table} SET secret = $1, encrypted = true WHERE id = 1 AND NOT encrypted AND secret = $2"
        );
        update.Parameters.Add(new NpgsqlParameter { Value = protector.Protect(plain) });
        update.Parameters.Add(new NpgsqlParameter { Value = plain });
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
