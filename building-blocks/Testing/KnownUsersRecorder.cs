using Npgsql;

namespace Community.Testing;

/// <summary>
/// Stands in for identity's UserRegistered where tests and benchmarks make their own users: each recorded user is
/// written to <c>known_users</c> (the services' list of users identity announced) of every database given, and
/// written again later to a database whose service had not created the table yet.
/// </summary>
public sealed class KnownUsersRecorder(Func<IReadOnlyList<string>> databases)
{
    private readonly HashSet<Guid> _users = [];
    private readonly Dictionary<string, HashSet<Guid>> _written = [];

    public KnownUsersRecorder(params string[] databases)
        : this(() => databases) { }

    public void Record(Guid userId)
    {
        lock (_users)
            _users.Add(userId);
        Flush();
    }

    /// <summary>Writes every recorded user each database lacks.</summary>
    public void Flush()
    {
        lock (_users)
            foreach (var database in databases())
            {
                var written = _written.TryGetValue(database, out var w) ? w : _written[database] = [];
                var missing = _users.Except(written).ToArray();
                if (missing.Length == 0)
                    continue;
                try
                {
                    using var connection = new NpgsqlConnection(database);
                    connection.Open();
                    using var command = new NpgsqlCommand(
                        "INSERT INTO known_users (user_id) SELECT unnest($1) ON CONFLICT DO NOTHING",
                        connection
                    );
                    command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = missing });
                    command.ExecuteNonQuery();
                    written.UnionWith(missing);
                }
                // Not migrated yet (its service is starting), or the database of a service without the table.
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable) { }
            }
    }
}
