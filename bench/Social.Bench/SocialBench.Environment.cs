using System.Globalization;
using Community.Events.Bench;
using Community.LocalInfrastructure;
using Npgsql;

namespace Community.Social.Bench;

// The machine, the server's settings and the data a run measured, and the plans PostgreSQL chose.
public static partial class SocialBench
{
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static async Task DescribeEnvironmentAsync(
        NpgsqlDataSource dataSource,
        Action<string> line,
        DateTimeOffset now
    )
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        line($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        line("postgres: " + await ScalarAsync<string>(connection, "SELECT version()"));
        line(
            "settings: "
                + await ScalarAsync<string>(
                    connection,
                    """
                    SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings
                    WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'jit',
                                   'max_parallel_workers_per_gather')
                    """
                )
        );
        await using (
            var stats = new NpgsqlCommand(
                """
                SELECT count(*), count(*) FILTER (WHERE boosted_until > @now), count(DISTINCT region),
                       (SELECT count(*) FROM connections), (SELECT count(*) FROM follows), (SELECT count(*) FROM blocks)
                FROM user_profiles
                """,
                connection
            )
        )
        {
            stats.Parameters.AddWithValue("now", now);
            await using var reader = await stats.ExecuteReaderAsync();
            await reader.ReadAsync();
            line(
                $"data: {reader.GetInt64(0):N0} profiles ({reader.GetInt64(1):N0} boosted now) in "
                    + $"{reader.GetInt64(2)} regions; "
                    + $"{reader.GetInt64(3):N0} connections, {reader.GetInt64(4):N0} follows, "
                    + $"{reader.GetInt64(5):N0} blocks"
            );
        }
        line(
            $"      regions and interests Zipf-distributed ({Population.Regions.Length} regions, "
                + $"{Population.Interests.Length} interests, 1-5 each); "
                + "80% free, 15% premium, 5% elite; 0.5% boosted now"
        );
        line(
            "size: "
                + await ScalarAsync<string>(
                    connection,
                    """
                    SELECT string_agg(
                               c.relname || ' ' || pg_size_pretty(pg_table_size(c.oid))
                               || ' + indexes ' || pg_size_pretty(pg_indexes_size(c.oid)),
                               ', ' ORDER BY c.relname)
                    FROM pg_class c
                    WHERE c.relname IN ('user_profiles', 'discovery_entries', 'discovery_pairs', 'discovery_regions',
                                        'connections', 'follows', 'blocks')
                      AND c.relkind = 'r'
                    """
                )
        );
    }

    private static async Task<string> ExplainAsync(NpgsqlDataSource dataSource, CapturedCommand command)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + command.Sql, connection);
        foreach (var parameter in command.Parameters)
            explain.Parameters.Add(parameter.Clone());
        var lines = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                lines.Add(reader.GetString(0));
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static async Task<long> SeededProfilesAsync(PostgresServer server, string database)
    {
        await using var admin = new NpgsqlConnection(server.AdminConnectionString);
        await admin.OpenAsync();
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin))
        {
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync() is null)
                return 0;
        }
        await using var connection = new NpgsqlConnection(server.ConnectionStringFor(database));
        await connection.OpenAsync();
        return await ScalarAsync<string>(connection, "SELECT to_regclass('user_profiles')::text") is null
            ? 0
            : await ScalarAsync<long>(connection, "SELECT count(*) FROM user_profiles");
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull
            ? default
            : (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }
}
