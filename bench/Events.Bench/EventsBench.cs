using System.Globalization;
using Community.Contracts;
using Community.Events.Catalogue;
using Community.Events.Data;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Community.Events.Catalogue.CatalogueAccess;

namespace Community.Events.Bench;

/// <summary>
/// Seeds the events catalogue and measures its queries through <see cref="CatalogueQueries"/>, the
/// code the API runs: nearby (5 km, 50 km), first/middle/deep catalogue pages with their COUNT, and
/// a filtered page; prints latency percentiles, ratios and each query's EXPLAIN (ANALYZE, BUFFERS).
/// </summary>
public static partial class EventsBench
{
    private const int NearbyLimit = 50; // the API's default
    private const int PageSize = 20; // the API's default
    private const int MiddlePage = 100;
    private const int DeepPage = 5000; // by cursor; by number it is past the offset cap (OFFSET 99,980)
    private static readonly int DeepestNumberedPage = (int)(PageRequest.MaxOffset / PageSize) + 1; // 501: OFFSET 10,000
    private const double NearbyP95TargetMs = 50;
    private const double RequestP95TargetMs = 20;
    private const string ForceSequentialScan =
        "SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off";

    private static readonly string[] Notes =
    [
        "- nearby walks the GiST index in distance order (ORDER BY position <-> point ... "
            + "FETCH FIRST n ROWS WITH TIES),",
        "  reading about `limit` rows where it read and sorted every event in the radius (the \"before\" rows above).",
        "- the page's ids come from the catalogue index alone (CatalogueQueries.PageAsync), "
            + "then those rows; a cursor seeks",
        "  to (starts_at, id) > position in that index, so page 5000 by cursor costs what page 1 does.",
        "- the total (BoundedTotals.CountBoundedAsync): the planner's row estimate first "
            + "(EXPLAIN, not run); above 20,000 that",
        "  estimate is the answer (total_is_estimate: true), else COUNT(*) over LIMIT 10,001 rows, "
            + "exact when it comes back short.",
        "- the upcoming catalogue's scan starts at the earliest start among events going on "
            + "now (GiST on tstzrange(starts_at,",
        "  ends_at), read first), not at now - 31 days: it no longer steps over the "
            + "month of events that already ended.",
        "- 0012_catalogue_filters.sql: the catalogue index carries interests, event_type, "
            + "price_cents and country, the city index",
        "  what a city page filters on, and country has its own: filtered pages and counts are index-only scans.",
    ];

    private const string Usage = """
        usage: run-events.sh [options]
          --events N      events to seed (default 1000000)
          --keep          reuse the seeded database when it has events (new migrations are still applied)
          --runs N        measured runs per fast query (default 200; deep pages and counts stop after --budget)
          --budget S      seconds one query may be measured for (default 60)
          --database NAME database to seed (default events_bench)
          --seed N        random seed of the generated data (default 42)
          --out DIR       where the report goes (default <repo>/bench/results)
          --help          this text
        Uses COMMUNITY_POSTGRES when set, otherwise a private PostgreSQL in <repo>/.local/bench (kept between runs).
        """;

    public static async Task<int> Main(string[] args)
    {
        if (
            BenchOptions.Read(
                args,
                "--events",
                1,
                new BenchOptions { Database = "events_bench" },
                Usage,
                out var exitCode
            )
            is not { } options
        )
            return exitCode;

        var root = RepositoryRoot.Find();
        static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
        await using var server = await BenchPostgres.StartAsync(root, Log);
        var stamp = DateTimeOffset.UtcNow;
        var report = new Report();
        await RunAsync(server, options, report, stamp, Log);
        var file = report.Save(options.OutputFolder ?? Path.Combine(root, "bench", "results"), stamp);
        Log($"report written to {file} and events-latest.txt beside it");
        return 0;
    }

    private static async Task RunAsync(
        PostgresServer server,
        BenchOptions options,
        Report report,
        DateTimeOffset stamp,
        Action<string> log
    )
    {
        var reuse = options.Keep && await SeededEventsAsync(server, options.Database) > 0;
        if (!reuse)
            await server.DropDatabaseAsync(options.Database);
        var connectionString = await server.CreateDatabaseAsync(options.Database);
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString) { Name = "events-bench" }
            .EnableDynamicJson()
            .Build();
        await new SchemaMigrator(
            dataSource,
            [
                new MigrationSource("platform", typeof(DatabaseSetup).Assembly),
                new MigrationSource(ResourceNames.Events, typeof(EventsDbContext).Assembly),
            ],
            NullLogger<SchemaMigrator>.Instance
        ).StartAsync(CancellationToken.None);

        SeedTimings? seeded = null;
        if (reuse)
        {
            log("seed: reusing the seeded database (--keep); ANALYZE only");
            await ExecuteAsync(dataSource, "ANALYZE community_events");
        }
        else
        {
            seeded = await Seeder.SeedAsync(dataSource, options.Count, options.Seed, stamp, log);
        }

        var now = DateTimeOffset.UtcNow;
        report.Line($"Community events benchmark, {stamp:yyyy-MM-dd HH:mm} UTC");
        report.Line(new string('=', 48));
        await DescribeEnvironmentAsync(dataSource, report, now);
        report.Heading("Seeding");
        if (seeded is null)
            report.Line("reused an already seeded database (--keep): no seeding this run");
        else
        {
            report.Line(
                $"{seeded.Events:N0} events by binary COPY ({Math.Clamp(Environment.ProcessorCount, 1, 4)} streams, "
                    + "generated columns computed by the server):"
            );
            report.Line(
                $"  COPY                {seeded.Copy.TotalSeconds, 7:F1} s  "
                    + $"({seeded.Events / seeded.Copy.TotalSeconds:N0} events/s)"
            );
            report.Line(
                $"  rebuild indexes     {seeded.Indexes.TotalSeconds, 7:F1} s  "
                    + $"({string.Join(", ", seeded.PerIndex.Select(i => $"{i.Index} {i.Took.TotalSeconds:F1} s"))})"
            );
            report.Line($"  VACUUM (ANALYZE)    {seeded.VacuumAnalyze.TotalSeconds, 7:F1} s");
            report.Line($"  total               {seeded.Total.TotalSeconds, 7:F1} s");
        }

        var capture = new CommandCapture();
        var contextOptions = new DbContextOptionsBuilder<EventsDbContext>()
            .UseNpgsql(dataSource)
            .UseSnakeCaseNamingConvention() // as the service names its tables and columns
            .AddInterceptors(capture)
            .Options;
        EventsDbContext NewContext() => new(contextOptions);
        var random = new Random(options.Seed);
        var densest = World.Cities.MaxBy(c => c.Weight)!;
        (double Lat, double Lon) Near(City c) =>
            (c.Latitude + (random.NextDouble() - 0.5) * 0.04, c.Longitude + (random.NextDouble() - 0.5) * 0.04);
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
        DateTimeOffset earliestStart;
        await using (var db = NewContext())
            earliestStart = await CatalogueQueries.EarliestStartAsync(db, now);
        IQueryable<CommunityEvent> Catalogue(EventsDbContext db, CatalogueFilter filter) =>
            CatalogueQueries.Catalogue(db, filter, anonymous, now, earliestStart);
        PageStart<TimeAndId> Numbered(int page) => new(new PageRequest(page, PageSize), null);
        async Task PageAsync(EventsDbContext db, CatalogueFilter filter, int page) =>
            await CatalogueQueries.PageAsync(db, Catalogue(db, filter), Numbered(page));
        async Task CountAsync(EventsDbContext db, CatalogueFilter filter) => await Catalogue(db, filter).CountAsync();
        // Before: what GET /api/v1/events ran until bounded totals, the page and an exact COUNT(*).
        async Task BeforeAsync(EventsDbContext db, CatalogueFilter filter, int page)
        {
            await CountAsync(db, filter);
            await PageAsync(db, filter, page);
        }
        // After: what it runs now (CatalogueQueries.ListAsync), the page and a total exact up to 10,000.
        CatalogueFilter Filtered() => new(City: AnyCity().Name, Interest: World.Interests[random.Next(10)]);
        async Task<CountedTotal> AfterAsync(EventsDbContext db, CatalogueFilter filter, PageStart<TimeAndId> start)
        {
            var earliest = filter.StartsAfter is null ? await CatalogueQueries.EarliestStartAsync(db, now) : now;
            var catalogue = CatalogueQueries.Catalogue(db, filter, anonymous, now, earliest);
            return (await CatalogueQueries.ListAsync(db, catalogue, start, CountedTotal.DefaultExactUpTo)).Total;
        }

        async Task<LatencyStats> Measure(string name, int warmUp, int runs, Func<EventsDbContext, Task> query) =>
            await Latency.MeasureAsync(
                name,
                warmUp,
                runs,
                options.Budget,
                async _ =>
                {
                    await using var db = NewContext();
                    await query(db);
                },
                log
            );

        // The cursor a client holds after page 4,999: the position of that page's last row.
        TimeAndId deepCursor;
        await using (var db = NewContext())
            deepCursor = CatalogueQueries.PositionOf(
                await Catalogue(db, noFilter).Skip((DeepPage - 1) * PageSize - 1).FirstAsync()
            );
        var deepByCursor = new PageStart<TimeAndId>(new PageRequest(DeepPage, PageSize), deepCursor);

        var cityNames = World.Cities.Select(c => c.Name).ToArray();
        var countries = World.Cities.Select(c => c.Country).Distinct().ToArray();
        string Pick(string[] values) => values[random.Next(values.Length)];
        var cases = new (string Name, Func<CatalogueFilter> Filter, int Page, PageStart<TimeAndId>? Cursor)[]
        {
            ("no filter, page 1", () => noFilter, 1, null),
            ($"no filter, page {DeepestNumberedPage} by offset (deepest)", () => noFilter, DeepestNumberedPage, null),
            ($"no filter, page {DeepPage} by cursor", () => noFilter, DeepPage, deepByCursor),
            ("city + interest, page 1", Filtered, 1, null),
            ("city, page 1", () => new(City: Pick(cityNames)), 1, null),
            ("country, page 1", () => new(Country: Pick(countries)), 1, null),
            ("interest, page 1", () => new(Interest: Pick(World.Interests)), 1, null),
            (
                "event_type, page 1",
                () => new(EventType: World.EventTypes[random.Next(World.EventTypes.Length)].Type),
                1,
                null
            ),
            ("price=paid, page 1", () => new(Paid: true), 1, null),
            ("q (one word), page 1", () => new(Text: Pick(World.Words)), 1, null),
            (
                "starts in a 7-day window, page 1",
                () =>
                {
                    var from = now.AddDays(random.Next(300));
                    return new(StartsAfter: from, StartsBefore: from.AddDays(7));
                },
                1,
                null
            ),
        };

        var equivalence = await CompareAsync(NewContext, random, now, log);

        // Each query on a fresh context and pooled connection, as one API request would run it.
        var loadBefore = LoadAverage();
        var runs = options.Runs;
        var nearby5 = await Measure(
            "nearby 5 km, limit 50 (random city +-2 km)",
            20,
            runs,
            db => NearbyAsync(db, AnyCity(), 5, true)
        );
        var nearby50 = await Measure(
            "nearby 50 km, limit 50 (random city +-2 km)",
            20,
            runs,
            db => NearbyAsync(db, AnyCity(), 50, true)
        );
        var page1 = await Measure("catalogue page 1 alone (limit 20)", 20, runs, db => PageAsync(db, noFilter, 1));
        var pageDeepest = await Measure(
            $"catalogue page {DeepestNumberedPage} alone (OFFSET {(DeepestNumberedPage - 1) * PageSize:N0})",
            10,
            runs,
            db => PageAsync(db, noFilter, DeepestNumberedPage)
        );
        var pageDeep = await Measure(
            $"page {DeepPage} alone by OFFSET {(DeepPage - 1) * PageSize:N0} (past the cap)",
            3,
            runs,
            db => PageAsync(db, noFilter, DeepPage)
        );
        var pageCursor = await Measure(
            $"catalogue page {DeepPage} alone, by cursor",
            20,
            runs,
            async db => await CatalogueQueries.PageAsync(db, Catalogue(db, noFilter), deepByCursor)
        );
        var count = await Measure("catalogue exact COUNT(*) (no filter)", 3, runs, db => CountAsync(db, noFilter));
        var bounded = await Measure(
            "catalogue bounded total (no filter)",
            10,
            runs,
            db => Catalogue(db, noFilter).CountBoundedAsync(CountedTotal.DefaultExactUpTo)
        );

        var requests = new List<(string Name, LatencyStats Before, LatencyStats After, string Totals)>();
        foreach (var (name, filterOf, page, cursor) in cases)
        {
            var before = await Measure($"before: {name}", 3, runs, db => BeforeAsync(db, filterOf(), page));
            var totals = new List<CountedTotal>();
            var after = await Measure(
                $"after: {name}",
                10,
                runs,
                async db =>
                {
                    var total = await AfterAsync(db, filterOf(), cursor ?? Numbered(page));
                    if (totals.Count < 1000)
                        totals.Add(total);
                }
            );
            var exact = totals.Count(t => !t.IsEstimate);
            requests.Add(
                (
                    name,
                    before,
                    after,
                    $"{exact}/{totals.Count} exact, totals {totals.Min(t => t.Count):N0}-{totals.Max(t => t.Count):N0}"
                )
            );
        }

        // The same nearby SQL with index and bitmap scans disabled on its connection: what the index saves.
        async Task<LatencyStats> MeasureSequential(string name, double radiusKm)
        {
            await using var db = NewContext();
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync(ForceSequentialScan);
            try
            {
                return await Latency.MeasureAsync(
                    name,
                    1,
                    5,
                    TimeSpan.Zero,
                    _ => NearbyAsync(db, AnyCity(), radiusKm, true),
                    log
                );
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("RESET ALL");
            }
        }
        var seq5 = await MeasureSequential("nearby 5 km, index scans disabled", 5);
        var seq50 = await MeasureSequential("nearby 50 km, index scans disabled", 50);

        var sorted5 = await Measure(
            "nearby 5 km, before: sort every row in radius",
            20,
            runs,
            db => SortedNearbyAsync(db, AnyCity(), 5, true)
        );
        var sorted50 = await Measure(
            "nearby 50 km, before: sort every row in radius",
            20,
            runs,
            db => SortedNearbyAsync(db, AnyCity(), 50, true)
        );
        var loadAfter = LoadAverage();

        report.Heading("Latency in ms (client side, EF Core through CatalogueQueries, one fresh DbContext per run)");
        report.Line(
            $"now = {now:yyyy-MM-dd HH:mm:ss} UTC, anonymous caller; nearby around the {World.Cities.Length} seeded "
                + "cities; warm-up runs not counted"
        );
        report.Line(
            $"load average (1 min) {loadBefore} before, {loadAfter} after, on {Environment.ProcessorCount} cores"
                + (
                    double.TryParse(loadBefore, CultureInfo.InvariantCulture, out var load)
                    && load > Environment.ProcessorCount
                        ? ": other work shared the machine, so the client figures are inflated; the "
                            + "EXPLAIN times below are steadier"
                        : ""
                )
        );
        report.Line();
        report.Line("One GET /api/v1/events request (page of 20 + its total), each filter drawn at random per run:");
        report.Line(
            "  before = the page + an exact COUNT(*) (the API until now); after = the page + a total exact up to"
        );
        report.Line(
            $"  {CountedTotal.DefaultExactUpTo:N0}, above that the planner's estimate with total_is_estimate "
                + "(CatalogueQueries.ListAsync)"
        );
        report.Line(
            $"{"request", -38} {"runs", 5} {"before p50", 11} {"p95", 8} {"after p50", 10} {"p95", 8} "
                + $"{"p95 gain", 9}  totals answered after"
        );
        foreach (var (name, before, after, totals) in requests)
            report.Line(
                $"{name, -38} {after.Runs, 5} {Report.Ms(before.P50), 11} {Report.Ms(before.P95), 8} "
                    + $"{Report.Ms(after.P50), 10} {Report.Ms(after.P95), 8} "
                    + $"{Report.Ratio(before.P95, after.P95), 9}  {totals}"
            );
        report.Line();
        report.Line("Parts and other queries the API runs:");
        report.Table([nearby5, nearby50, page1, pageDeepest, pageCursor, count, bounded]);
        report.Line();
        report.Line("For comparison (not what the API runs):");
        report.Table([seq5, seq50, sorted5, sorted50, pageDeep]);

        var afterPage1 = requests[0].After;
        var afterCursor = requests[2].After;
        report.Heading("Ratios (p50)");
        report.Line(
            $"  request page {DeepPage} by cursor / page 1 ...... {Report.Ratio(afterCursor.P50, afterPage1.P50)}"
        );
        report.Line(
            $"  request page {DeepestNumberedPage} by offset / page 1 ....... "
                + $"{Report.Ratio(requests[1].After.P50, afterPage1.P50)}"
        );
        report.Line($"  page {DeepPage} alone, cursor / page 1 ........ {Report.Ratio(pageCursor.P50, page1.P50)}");
        report.Line($"  page {DeepPage} alone, offset / page 1 ........ {Report.Ratio(pageDeep.P50, page1.P50)}");
        report.Line($"  exact COUNT / bounded total ........... {Report.Ratio(count.P50, bounded.P50)}");
        report.Line($"  nearby 50 km / 5 km ................... {Report.Ratio(nearby50.P50, nearby5.P50)}");
        report.Line($"  nearby 5 km, seq scan / index ......... {Report.Ratio(seq5.P50, nearby5.P50)}");
        report.Line($"  nearby 50 km, seq scan / index ........ {Report.Ratio(seq50.P50, nearby50.P50)}");
        report.Line($"  nearby 50 km, before / now ............ {Report.Ratio(sorted50.P50, nearby50.P50)}");

        // Plans: the captured command of one representative run, explained with the same parameters.
        async Task<(CapturedCommand Command, string Plan)> Plan(
            Func<EventsDbContext, Task> query,
            string? settings = null
        )
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
        await AddPlan(
            $"nearby 50 km around {densest.Name}, index scans disabled",
            db => NearbyAsync(db, densest, 50, false),
            ForceSequentialScan
        );
        await AddPlan("catalogue page 1 (ids)", db => PageAsync(db, noFilter, 1));
        await AddPlan($"catalogue page {DeepPage} by offset (ids)", db => PageAsync(db, noFilter, DeepPage));
        await AddPlan(
            $"catalogue page {DeepPage} by cursor (ids)",
            db => CatalogueQueries.PageAsync(db, Catalogue(db, noFilter), deepByCursor)
        );
        await AddPlan("before: exact COUNT(*), no filter", db => CountAsync(db, noFilter));
        // The bounded total's COUNT (run when the planner expects at most 20,000 rows; otherwise only an EXPLAIN runs).
        Task LimitedCount(EventsDbContext db, CatalogueFilter f) =>
            Catalogue(db, f).Take(CountedTotal.DefaultExactUpTo + 1).CountAsync();
        await AddPlan("after: bounded total's COUNT over LIMIT 10,001, no filter", db => LimitedCount(db, noFilter));
        await AddPlan(
            $"catalogue city={densest.Name} interest={World.Interests[0]}, page 1 (ids)",
            db => PageAsync(db, filter, 1)
        );
        await AddPlan(
            $"before: city={densest.Name} interest={World.Interests[0]}, exact COUNT(*)",
            db => CountAsync(db, filter)
        );
        await AddPlan(
            $"after: city={densest.Name} interest={World.Interests[0]}, bounded total's COUNT",
            db => LimitedCount(db, filter)
        );
        var country = new CatalogueFilter(Country: densest.Country);
        await AddPlan($"after: country={densest.Country}, page 1 (ids)", db => PageAsync(db, country, 1));
        await AddPlan($"after: country={densest.Country}, bounded total's COUNT", db => LimitedCount(db, country));
        var interest = new CatalogueFilter(Interest: World.Interests[1]);
        await AddPlan($"after: interest={World.Interests[1]}, page 1 (ids)", db => PageAsync(db, interest, 1));
        var text = new CatalogueFilter(Text: World.Words[0]);
        await AddPlan($"after: q={World.Words[0]}, page 1 (ids)", db => PageAsync(db, text, 1));
        await AddPlan($"after: q={World.Words[0]}, bounded total's COUNT", db => LimitedCount(db, text));
        await AddPlan(
            $"for comparison: nearby 50 km around {densest.Name}, before (sort every row)",
            db => SortedNearbyAsync(db, densest, 50, false)
        );

        report.Heading("Checks");
        foreach (var line in equivalence)
            report.Line("  " + line);
        foreach (
            var (name, _, plan) in plans.Where(p =>
                p.Name.StartsWith("nearby", StringComparison.Ordinal)
                && !p.Name.Contains("disabled", StringComparison.Ordinal)
            )
        )
        {
            var indexed =
                plan.Contains("community_events_position", StringComparison.Ordinal)
                && !plan.Contains("Seq Scan on community_events", StringComparison.Ordinal);
            report.Line(
                $"  {name}: GiST index community_events_position used, no Seq Scan on "
                    + $"community_events: {(indexed ? "YES" : "NO")}"
            );
        }
        report.Line(
            $"  nearby 50 km p95 {Report.Ms(nearby50.P95)} ms <= {NearbyP95TargetMs} ms: "
                + $"{(nearby50.P95 <= NearbyP95TargetMs ? "OK" : "POOR")}"
        );
        foreach (var (name, _, after, _) in requests)
            report.Line(
                $"  request {name}: p95 {Report.Ms(after.P95)} ms <= {RequestP95TargetMs} ms: "
                    + $"{(after.P95 <= RequestP95TargetMs ? "OK" : "POOR")}"
            );
        // A page by number reads every row before it, so numbered pages end at the offset cap; deeper, the cursor.
        var pastTheCap = new ValidationErrors();
        PageRequest.Read(DeepPage, PageSize, PageSize, pastTheCap);
        report.Line(
            $"  page {DeepPage} by number (OFFSET {(DeepPage - 1) * PageSize:N0} > {PageRequest.MaxOffset:N0}): a 400 "
                + $"with a hint: {(pastTheCap.Any ? "YES" : "NO")}"
        );
        report.Line(
            $"  request page {DeepPage} by cursor p50 {Report.Ms(afterCursor.P50)} ms <= 2x page 1 "
                + $"({Report.Ms(afterPage1.P50)} ms): "
                + (afterCursor.P50 <= 2 * afterPage1.P50 ? "OK" : "POOR")
        );

        report.Heading("Plan summaries (server side, from EXPLAIN ANALYZE)");
        foreach (var (name, _, plan) in plans)
            report.Line($"  {name}:{Environment.NewLine}    {Summarise(plan)}");

        report.Heading("Notes");
        foreach (var note in Notes)
            report.Line(note);

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
}
