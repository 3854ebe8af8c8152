using System.Globalization;
using System.Runtime.InteropServices;
using Community.LocalInfrastructure;
using Npgsql;

namespace Community.Events.Bench;

// The machine, the server's settings and the data a run measured, and the plans PostgreSQL chose.
public static partial class EventsBench
{
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static async Task DescribeEnvironmentAsync(NpgsqlDataSource dataSource, Report report, DateTimeOffset now)
    {
        report.Line(
            $"machine: {Environment.ProcessorCount} cores, "
                + $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, "
                + $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}"
        );
        await using var connection = await dataSource.OpenConnectionAsync();
        report.Line("postgres: " + await ScalarAsync<string>(connection, "SELECT version()"));
        string[] settings =
        [
            "shared_buffers",
            "effective_cache_size",
            "work_mem",
            "random_page_cost",
            "jit",
            "max_parallel_workers_per_gather",
        ];
        var values = new List<string>();
        foreach (var setting in settings)
            values.Add($"{setting}={await ScalarAsync<string>(connection, $"SELECT current_setting('{setting}')")}");
        report.Line("settings: " + string.Join(", ", values));

        await using var stats = new NpgsqlCommand(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE status = 'published' AND ends_at > @now),
                   count(*) FILTER (WHERE status = 'published' AND ends_at > @now AND visibility = 'public'),
                   count(*) FILTER (WHERE visibility = 'private'),
                   count(*) FILTER (WHERE price_cents > 0),
                   count(DISTINCT city)
            FROM community_events
            """,
            connection
        );
        stats.Parameters.AddWithValue("now", now);
        await using (var reader = await stats.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            report.Line(
                $"data: {reader.GetInt64(0):N0} events, {reader.GetInt64(1):N0} published and upcoming, "
                    + $"{reader.GetInt64(2):N0} of them public "
                    + $"(anonymous catalogue); {reader.GetInt64(3):N0} private, {reader.GetInt64(4):N0} paid, "
                    + $"{reader.GetInt64(5):N0} distinct cities"
            );
        }
        report.Line(
            $"      60% gaussian around {World.Cities.Length} world cities (sigma 8-40 km), 40% uniform over "
                + $"{World.LandBoxes.Length} land boxes; "
                + "starts 90% over the next 365 days, 10% in the last 60"
        );
        report.Line(
            "size: "
                + await ScalarAsync<string>(
                    connection,
                    """
                    SELECT 'table ' || pg_size_pretty(pg_table_size('community_events'))
                           || ', indexes ' || pg_size_pretty(pg_indexes_size('community_events'))
                           || ' (' || string_agg(
                                        indexrelid::regclass || ' ' || pg_size_pretty(pg_relation_size(indexrelid)),
                                        ', ' ORDER BY indexrelid::regclass::text) || ')'
                    FROM pg_index WHERE indrelid = 'community_events'::regclass
                    """
                )
        );
    }

    private static async Task<string> ExplainAsync(
        NpgsqlDataSource dataSource,
        CapturedCommand command,
        string? settings
    )
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        if (settings is not null)
            await using (var set = new NpgsqlCommand(settings, connection))
                await set.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + command.Sql, connection);
        foreach (var parameter in command.Parameters)
            explain.Parameters.Add(parameter.Clone());
        var lines = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                lines.Add(reader.GetString(0));
        }
        if (settings is not null)
            await using (var reset = new NpgsqlCommand("RESET ALL", connection))
                await reset.ExecuteNonQueryAsync();
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>One line per plan: its nodes outermost first, the execution time and the top node's buffers.</summary>
    private static string Summarise(string plan)
    {
        var lines = plan.Split(Environment.NewLine);
        var nodes = lines
            .Where((line, i) => i == 0 || line.TrimStart().StartsWith("->", StringComparison.Ordinal))
            .Select(line =>
            {
                var text = line.Trim().TrimStart('-', '>').Trim();
                var cost = text.IndexOf("  (cost=", StringComparison.Ordinal);
                if (cost < 0)
                    cost = text.IndexOf(" (cost=", StringComparison.Ordinal);
                var actual = text.IndexOf("(actual time=", StringComparison.Ordinal);
                var rows =
                    actual < 0
                        ? ""
                        : text[actual..]
                            .Split(' ')
                            .FirstOrDefault(part => part.StartsWith("rows=", StringComparison.Ordinal))
                            ?? "";
                return (cost < 0 ? text : text[..cost].Trim()) + (rows.Length > 0 ? $" [{rows}]" : "");
            });
        var execution =
            lines.FirstOrDefault(l => l.StartsWith("Execution Time", StringComparison.Ordinal))?.Trim() ?? "";
        var buffers =
            lines.Skip(1).FirstOrDefault(l => l.TrimStart().StartsWith("Buffers:", StringComparison.Ordinal))?.Trim()
            ?? "";
        return string.Join(" > ", nodes) + $"{Environment.NewLine}    {execution}; {buffers}";
    }

    private static async Task<long> SeededEventsAsync(PostgresServer server, string database)
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
        return await ScalarAsync<string>(connection, "SELECT to_regclass('community_events')::text") is null
            ? 0
            : await ScalarAsync<long>(connection, "SELECT count(*) FROM community_events");
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
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
