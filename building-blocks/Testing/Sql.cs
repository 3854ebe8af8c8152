using Npgsql;

namespace Community.Testing;

/// <summary>
/// Direct SQL against a service's test database: to arrange state and to check what the service wrote.
/// </summary>
public static class Sql
{
    public static async Task ExecuteAsync(
        string connectionString,
        string sql,
        params (string Name, object Value)[] parameters
    )
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(
        string connectionString,
        string sql,
        params (string Name, object Value)[] parameters
    )
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull
            ? default
            : (T)Convert.ChangeType(result, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T));
    }

    /// <summary>
    /// Runs <paramref name="check"/> while a transaction of the test's own has run <paramref name="write"/> and not
    /// committed (as a commit whose answer was lost and that is not visible yet), commits it a moment later, and
    /// returns whether the check was still waiting then, and its answer.
    /// </summary>
    public static async Task<(bool Waited, T Answer)> CheckDuringWriteAsync<T>(
        string connectionString,
        string write,
        (string Name, object Value)[] parameters,
        Func<Task<T>> check
    )
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = Command(connection, write, parameters))
        {
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync();
        }
        var checking = check();
        await Task.WhenAny(checking, Task.Delay(TimeSpan.FromMilliseconds(500)));
        var waited = !checking.IsCompleted;
        await transaction.CommitAsync();
        return (waited, await checking);
    }

    /// <summary>
    /// How many integration events of this type (its class name) the service has written to its outbox.
    /// </summary>
    public static Task<long> OutboxCountAsync(string connectionString, string eventType) =>
        ScalarAsync<long>(
            connectionString,
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%'",
            ("type", eventType)
        );

    private static NpgsqlCommand Command(
        NpgsqlConnection connection,
        string sql,
        (string Name, object Value)[] parameters
    )
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }
}
