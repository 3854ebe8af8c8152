using Community.ServiceDefaults.Api;
using System.Globalization;
using System.Runtime.InteropServices;
using Community.Contracts;
using Community.Events.Catalogue;
using Community.Events.Data;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Community.Events.Bench;

/// <summary>
/// Seeds the events catalogue and measures its queries through <see cref="CatalogueQueries"/>, the
/// code the API runs: nearby (5 km, 50 km), first/middle/deep catalogue pages with their COUNT, and
/// a filtered page; prints latency percentiles, ratios and each query's EXPLAIN (ANALYZE, BUFFERS).
/// </summary>
public static class EventsBench
{
    private const int NearbyLimit = 50;       // the API's default
    private const int PageSize = 20;          // the API's default
    private const int MiddlePage = 100;
    private const int DeepPage = 5000;        // OFFSET 99,980
    private const double NearbyP95TargetMs = 50;
    private const double DeepPageP95TargetMs = 500;
    private const string ForceSequentialScan = "SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off";

    private static readonly string[] Notes =
    [
        "- nearby walks the GiST index in distance order (ORDER BY position <-> point ... FETCH FIRST n ROWS WITH TIES),",
        "  reading about `limit` rows where it read and sorted every event in the radius (the \"before\" rows above).",
        "- 0004_catalogue_perf.sql: the catalogue index carries ends_at and visibility (INCLUDE), so COUNT(*) is an",
        "  index-only scan instead of reading the table.",
        "- Applied to the API since they were measured as proposals (the \"proposed\" rows are the hand-written",
        "  equivalents, kept for comparison): 1. the page's ids first (index-only, however deep), then those rows",
        "  (CatalogueQueries.PageAsync); 2. starts_at > now - 31 days (an event lasts at most 31 days), so page 1",
        "  does not step over every past event.",
        "- Still open: cap or cache the COUNT; it stays linear in the number of upcoming events even index-only.",
    ];

    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + BenchOptions.Usage);
            return 2;
        }
        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        var root = RepositoryRoot.Find();
        static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
        await using var server = await PostgresServer.StartAsync(new LocalInfrastructureOptions
        {
            // kept between runs so --keep can reuse a seeded database; fsync off only speeds up seeding
            DataFolder = Path.Combine(root, ".local", "bench"),
            KeepData = true,
            FastUnsafe = true,
            Log = Log,
        });
        var stamp = DateTimeOffset.UtcNow;
        var report = new Report();
        await RunAsync(server, options, report, stamp, Log);
        var file = report.Save(options.OutputFolder ?? Path.Combine(root, "bench", "results"), stamp);
        Log($"report written to {file} and events-latest.txt beside it");
        return 0;
    }

    private static async Task RunAsync(PostgresServer server, BenchOptions options, Report report, DateTimeOffset stamp, Action<string> log)
    {
        var reuse = options.Keep && await SeededEventsAsync(server, options.Database) > 0;
        if (!reuse) await server.DropDatabaseAsync(options.Database);
        var connectionString = await server.CreateDatabaseAsync(options.Database);
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString) { Name = "events-bench" }.EnableDynamicJson().Build();
        await new SchemaMigrator(dataSource,
            [new MigrationSource("platform", typeof(DatabaseSetup).Assembly), new MigrationSource(ResourceNames.Events, typeof(EventsDbContext).Assembly)],
            NullLogger<SchemaMigrator>.Instance).StartAsync(CancellationToken.None);

        SeedTimings? seeded = null;
        if (reuse)
        {
            log("seed: reusing the seeded database (--keep); ANALYZE only");
            await ExecuteAsync(dataSource, "ANALYZE community_events");
        }
        else
        {
            seeded = await Seeder.SeedAsync(dataSource, options.Events, options.Seed, stamp, log);
        }

        var now = DateTimeOffset.UtcNow;
        report.Line($"Community events benchmark, {stamp:yyyy-MM-dd HH:mm} UTC");
        report.Line(new string('=', 48));
        await DescribeEnvironmentAsync(dataSource, report, now);
        report.Heading("Seeding");
        if (seeded is null) report.Line("reused an already seeded database (--keep): no seeding this run");
        else
        {
            report.Line($"{seeded.Events:N0} events by binary COPY ({Math.Clamp(Environment.ProcessorCount, 1, 4)} streams, generated columns computed by the server):");
            report.Line($"  COPY                {seeded.Copy.TotalSeconds,7:F1} s  ({seeded.Events / seeded.Copy.TotalSeconds:N0} events/s)");
            report.Line($"  rebuild indexes     {seeded.Indexes.TotalSeconds,7:F1} s  ({string.Join(", ", seeded.PerIndex.Select(i => $"{i.Index} {i.Took.TotalSeconds:F1} s"))})");
            report.Line($"  VACUUM (ANALYZE)    {seeded.VacuumAnalyze.TotalSeconds,7:F1} s");
            report.Line($"  total               {seeded.Total.TotalSeconds,7:F1} s");
        }

        var capture = new CommandCapture();
        var contextOptions = new DbContextOptionsBuilder<EventsDbContext>().UseNpgsql(dataSource).AddInterceptors(capture).Options;
        EventsDbContext NewContext() => new(contextOptions);
        var random = new Random(options.Seed);
        var densest = World.Cities.MaxBy(c => c.Weight)!;
        (double Lat, double Lon) Near(City c) => (c.Latitude + (random.NextDouble() - 0.5) * 0.04, c.Longitude + (random.NextDouble() - 0.5) * 0.04);
        City AnyCity() => World.Cities[random.Next(World.Cities.Length)];
        var anonymous = Caller.Anonymous;
        var noFilter = new CatalogueFilter();

        async Task NearbyAsync(EventsDbContext db, City city, double radiusKm, bool jitter)
        {
            var (lat, lon) = jitter ? Near(city) : (city.Latitude, city.Longitude);
            await CatalogueQueries.Nearby(db, lat, lon, radiusKm * 1000, NearbyLimit, anonymous, now).ToListAsync();
        }
        async Task SortedNearbyAsync(EventsDbContext db, City city, double radiusKm, bool jitter)
        {
            var (lat, lon) = jitter ? Near(city) : (city.Latitude, city.Longitude);
            await Baselines.SortedNearby(db, lat, lon, radiusKm * 1000, NearbyLimit, anonymous, now).ToListAsync();
        }
        async Task IdsFirstAsync(EventsDbContext db, int page, bool boundStart) =>
            await Baselines.IdsFirstPage(db, noFilter, anonymous, now, (page - 1) * PageSize, PageSize, boundStart).ToListAsync();
        async Task PageAsync(EventsDbContext db, CatalogueFilter filter, int page) =>
            await CatalogueQueries.PageAsync(db, CatalogueQueries.Catalogue(db, filter, anonymous, now), new PageRequest(page, PageSize));
        async Task CountAsync(EventsDbContext db, CatalogueFilter filter) =>
            await CatalogueQueries.Catalogue(db, filter, anonymous, now).CountAsync();
        CatalogueFilter Filtered() => new(City: AnyCity().Name, Interest: World.Interests[random.Next(10)]);

        async Task<LatencyStats> Measure(string name, int warmUp, int runs, Func<EventsDbContext, Task> query) =>
            await Latency.MeasureAsync(name, warmUp, runs, options.Budget, async _ =>
            {
                await using var db = NewContext();
                await query(db);
            }, log);

        var equivalence = await CompareAsync(NewContext, random, now, log);

        // Each query on a fresh context and pooled connection, as one API request would run it.
        var loadBefore = LoadAverage();
        var runs = options.Runs;
        var nearby5 = await Measure("nearby 5 km, limit 50 (random city +-2 km)", 20, runs, db => NearbyAsync(db, AnyCity(), 5, true));
        var nearby50 = await Measure("nearby 50 km, limit 50 (random city +-2 km)", 20, runs, db => NearbyAsync(db, AnyCity(), 50, true));
        var page1 = await Measure("catalogue page 1 (limit 20)", 20, runs, db => PageAsync(db, noFilter, 1));
        var page100 = await Measure($"catalogue page {MiddlePage} (OFFSET {(MiddlePage - 1) * PageSize:N0})", 10, runs, db => PageAsync(db, noFilter, MiddlePage));
        var pageDeep = await Measure($"catalogue page {DeepPage} (OFFSET {(DeepPage - 1) * PageSize:N0})", 3, runs, db => PageAsync(db, noFilter, DeepPage));
        var count = await Measure("catalogue COUNT(*) (no filter)", 3, runs, db => CountAsync(db, noFilter));
        var page1Count = await Measure("catalogue page 1 + COUNT (one API request)", 3, runs, async db =>
        {
            await CountAsync(db, noFilter);
            await PageAsync(db, noFilter, 1);
        });
        var deepCount = await Measure($"catalogue page {DeepPage} + COUNT (one API request)", 3, runs, async db =>
        {
            await CountAsync(db, noFilter);
            await PageAsync(db, noFilter, DeepPage);
        });
        var filteredPage = await Measure("catalogue city + interest, page 1", 10, runs, db => PageAsync(db, Filtered(), 1));
        var filteredCount = await Measure("catalogue city + interest, page 1 + COUNT", 10, runs, async db =>
        {
            var filter = Filtered();
            await CountAsync(db, filter);
            await PageAsync(db, filter, 1);
        });

        // The same nearby SQL with index and bitmap scans disabled on its connection: what the index saves.
        async Task<LatencyStats> MeasureSequential(string name, double radiusKm)
        {
            await using var db = NewContext();
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync(ForceSequentialScan);
            try
            {
                return await Latency.MeasureAsync(name, 1, 5, TimeSpan.Zero, _ => NearbyAsync(db, AnyCity(), radiusKm, true), log);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("RESET ALL");
            }
        }
        var seq5 = await MeasureSequential("nearby 5 km, index scans disabled", 5);
        var seq50 = await MeasureSequential("nearby 50 km, index scans disabled", 50);

        var sorted5 = await Measure("nearby 5 km, before: sort every row in radius", 20, runs, db => SortedNearbyAsync(db, AnyCity(), 5, true));
        var sorted50 = await Measure("nearby 50 km, before: sort every row in radius", 20, runs, db => SortedNearbyAsync(db, AnyCity(), 50, true));
        var idsFirst1 = await Measure("proposed ids-first page 1", 10, runs, db => IdsFirstAsync(db, 1, false));
        var idsFirstDeep = await Measure($"proposed ids-first page {DeepPage}", 10, runs, db => IdsFirstAsync(db, DeepPage, false));
        var bounded1 = await Measure("proposed ids-first + starts_at bound, page 1", 10, runs, db => IdsFirstAsync(db, 1, true));
        var boundedDeep = await Measure($"proposed ids-first + starts_at bound, page {DeepPage}", 10, runs, db => IdsFirstAsync(db, DeepPage, true));
        var loadAfter = LoadAverage();

        report.Heading("Latency in ms (client side, EF Core through CatalogueQueries, one fresh DbContext per run)");
        report.Line($"now = {now:yyyy-MM-dd HH:mm:ss} UTC, anonymous caller; nearby around the {World.Cities.Length} seeded cities; warm-up runs not counted");
        report.Line($"load average (1 min) {loadBefore} before, {loadAfter} after, on {Environment.ProcessorCount} cores" +
            (double.TryParse(loadBefore, CultureInfo.InvariantCulture, out var load) && load > Environment.ProcessorCount
                ? ": other work shared the machine, so the client figures are inflated; the EXPLAIN times below are steadier"
                : ""));
        report.Line();
        report.Line("What the API runs:");
        report.Table([nearby5, nearby50, page1, page100, pageDeep, count, page1Count, deepCount, filteredPage, filteredCount]);
        report.Line();
        report.Line("For comparison (not what the API runs):");
        report.Table([seq5, seq50, sorted5, sorted50, idsFirst1, idsFirstDeep, bounded1, boundedDeep]);

        report.Heading("Ratios (p50)");
        report.Line($"  deep page {DeepPage} / page 1 .............. {Report.Ratio(pageDeep.P50, page1.P50)}");
        report.Line($"  page {MiddlePage} / page 1 .................... {Report.Ratio(page100.P50, page1.P50)}");
        report.Line($"  COUNT / page 1 ...................... {Report.Ratio(count.P50, page1.P50)}");
        report.Line($"  deep page + COUNT / page 1 + COUNT .. {Report.Ratio(deepCount.P50, page1Count.P50)}");
        report.Line($"  nearby 50 km / 5 km ................. {Report.Ratio(nearby50.P50, nearby5.P50)}");
        report.Line($"  nearby 5 km, seq scan / index ....... {Report.Ratio(seq5.P50, nearby5.P50)}");
        report.Line($"  nearby 50 km, seq scan / index ...... {Report.Ratio(seq50.P50, nearby50.P50)}");
        report.Line($"  nearby 5 km, before / now ........... {Report.Ratio(sorted5.P50, nearby5.P50)}");
        report.Line($"  nearby 50 km, before / now .......... {Report.Ratio(sorted50.P50, nearby50.P50)}");
        report.Line($"  page {DeepPage}, API / proposed ids-first .. {Report.Ratio(pageDeep.P50, idsFirstDeep.P50)}");
        report.Line($"  page 1, API / proposed ids-first+bound {Report.Ratio(page1.P50, bounded1.P50)}");
        report.Line($"  proposed: deep page / page 1 ........ {Report.Ratio(boundedDeep.P50, bounded1.P50)}");

        // Plans: the captured command of one representative run, explained with the same parameters.
        async Task<(CapturedCommand Command, string Plan)> Plan(Func<EventsDbContext, Task> query, string? settings = null)
        {
            await using var db = NewContext();
            var command = await capture.CaptureAsync(() => query(db));
            return (command, await ExplainAsync(dataSource, command, settings));
        }
        var filter = new CatalogueFilter(City: densest.Name, Interest: World.Interests[0]);
        var plans = new List<(string Name, CapturedCommand Command, string Plan)>();
        async Task AddPlan(string name, Func<EventsDbContext, Task> query, string? settings = null)
        {
            var (command, plan) = await Plan(query, settings);
            plans.Add((name, command, plan));
        }
        await AddPlan($"nearby 5 km around {densest.Name}", db => NearbyAsync(db, densest, 5, false));
        await AddPlan($"nearby 50 km around {densest.Name}", db => NearbyAsync(db, densest, 50, false));
        await AddPlan($"nearby 50 km around {densest.Name}, index scans disabled", db => NearbyAsync(db, densest, 50, false), ForceSequentialScan);
        await AddPlan("catalogue page 1", db => PageAsync(db, noFilter, 1));
        await AddPlan($"catalogue page {MiddlePage}", db => PageAsync(db, noFilter, MiddlePage));
        await AddPlan($"catalogue page {DeepPage}", db => PageAsync(db, noFilter, DeepPage));
        await AddPlan("catalogue COUNT(*)", db => CountAsync(db, noFilter));
        await AddPlan($"catalogue city={densest.Name} interest={World.Interests[0]}, page 1", db => PageAsync(db, filter, 1));
        await AddPlan($"catalogue city={densest.Name} interest={World.Interests[0]}, COUNT(*)", db => CountAsync(db, filter));
        await AddPlan($"for comparison: nearby 50 km around {densest.Name}, before (sort every row)", db => SortedNearbyAsync(db, densest, 50, false));
        await AddPlan($"for comparison: proposed ids-first page {DeepPage}", db => IdsFirstAsync(db, DeepPage, false));
        await AddPlan($"for comparison: proposed ids-first + starts_at bound, page 1", db => IdsFirstAsync(db, 1, true));

        report.Heading("Checks");
        foreach (var line in equivalence) report.Line("  " + line);
        foreach (var (name, _, plan) in plans.Where(p => p.Name.StartsWith("nearby", StringComparison.Ordinal) && !p.Name.Contains("disabled", StringComparison.Ordinal)))
        {
            var indexed = plan.Contains("community_events_position", StringComparison.Ordinal)
                && !plan.Contains("Seq Scan on community_events", StringComparison.Ordinal);
            report.Line($"  {name}: GiST index community_events_position used, no Seq Scan on community_events: {(indexed ? "YES" : "NO")}");
        }
        report.Line($"  nearby 50 km p95 {Report.Ms(nearby50.P95)} ms <= {NearbyP95TargetMs} ms: {(nearby50.P95 <= NearbyP95TargetMs ? "OK" : "POOR")}");
        report.Line($"  deep page p95 {Report.Ms(pageDeep.P95)} ms <= {DeepPageP95TargetMs} ms: {(pageDeep.P95 <= DeepPageP95TargetMs ? "OK" : "POOR")}");
        report.Line($"  deep page + COUNT p95 {Report.Ms(deepCount.P95)} ms <= {DeepPageP95TargetMs} ms: {(deepCount.P95 <= DeepPageP95TargetMs ? "OK" : "POOR")}");

        report.Heading("Plan summaries (server side, from EXPLAIN ANALYZE)");
        foreach (var (name, _, plan) in plans) report.Line($"  {name}:{Environment.NewLine}    {Summarise(plan)}");

        report.Heading("Notes");
        foreach (var note in Notes) report.Line(note);

        report.Heading("Plans: EXPLAIN (ANALYZE, BUFFERS) of the SQL EF sent, with its parameters");
        foreach (var (name, command, plan) in plans)
        {
            report.Line();
            report.Line($"== {name}");
            report.Line(command.Describe().TrimEnd());
            report.Line("--");
            report.Line(plan);
        }
    }

    /// <summary>
    /// The API's nearby query against the sort-everything one, and the proposed ids-first paging
    /// against the API's, on random points, radii, limits, callers and pages: same rows, same order?
    /// </summary>
    private static async Task<List<string>> CompareAsync(Func<EventsDbContext> newContext, Random random, DateTimeOffset now, Action<string> log)
    {
        double[] radiiKm = [0.5, 1, 5, 20, 50, 100];
        int[] limits = [1, 10, 50, 100];
        int same = 0, total = 0, rows = 0;
        var firstDifference = "";
        for (var i = 0; i < 300; i++)
        {
            var city = World.Cities[random.Next(World.Cities.Length)];
            var lat = city.Latitude + (random.NextDouble() - 0.5) * 0.2;
            var lon = city.Longitude + (random.NextDouble() - 0.5) * 0.2;
            var radiusM = radiiKm[random.Next(radiiKm.Length)] * 1000;
            var limit = limits[random.Next(limits.Length)];
            var caller = (i % 3) switch
            {
                0 => Caller.Anonymous,
                1 => new Caller(Seeder.Organizer(random.Next(50_000)), false),
                _ => new Caller(null, true),
            };
            await using var db = newContext();
            var now1 = await CatalogueQueries.Nearby(db, lat, lon, radiusM, limit, caller, now).ToListAsync();
            var before = await Baselines.SortedNearby(db, lat, lon, radiusM, limit, caller, now).ToListAsync();
            total++;
            rows += now1.Count;
            if (now1.SequenceEqual(before)) same++;
            else if (firstDifference.Length == 0)
                firstDifference = $" (first difference: {city.Name} {lat:F4},{lon:F4} {radiusM / 1000} km limit {limit}: {now1.Count} vs {before.Count} rows)";
        }
        log($"compared nearby on {total} queries: {same} identical");
        var lines = new List<string> { $"nearby (ordered index walk) vs sorting every row in radius: {same}/{total} queries identical ids, distances and order, {rows:N0} rows{firstDifference}" };

        var pagesSame = 0;
        int[] pages = [1, 2, MiddlePage, DeepPage];
        foreach (var page in pages)
            foreach (var bound in new[] { false, true })
            {
                await using var db = newContext();
                var api = await CatalogueQueries.Catalogue(db, new CatalogueFilter(), Caller.Anonymous, now).Skip((page - 1) * PageSize).Take(PageSize).Select(e => e.Id).ToListAsync();
                var proposed = await Baselines.IdsFirstPage(db, new CatalogueFilter(), Caller.Anonymous, now, (page - 1) * PageSize, PageSize, bound).Select(e => e.Id).ToListAsync();
                if (api.SequenceEqual(proposed)) pagesSame++;
            }
        lines.Add($"proposed ids-first paging (with and without the starts_at bound) vs the API's pages {string.Join(", ", pages)}: {pagesSame}/{pages.Length * 2} identical");
        return lines;
    }

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
        report.Line($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        await using var connection = await dataSource.OpenConnectionAsync();
        report.Line("postgres: " + await ScalarAsync<string>(connection, "SELECT version()"));
        string[] settings = ["shared_buffers", "effective_cache_size", "work_mem", "random_page_cost", "jit", "max_parallel_workers_per_gather"];
        var values = new List<string>();
        foreach (var setting in settings) values.Add($"{setting}={await ScalarAsync<string>(connection, $"SELECT current_setting('{setting}')")}");
        report.Line("settings: " + string.Join(", ", values));

        await using var stats = new NpgsqlCommand("""
            SELECT count(*),
                   count(*) FILTER (WHERE status = 'published' AND ends_at > @now),
                   count(*) FILTER (WHERE status = 'published' AND ends_at > @now AND visibility = 'public'),
                   count(*) FILTER (WHERE visibility = 'private'),
                   count(*) FILTER (WHERE price_cents > 0),
                   count(DISTINCT city)
            FROM community_events
            """, connection);
        stats.Parameters.AddWithValue("now", now);
        await using (var reader = await stats.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            report.Line($"data: {reader.GetInt64(0):N0} events, {reader.GetInt64(1):N0} published and upcoming, {reader.GetInt64(2):N0} of them public " +
                $"(anonymous catalogue); {reader.GetInt64(3):N0} private, {reader.GetInt64(4):N0} paid, {reader.GetInt64(5):N0} distinct cities");
        }
        report.Line($"      60% gaussian around {World.Cities.Length} world cities (sigma 8-40 km), 40% uniform over {World.LandBoxes.Length} land boxes; " +
            "starts 90% over the next 365 days, 10% in the last 60");
        report.Line("size: " + await ScalarAsync<string>(connection, """
            SELECT 'table ' || pg_size_pretty(pg_table_size('community_events')) || ', indexes ' || pg_size_pretty(pg_indexes_size('community_events'))
                   || ' (' || string_agg(indexrelid::regclass || ' ' || pg_size_pretty(pg_relation_size(indexrelid)), ', ' ORDER BY indexrelid::regclass::text) || ')'
            FROM pg_index WHERE indrelid = 'community_events'::regclass
            """));
    }

    private static async Task<string> ExplainAsync(NpgsqlDataSource dataSource, CapturedCommand command, string? settings)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        if (settings is not null) await using (var set = new NpgsqlCommand(settings, connection)) await set.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + command.Sql, connection);
        foreach (var parameter in command.Parameters) explain.Parameters.Add(parameter.Clone());
        var lines = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        }
        if (settings is not null) await using (var reset = new NpgsqlCommand("RESET ALL", connection)) await reset.ExecuteNonQueryAsync();
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>One line per plan: its nodes outermost first, the execution time and the top node's buffers.</summary>
    private static string Summarise(string plan)
    {
        var lines = plan.Split(Environment.NewLine);
        var nodes = lines.Where((line, i) => i == 0 || line.TrimStart().StartsWith("->", StringComparison.Ordinal))
            .Select(line =>
            {
                var text = line.Trim().TrimStart('-', '>').Trim();
                var cost = text.IndexOf("  (cost=", StringComparison.Ordinal);
                if (cost < 0) cost = text.IndexOf(" (cost=", StringComparison.Ordinal);
                var actual = text.IndexOf("(actual time=", StringComparison.Ordinal);
                var rows = actual < 0 ? "" : text[actual..].Split(' ').FirstOrDefault(part => part.StartsWith("rows=", StringComparison.Ordinal)) ?? "";
                return (cost < 0 ? text : text[..cost].Trim()) + (rows.Length > 0 ? $" [{rows}]" : "");
            });
        var execution = lines.FirstOrDefault(l => l.StartsWith("Execution Time", StringComparison.Ordinal))?.Trim() ?? "";
        var buffers = lines.Skip(1).FirstOrDefault(l => l.TrimStart().StartsWith("Buffers:", StringComparison.Ordinal))?.Trim() ?? "";
        return string.Join(" > ", nodes) + $"{Environment.NewLine}    {execution}; {buffers}";
    }

    private static async Task<long> SeededEventsAsync(PostgresServer server, string database)
    {
        await using var admin = new NpgsqlConnection(server.AdminConnectionString);
        await admin.OpenAsync();
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin))
        {
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync() is null) return 0;
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
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }
}
