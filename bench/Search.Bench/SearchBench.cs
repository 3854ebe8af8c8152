using System.Diagnostics;
using System.Text;
using Community.Contracts;
using Community.Events.Bench;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Data;
using Community.Social.Data;
using Community.Social.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Community.Search.Bench;

/// <summary>
/// Semantic search's vector store at 100,000 profiles: synthetic clustered embeddings (fixed seed) in
/// search_documents, then recall@10 against exact search and latency per query for the store the service uses
/// (<see cref="SemanticSearch.NearestAsync"/>: an exact scan with cube's distance) and the alternatives measured: a
/// cube GiST kNN index, an in-process exact scan of a memory copy, and a small in-process IVF index. Prints figures,
/// asserts nothing.
/// </summary>
public static class SearchBench
{
    private const int K = 10;
    private const int Topics = 1000;

    private const string Usage = """
        usage: run-search.sh [options]
          --profiles N    profiles to seed (default 100000)
          --runs N        measured queries per store (default 200; slow ones stop after --budget)
          --budget S      seconds one store may be measured for (default 60)
          --database NAME database to seed (default search_bench)
          --seed N        random seed of the generated data (default 42)
          --out DIR       where the report goes (default <repo>/bench/results)
          --help          this text
        Uses COMMUNITY_POSTGRES when set, otherwise a private PostgreSQL in <repo>/.local/bench (kept between runs).
        Dimensions: SEARCH_BENCH_DIMENSIONS (default 64; cube allows at most 100).
        """;

    public static async Task<int> Main(string[] args)
    {
        if (
            BenchOptions.Read(
                args,
                "--profiles",
                1_000,
                new BenchOptions { Database = "search_bench", Count = 100_000 },
                Usage,
                out var exitCode
            )
            is not { } options
        )
            return exitCode;
        var dimensions = int.TryParse(Environment.GetEnvironmentVariable("SEARCH_BENCH_DIMENSIONS"), out var d)
            ? Math.Clamp(d, 2, SearchEmbeddingOptions.MaxDimensions)
            : 64;

        var root = RepositoryRoot.Find();
        static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
        await using var server = await BenchPostgres.StartAsync(root, Log);
        var stamp = DateTimeOffset.UtcNow;
        var report = new StringBuilder();
        void Line(string line = "")
        {
            report.AppendLine(line);
            Console.Out.WriteLine(line);
        }
        await RunAsync(server, options, dimensions, Line, stamp, Log);
        var folder = options.OutputFolder ?? Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(folder);
        var dated = Path.Combine(folder, $"search-{stamp:yyyyMMdd-HHmmss}.txt");
        await File.WriteAllTextAsync(dated, report.ToString());
        await File.WriteAllTextAsync(Path.Combine(folder, "search-latest.txt"), report.ToString());
        Log($"report written to {dated} and search-latest.txt beside it");
        return 0;
    }

    private static async Task RunAsync(
        PostgresServer server,
        BenchOptions options,
        int dimensions,
        Action<string> line,
        DateTimeOffset stamp,
        Action<string> log
    )
    {
        await server.DropDatabaseAsync(options.Database);
        var connectionString = await server.CreateDatabaseAsync(options.Database);
        await using var dataSource = new NpgsqlDataSourceBuilder(DatabaseSetup.WithConnectionDefaults(connectionString))
        {
            Name = "search-bench",
        }.Build();
        await new SchemaMigrator(
            dataSource,
            [
                new MigrationSource("platform", typeof(DatabaseSetup).Assembly),
                new MigrationSource(ResourceNames.Social, typeof(SocialDbContext).Assembly),
            ],
            NullLogger<SchemaMigrator>.Instance
        ).StartAsync(CancellationToken.None);

        log($"generating {options.Count:N0} embeddings of {dimensions} dimensions around {Topics} topics");
        var vectors = new Vectors(options.Count, dimensions, Topics, options.Seed);
        var random = new Random(options.Seed + 1);
        var ids = new Guid[options.Count];
        var bytes = new byte[16];
        for (var i = 0; i < ids.Length; i++)
        {
            random.NextBytes(bytes);
            ids[i] = new Guid(bytes);
        }
        var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var seed = Stopwatch.StartNew();
        await SeedAsync(dataSource, vectors, ids);
        var seeded = seed.Elapsed;
        var queries = Enumerable.Range(0, options.Runs + 10).Select(_ => vectors.Query()).ToArray();
        var caller = Guid.NewGuid();
        var truth = queries.Select(q => BruteForce.Nearest(vectors, q, K)).ToArray();

        line($"Community semantic search benchmark, {stamp:yyyy-MM-dd HH:mm} UTC");
        line(new string('=', 52));
        line($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            line("postgres: " + await ScalarAsync<string>(connection, "SELECT version()"));
            line(
                $"data: {options.Count:N0} people documents, {dimensions} dimensions (unit vectors around {Topics} "
                    + $"topics, seed {options.Seed}); seeded by binary COPY in {seeded.TotalSeconds:F1} s"
            );
            line(
                "size: search_documents "
                    + await ScalarAsync<string>(connection, "SELECT pg_size_pretty(pg_table_size('search_documents'))")
                    + $"; memory copy of the vectors {vectors.Data.Length * 4L / 1024 / 1024} MiB"
            );
        }
        line($"queries: {queries.Length - 10} measured after 10 warm-up, each near a random topic; k = {K}");
        line("recall@10: the share of the exact top 10 (in-process scan, float dot product) a store returned");
        line("");
        line($"{"store", -58} {"recall@10", 9} {"p50 ms", 8} {"p95 ms", 8} {"p99 ms", 8}");

        var contextOptions = new DbContextOptionsBuilder<SocialDbContext>()
            .UseNpgsql(dataSource)
            .UseSnakeCaseNamingConvention()
            .Options;
        var budget = options.Budget;
        async Task Measure(string name, Func<float[], Task<IReadOnlyList<int>>> search)
        {
            var found = 0;
            var measured = 0;
            var stats = await Latency.MeasureAsync(
                name,
                10,
                options.Runs,
                budget,
                async i =>
                {
                    var result = await search(queries[i]);
                    if (i < 10)
                        return;
                    measured++;
                    found += result.Intersect(truth[i]).Count();
                },
                log
            );
            line(
                $"{name, -58} {(double)found / Math.Max(1, measured * K), 9:F3} {stats.P50, 8:F2} {stats.P95, 8:F2} "
                    + $"{stats.P99, 8:F2}"
            );
        }

        // What an instance does at start (VectorIndexSync's full load), then the service's search over it.
        var load = Stopwatch.StartNew();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var vectorIndex = new VectorIndex();
        var loaded = new List<(string, Guid, float[]?)>(options.Count);
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var command = new NpgsqlCommand("SELECT kind, id, embedding FROM search_documents", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                loaded.Add((reader.GetString(0), reader.GetGuid(1), reader.GetFieldValue<float[]>(2)));
        vectorIndex.Apply(loaded, 1, replaceAll: true);
        loaded = null;
        var loadTook = load.Elapsed;
        var indexBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        await Measure(
            "service: in-process exact scan + PostgreSQL check (chosen)",
            async q =>
            {
                await using var db = new SocialDbContext(contextOptions);
                var hits = await SemanticSearch.NearestInIndexAsync(
                    db,
                    vectorIndex,
                    caller,
                    q,
                    [SearchKinds.People],
                    K,
                    default
                );
                return [.. hits.Select(h => index[h.Id])];
            }
        );
        GC.KeepAlive(vectorIndex);
        await Measure(
            "in-process exact scan alone (no PostgreSQL check)",
            q => Task.FromResult<IReadOnlyList<int>>(BruteForce.Nearest(vectors, q, K))
        );
        await Measure(
            "PostgreSQL exact scan, real[] + cube distance",
            async q =>
            {
                await using var db = new SocialDbContext(contextOptions);
                var hits = await SemanticSearch.NearestAsync(db, caller, q, [SearchKinds.People], K, default);
                return [.. hits.Select(h => index[h.Id])];
            }
        );

        var build = Stopwatch.StartNew();
        await ExecuteAsync(
            dataSource,
            """
            CREATE INDEX bench_gist ON search_documents USING gist (cube(embedding::float8[]))
                WHERE kind = 'people' AND embedding IS NOT NULL
            """
        );
        await ExecuteAsync(dataSource, "ANALYZE search_documents");
        var gistBuilt = build.Elapsed;
        string gistSize;
        await using (var connection = await dataSource.OpenConnectionAsync())
            gistSize = await ScalarAsync<string>(connection, "SELECT pg_size_pretty(pg_relation_size('bench_gist'))");
        await Measure(
            "cube GiST kNN index (ORDER BY <-> LIMIT 10)",
            async q =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var command = new NpgsqlCommand(
                    """
                    SELECT id FROM search_documents WHERE kind = 'people' AND embedding IS NOT NULL
                    ORDER BY cube(embedding::float8[]) <-> cube(@v::float8[]) LIMIT 10
                    """,
                    connection
                );
                command.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Array | NpgsqlDbType.Real) { Value = q });
                var result = new List<int>();
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    result.Add(index[reader.GetGuid(0)]);
                return result;
            }
        );
        await ExecuteAsync(dataSource, "DROP INDEX bench_gist");

        build.Restart();
        var lists = (int)Math.Sqrt(options.Count);
        var ivf = new Ivf(vectors, lists, iterations: 6, options.Seed);
        var ivfBuilt = build.Elapsed;
        foreach (var probes in new[] { 4, 16, 32 })
            await Measure(
                $"in-process IVF, {ivf.Lists} lists, {probes} probed",
                q => Task.FromResult<IReadOnlyList<int>>(ivf.Nearest(q, K, probes))
            );

        line("");
        line(
            $"vector index: {options.Count:N0} vectors loaded from PostgreSQL in {loadTook.TotalSeconds:F1} s, "
                + $"{indexBytes / 1024.0 / 1024.0:F1} MiB managed heap"
        );
        line($"cube GiST index: {gistSize}, built in {gistBuilt.TotalSeconds:F1} s");
        line(
            $"IVF: {ivf.Lists} lists by 6 rounds of k-means over the memory copy, built in {ivfBuilt.TotalSeconds:F1} s"
        );
        line("latency: Stopwatch around one query; the SQL stores include a pooled connection's round trip");
    }

    private static async Task SeedAsync(NpgsqlDataSource dataSource, Vectors vectors, Guid[] ids)
    {
        // People's documents come from user_profiles' trigger in the service; here both tables are written directly.
        await ExecuteAsync(dataSource, "ALTER TABLE user_profiles DISABLE TRIGGER user_profiles_search_document");
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using (
                var profiles = await connection.BeginBinaryImportAsync(
                    "COPY user_profiles (user_id, username) FROM STDIN (FORMAT BINARY)"
                )
            )
            {
                for (var i = 0; i < ids.Length; i++)
                {
                    await profiles.StartRowAsync();
                    await profiles.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                    await profiles.WriteAsync("user" + i, NpgsqlDbType.Text);
                }
                await profiles.CompleteAsync();
            }
            await using var documents = await connection.BeginBinaryImportAsync(
                """
                COPY search_documents (kind, id, owner_id, title, body, is_public, revision, embedded_revision,
                    embedding) FROM STDIN (FORMAT BINARY)
                """
            );
            for (var i = 0; i < ids.Length; i++)
            {
                await documents.StartRowAsync();
                await documents.WriteAsync(SearchKinds.People, NpgsqlDbType.Text);
                await documents.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await documents.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await documents.WriteAsync("Person " + i, NpgsqlDbType.Text);
                await documents.WriteAsync("", NpgsqlDbType.Text);
                await documents.WriteAsync(true, NpgsqlDbType.Boolean);
                await documents.WriteAsync(1L, NpgsqlDbType.Bigint);
                await documents.WriteAsync(1L, NpgsqlDbType.Bigint);
                await documents.WriteAsync(vectors.Row(i).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Real);
            }
            await documents.CompleteAsync();
        }
        await ExecuteAsync(dataSource, "ALTER TABLE user_profiles ENABLE TRIGGER user_profiles_search_document");
        await ExecuteAsync(dataSource, "VACUUM (ANALYZE)");
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

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
}
