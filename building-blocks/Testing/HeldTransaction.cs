using Npgsql;

namespace Community.Testing;

/// <summary>
/// A statement run in a transaction of the test's own, on a connection of its own, and held there: another request's
/// write under way, holding its rows (or a unique key it inserted) while what is under test meets them. It ends when
/// committed, rolled back, or disposed (rolled back).
/// </summary>
public sealed class HeldTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private bool _ended;

    private HeldTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        (_connection, _transaction) = (connection, transaction);

    public static async Task<HeldTransaction> BeginAsync(
        string connectionString,
        string sql,
        params (string Name, object Value)[] parameters
    )
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var (name, value) in parameters)
                command.Parameters.AddWithValue(name, value);
            await command.ExecuteNonQueryAsync();
            return new HeldTransaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task CommitAsync() => EndAsync(commit: true);

    public Task RollbackAsync() => EndAsync(commit: false);

    public async ValueTask DisposeAsync() => await EndAsync(commit: false);

    private async Task EndAsync(bool commit)
    {
        if (_ended)
            return;
        _ended = true;
        if (commit)
            await _transaction.CommitAsync();
        else
            await _transaction.RollbackAsync();
        await _connection.DisposeAsync();
    }
}
