using System.Globalization;
using System.Text;
using Community.Contracts;
using Community.Events.Bench;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.Social.Data;
using Community.Social.Discovery;
using Community.Social.Feed;
using Community.Social.Follows;
using Community.Social.Network;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Community.Social.Bench;

/// <summary>
/// Seeds the social service's tables (1,000,000 profiles by default) and measures discovery through
/// <see cref="DiscoveryApi.FindAsync"/>, the following list through <see cref="FollowsApi.PageAsync"/>,
/// the network path and suggestions through <see cref="NetworkApi"/>, and the feed through
/// <see cref="FeedApi.PageAsync"/> and <see cref="FeedApi.ItemsAsync"/>: the code the API runs.
/// Prints p50/p95/p99 and each query's EXPLAIN (ANALYZE, BUFFERS).
/// </summary>
public static partial class SocialBench
{
    private const int PageSize = 20; // the API's default limit
    private const double DiscoveryP95TargetMs = 20;
    private const double FeedP95TargetMs = 20;
    private const int PremiumAgeMin = 25;
    private const int PremiumAgeMax = 40;
    private const int FeedPagesMeasured = 10;
    private const int BigGroupSize = 20_000;
    private static readonly Guid BigGroupId = new("0b16b16b-0000-4000-8000-00000000b16b");

    private static readonly string[] Notes =
    [
        "- Discovery, following list, path and suggestions run the service's own query code (DiscoveryApi.FindAsync,",
        "  FollowsApi.PageAsync, NetworkApi.ShortestPathAsync / SuggestAsync), one fresh SocialDbContext per run.",
        "- Discovery called compatibility_score once per candidate (two profile lookups and a join of connections",
        "  each): 1,059 ms server side for a 4,500-candidate pair at 200,000 profiles. It now reads the caller's",
        "  interests, hidden people and connections in common with their two-hop neighbourhood once, and scores each",
        "  candidate with compatibility_points (migration 0005) over columns.",
        "- Region + interest candidates come from discovery_entries (migration 0006, kept by a trigger on",
        "  user_profiles):",
        "  an index-only scan of one key range of its covering primary key. Before it, the largest pair (58,626",
        "  candidates) read 32,661 profile pages: 296 ms server side.",
        "- A region, with or without an interest (migration 0025): the boosted and the caller's neighbourhood are",
        "  scored in full; everyone else ranks by a level (how many of the caller's interests they share), then elite,",
        "  then id, the key order of discovery_entries, discovery_pairs and discovery_regions, so each level is read",
        "  from a few ranges only as far as the page needs (the largest pair and a region alone scored every",
        "  candidate, and a region's elite members one by one, before).",
        "- No region (the People page's default), with or without an interest (migration 0037): the same levels",
        "  across regions, each level two ranges (the caller's own region, 20 points more, and every other) of new",
        "  indexes in the levels' order; the general query scored every listed profile before.",
        "- The boosted rank first, so a page of boosted people alone reads no level: the boosted and the caller's",
        "  neighbourhood are ranked first, alone, and the levels only when the boosted do not fill the page. With no",
        "  region the first pages are every boosted profile's (0.5%); the rows 'a page past the boosted' read the",
        "  levels.",
        "- The following list looked each profile up inside its projection, which EF turned into a window over every",
        "  profile (119 ms at 20,000 profiles); it now reads the page, then the page's profiles by key.",
        "- Path and suggestions joined the connection_edges view, which the planner answered by scanning every",
        "  connection (509 ms at 20,000 profiles); each next hop is now a LATERAL index lookup.",
        "- The feed of the user who follows 1,000 people (30 activities each over a year; 3 for everyone else) runs",
        "  FeedApi.PageAsync, then the page's names by key (FeedApi.ItemsAsync). The user belongs to no group, so the",
        "  group branch is empty.",
        "- The feed first read limit + 1 rows from every followed person and sorted them all (21,018 rows for page 1:",
        "  39 ms server side at 20,000 profiles). It now reads each person's newest row (one probe each), takes the",
        "  limit + 1-th newest of those as a bound every row of the page reaches, and "
            + "reads further only from the people",
        "  above it (5.8 ms at 20,000 profiles).",
    ];

    private const string Usage = """
        usage: run-social.sh [options]
          --profiles N    profiles to seed (default 1000000)
          --keep          reuse the seeded database when it has profiles (new migrations are still applied)
          --runs N        measured runs per query (default 200; slow ones stop after --budget)
          --budget S      seconds one query may be measured for (default 60)
          --database NAME database to seed (default social_bench)
          --seed N        random seed of the generated data (default 42)
          --out DIR       where the report goes (default <repo>/bench/results)
          --help          this text
        Uses COMMUNITY_POSTGRES when set, otherwise a private PostgreSQL in <repo>/.local/bench (kept between runs).
        """;

    public static async Task<int> Main(string[] args)
    {
        // Fewer than 10,000 profiles and the two-hop neighbourhoods of the seeded graph would overlap the whole table.
        if (
            BenchOptions.Read(
                args,
                "--profiles",
                10_000,
                new BenchOptions { Database = "social_bench" },
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
        var report = new StringBuilder();
        void Line(string line = "")
        {
            report.AppendLine(line);
            Console.Out.WriteLine(line);
        }
        await RunAsync(server, options, Line, stamp, Log);
        var folder = options.OutputFolder ?? Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(folder);
        var dated = Path.Combine(folder, $"social-{stamp:yyyyMMdd-HHmmss}.txt");
        await File.WriteAllTextAsync(dated, report.ToString());
        await File.WriteAllTextAsync(Path.Combine(folder, "social-latest.txt"), report.ToString());
        Log($"report written to {dated} and social-latest.txt beside it");
        return 0;
    }

    private static async Task RunAsync(
        PostgresServer server,
        BenchOptions options,
        Action<string> line,
        DateTimeOffset stamp,
        Action<string> log
    )
    {
        void Heading(string title)
        {
            line("");
            line(title);
            line(new string('-', title.Length));
        }

        var people = new Population(options.Count, options.Seed);
        var reuse = options.Keep && await SeededProfilesAsync(server, options.Database) == options.Count;
        if (!reuse)
            await server.DropDatabaseAsync(options.Database);
        var connectionString = await server.CreateDatabaseAsync(options.Database);
        // The connection settings the service ships with (statements prepared after a few uses, a pool of 20).
        await using var dataSource = new NpgsqlDataSourceBuilder(DatabaseSetup.WithConnectionDefaults(connectionString))
        {
            Name = "social-bench",
        }
            .EnableDynamicJson()
            .Build();
        await new SchemaMigrator(
            dataSource,
            [
                new MigrationSource("platform", typeof(DatabaseSetup).Assembly),
                new MigrationSource(ResourceNames.Social, typeof(SocialDbContext).Assembly),
            ],
            NullLogger<SchemaMigrator>.Instance
        ).StartAsync(CancellationToken.None);

        SocialSeedTimings? seeded = null;
        if (reuse)
        {
            // VACUUM too: a migration may have filled a table, and index-only scans need its visibility map.
            log("seed: reusing the seeded database (--keep); VACUUM (ANALYZE) only");
            await using var analyze = dataSource.CreateCommand("VACUUM (ANALYZE)");
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync();
        }
        else
        {
            seeded = await SocialSeeder.SeedAsync(dataSource, people, stamp, log);
        }

        var now = DateTimeOffset.UtcNow;
        line($"Community social benchmark, {stamp:yyyy-MM-dd HH:mm} UTC");
        line(new string('=', 48));
        await DescribeEnvironmentAsync(dataSource, line, now);
        Heading("Seeding");
        if (seeded is null)
            line("reused an already seeded database (--keep): no seeding this run");
        else
        {
            line(
                $"{seeded.Profiles:N0} profiles, {seeded.Connections:N0} accepted connections, {seeded.Follows:N0} "
                    + $"follows, {seeded.Blocks:N0} blocks, {seeded.Activities:N0} feed activities by binary COPY:"
            );
            line($"  COPY                {seeded.Copy.TotalSeconds, 7:F1} s");
            line(
                $"  rebuild indexes     {seeded.Indexes.TotalSeconds, 7:F1} s  "
                    + $"({string.Join(", ", seeded.PerIndex.Select(i => $"{i.Index} {i.Took.TotalSeconds:F1} s"))})"
            );
            line($"  VACUUM (ANALYZE)    {seeded.VacuumAnalyze.TotalSeconds, 7:F1} s");
            line($"  total               {seeded.Total.TotalSeconds, 7:F1} s");
        }

        var capture = new CommandCapture();
        var contextOptions = new DbContextOptionsBuilder<SocialDbContext>()
            .UseNpgsql(dataSource)
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(capture)
            .Options;
        SocialDbContext NewContext() => new(contextOptions);
        var random = new Random(options.Seed);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        int AnyCaller() => people.CallerIndices[random.Next(people.CallerIndices.Length)];
        DiscoverFilter RegionAndInterest(int caller)
        {
            var f = people.Fields(caller);
            return new DiscoverFilter(
                f.Region,
                f.Interests[random.Next(f.Interests.Length)],
                null,
                null,
                null,
                null,
                false
            );
        }
        DiscoverFilter Premium(int caller) =>
            RegionAndInterest(caller) with
            {
                Gender = random.Next(2) == 0 ? "female" : "male",
                BornBy = today.AddYears(-PremiumAgeMin),
                BornAfter = today.AddYears(-(PremiumAgeMax + 1)),
            };
        DiscoverFilter RegionOnly(int caller) => new(people.Fields(caller).Region, null, null, null, null, null, false);
        // The People page's default: no filter at all, or an interest of the caller's without a region.
        var noRegion = new DiscoverFilter(null, null, null, null, null, null, false);
        DiscoverFilter InterestOnly(int caller) => RegionAndInterest(caller) with { Region = null };
        async Task<List<DiscoveryApi.DiscoverRow>> Discover(
            SocialDbContext db,
            int caller,
            DiscoverFilter filter,
            DiscoverPosition? after = null
        ) =>
            await DiscoveryApi.FindAsync(
                db,
                Population.Id(caller),
                filter,
                after,
                PageSize + 1,
                now,
                CancellationToken.None
            );
        async Task SecondPage(SocialDbContext db, int caller, DiscoverFilter filter)
        {
            var first = await Discover(db, caller, filter);
            if (first.Count <= PageSize)
                return;
            var last = first[PageSize - 1];
            await Discover(db, caller, filter, new DiscoverPosition(last.Boosted, last.Score, last.Elite, last.UserId));
        }
        var bigFollower = Population.Id(people.BigFollower);
        Task<List<FollowsApi.FollowRow>> FollowingPage(SocialDbContext db, TimeAndId? after) =>
            FollowsApi.PageAsync(
                db,
                bigFollower,
                bigFollower,
                followers: false,
                after,
                PageSize + 1,
                CancellationToken.None
            );
        // Positions of every page of the big follower's list, so a run can fetch any page directly.
        var positions = new List<TimeAndId?> { null };
        await using (var db = NewContext())
        {
            while (true)
            {
                var page = await FollowingPage(db, positions[^1]);
                if (page.Count <= PageSize)
                    break;
                positions.Add(new TimeAndId(page[PageSize - 1].CreatedAt, page[PageSize - 1].OtherId));
            }
        }
        async Task FeedPage(SocialDbContext db, TimeAndId? after)
        {
            var rows = await FeedApi.PageAsync(db, bigFollower, after, PageSize + 1, CancellationToken.None);
            await FeedApi.ItemsAsync(db, rows.Take(PageSize).ToList(), CancellationToken.None);
        }
        Task<List<FeedApi.FeedRow>> FeedQuery(SocialDbContext db, TimeAndId? after) =>
            FeedApi.PageAsync(db, bigFollower, after, PageSize + 1, CancellationToken.None);
        // Positions of the feed's first pages, so a run can read any of them by cursor.
        var feedPositions = new List<TimeAndId?> { null };
        await using (var db = NewContext())
        {
            while (feedPositions.Count < FeedPagesMeasured)
            {
                var page = await FeedQuery(db, feedPositions[^1]);
                if (page.Count <= PageSize)
                    break;
                feedPositions.Add(new TimeAndId(page[PageSize - 1].OccurredAt, page[PageSize - 1].Id));
            }
        }
        Guid SameRegionStranger(int caller)
        {
            var region = people.Fields(caller).Region;
            while (true)
            {
                var other = random.Next(people.Count - 1);
                if (other != caller && people.Fields(other).Region == region)
                    return Population.Id(other);
            }
        }

        async Task<LatencyStats> Measure(string name, int warmUp, Func<SocialDbContext, Task> query) =>
            await Latency.MeasureAsync(
                name,
                warmUp,
                options.Runs,
                options.Budget,
                async _ =>
                {
                    await using var db = NewContext();
                    await query(db);
                },
                log
            );

        var loadBefore = LoadAverage();
        var discovery = await Measure(
            "discover region + interest (free), limit 20",
            20,
            db => Discover(db, AnyCaller(), RegionAndInterest(AnyCaller()))
        );
        var discoveryOwn = await Measure(
            "discover own region + own interest, limit 20",
            20,
            db =>
            {
                var c = AnyCaller();
                return Discover(db, c, RegionAndInterest(c));
            }
        );
        var premium = await Measure(
            $"discover region + interest + age {PremiumAgeMin}-{PremiumAgeMax} + gender",
            20,
            db =>
            {
                var c = AnyCaller();
                return Discover(db, c, Premium(c));
            }
        );
        var page2 = await Measure(
            "discover region + interest, pages 1 and 2",
            10,
            db =>
            {
                var c = AnyCaller();
                return SecondPage(db, c, RegionAndInterest(c));
            }
        );
        // The largest region and the most common interest (Zipf rank 1 of each): the most candidates any such filter
        // has.
        var largest = new DiscoverFilter(Population.Regions[0], Population.Interests[0], null, null, null, null, false);
        var widest = await Measure(
            $"discover {largest.Region} + {largest.Interest} (largest pair)",
            5,
            db => Discover(db, AnyCaller(), largest)
        );
        var regionOnly = await Measure(
            "discover region only (no interest), limit 20",
            5,
            db =>
            {
                var c = AnyCaller();
                return Discover(db, c, RegionOnly(c));
            }
        );
        var noFilter = await Measure(
            "discover no region (the People page's default), limit 20",
            5,
            db => Discover(db, AnyCaller(), noRegion)
        );
        var interestOnly = await Measure(
            "discover no region + interest, limit 20",
            5,
            db =>
            {
                var c = AnyCaller();
                return Discover(db, c, InterestOnly(c));
            }
        );
        // The boosted rank first, so the pages above are theirs (0.5% of profiles boosted now). A page past them (the
        // first position after every boosted person, as a cursor from the last boosted one's page gives) reads the
        // levels.
        var pastBoosted = new DiscoverPosition(false, 100, true, Guid.AllBitsSet);
        var noFilterPast = await Measure(
            "discover no region, a page past the boosted (levels)",
            5,
            db => Discover(db, AnyCaller(), noRegion, pastBoosted)
        );
        // Deeper: past everyone scoring over 35 (for a caller with a region, their region at two shared interests and
        // above), where the levels across regions come in.
        var noFilterDeep = await Measure(
            "discover no region, a page past everyone over 35 points",
            5,
            db => Discover(db, AnyCaller(), noRegion, new DiscoverPosition(false, 35, true, Guid.AllBitsSet))
        );
        var interestOnlyPast = await Measure(
            "discover no region + interest, a page past the boosted",
            5,
            db =>
            {
                var c = AnyCaller();
                return Discover(db, c, InterestOnly(c), pastBoosted);
            }
        );
        // A member of a big group (a city's 20,000 runners): every other member is a neighbour, scored with the
        // group they share. Neither the member nor the group's people are among the callers above.
        var groupMember = await BigGroupAsync(dataSource, people);
        var bigGroup = await Measure(
            $"discover no region, a member of a {BigGroupSize:N0}-member group",
            5,
            db => Discover(db, groupMember, noRegion)
        );
        var bigGroupPair = await Measure(
            $"discover region + interest, a member of a {BigGroupSize:N0}-member group",
            5,
            db => Discover(db, groupMember, RegionAndInterest(groupMember))
        );
        var followingFirst = await Measure(
            "following list of a user following 1,000: page 1",
            20,
            db => FollowingPage(db, null)
        );
        var followingAny = await Measure(
            $"following list: any of its {positions.Count} pages",
            20,
            db => FollowingPage(db, positions[random.Next(positions.Count)])
        );
        var feedFirst = await Measure(
            "feed of a user following 1,000: page 1 (with names)",
            20,
            db => FeedPage(db, null)
        );
        var feedAny = await Measure(
            $"feed: any of its first {feedPositions.Count} pages by cursor",
            20,
            db => FeedPage(db, feedPositions[random.Next(feedPositions.Count)])
        );
        var path = await Measure(
            "network path to someone in the same region",
            10,
            async db =>
            {
                var c = AnyCaller();
                await NetworkApi.ShortestPathAsync(db, Population.Id(c), SameRegionStranger(c), CancellationToken.None);
            }
        );
        var suggestions = await Measure(
            "network suggestions, limit 20",
            10,
            db => NetworkApi.SuggestAsync(db, Population.Id(AnyCaller()), PageSize, CancellationToken.None)
        );
        var loadAfter = LoadAverage();

        Heading("Latency in ms (client side, EF Core through the service's query code, one fresh DbContext per run)");
        line(
            $"now = {now:yyyy-MM-dd HH:mm:ss} UTC; {people.CallerIndices.Length} seeded callers (each about 6 "
                + "connections, 5 blocked, 5 blockers); warm-up runs not counted"
        );
        line(
            $"load average (1 min) {loadBefore} before, {loadAfter} after, on {Environment.ProcessorCount} cores"
                + (
                    double.TryParse(loadBefore, CultureInfo.InvariantCulture, out var load)
                    && load > Environment.ProcessorCount
                        ? ": other work shared the machine, so the client figures are inflated; the "
                            + "EXPLAIN times below are steadier"
                        : ""
                )
        );
        line("");
        line($"{"query", -60} {"runs", 5} {"p50", 9} {"p95", 9} {"p99", 9} {"mean", 9} {"max", 9}");
        LatencyStats[] discoveries =
        [
            discovery,
            discoveryOwn,
            premium,
            page2,
            widest,
            regionOnly,
            noFilter,
            interestOnly,
            noFilterPast,
            interestOnlyPast,
            noFilterDeep,
            bigGroup,
            bigGroupPair,
        ];
        foreach (var s in discoveries.Concat([followingFirst, followingAny, feedFirst, feedAny, path, suggestions]))
            line(
                $"{s.Name, -60} {s.Runs, 5} {Ms(s.P50), 9} {Ms(s.P95), 9} {Ms(s.P99), 9} {Ms(s.Mean), 9} {Ms(s.Max), 9}"
            );

        var sample = people.CallerIndices[0];
        var sampleFields = people.Fields(sample);
        var sampleFilter = new DiscoverFilter(
            sampleFields.Region,
            sampleFields.Interests[0],
            null,
            null,
            null,
            null,
            false
        );
        Heading("Checks");
        foreach (var s in discoveries)
            line(
                $"  {s.Name}: p95 {Ms(s.P95)} ms <= {DiscoveryP95TargetMs} ms: "
                    + $"{(s.P95 <= DiscoveryP95TargetMs ? "OK" : "POOR")}"
            );
        await using (
            var counts = dataSource.CreateCommand(
                """
                SELECT count(*) FILTER (WHERE lower(region) = lower(@sr) AND interests @> ARRAY[@si]),
                       count(*) FILTER (WHERE lower(region) = lower(@lr) AND interests @> ARRAY[@li]),
                       count(*) FILTER (WHERE lower(region) = lower(@lr))
                FROM user_profiles WHERE username IS NOT NULL AND deleted_at IS NULL
                """
            )
        )
        {
            counts.Parameters.AddWithValue("sr", sampleFilter.Region!);
            counts.Parameters.AddWithValue("si", sampleFilter.Interest!);
            counts.Parameters.AddWithValue("lr", largest.Region!);
            counts.Parameters.AddWithValue("li", largest.Interest!);
            await using var reader = await counts.ExecuteReaderAsync();
            await reader.ReadAsync();
            line(
                $"  candidates: {reader.GetInt64(0):N0} for {sampleFilter.Region} + "
                    + $"{sampleFilter.Interest} (the plans' sample), "
                    + $"{reader.GetInt64(1):N0} for {largest.Region} + {largest.Interest}, "
                    + $"{reader.GetInt64(2):N0} in {largest.Region} alone"
            );
        }
        line(
            $"  following list pages walked: {positions.Count} (the user follows "
                + $"{Population.BigFollowerFollows:N0}; {PageSize} a page)"
        );
        foreach (var s in new[] { feedFirst, feedAny })
            line(
                $"  {s.Name}: p95 {Ms(s.P95)} ms <= {FeedP95TargetMs} ms: {(s.P95 <= FeedP95TargetMs ? "OK" : "POOR")}"
            );

        var plans = new List<(string Name, CapturedCommand Command, string Plan)>();
        // Discovery reads the caller's interests first: its ranking query is the last command it sends.
        async Task AddPlan(string name, Func<SocialDbContext, Task> query, bool last = false)
        {
            await using var db = NewContext();
            var command = await capture.CaptureAsync(() => query(db), last);
            plans.Add((name, command, await ExplainAsync(dataSource, command)));
        }
        await AddPlan(
            $"discover region={sampleFilter.Region} interest={sampleFilter.Interest}",
            db => Discover(db, sample, sampleFilter),
            last: true
        );
        await AddPlan(
            $"discover region={sampleFilter.Region} interest={sampleFilter.Interest} age "
                + $"{PremiumAgeMin}-{PremiumAgeMax} gender=female",
            db =>
                Discover(
                    db,
                    sample,
                    sampleFilter with
                    {
                        Gender = "female",
                        BornBy = today.AddYears(-PremiumAgeMin),
                        BornAfter = today.AddYears(-(PremiumAgeMax + 1)),
                    }
                ),
            last: true
        );
        await AddPlan(
            $"discover region={largest.Region} interest={largest.Interest} (largest pair)",
            db => Discover(db, sample, largest),
            last: true
        );
        await AddPlan(
            $"discover region={sampleFilter.Region} (no interest)",
            db => Discover(db, sample, sampleFilter with { Interest = null }),
            last: true
        );
        await AddPlan("discover with no region", db => Discover(db, sample, noRegion), last: true);
        await AddPlan(
            $"discover interest={sampleFilter.Interest} (no region)",
            db => Discover(db, sample, sampleFilter with { Region = null }),
            last: true
        );
        await AddPlan(
            "discover with no region, a page past the boosted",
            db => Discover(db, sample, noRegion, pastBoosted),
            last: true
        );
        await AddPlan(
            $"discover interest={sampleFilter.Interest} (no region), a page past the boosted",
            db => Discover(db, sample, sampleFilter with { Region = null }, pastBoosted),
            last: true
        );
        await AddPlan(
            $"discover with no region, a member of a {BigGroupSize:N0}-member group",
            db => Discover(db, groupMember, noRegion),
            last: true
        );
        await AddPlan("following list page 1", db => FollowingPage(db, null));
        await AddPlan($"following list page {positions.Count}", db => FollowingPage(db, positions[^1]));
        await AddPlan("feed page 1", db => FeedQuery(db, null));
        await AddPlan($"feed page {feedPositions.Count}", db => FeedQuery(db, feedPositions[^1]));
        await AddPlan(
            "network path",
            db =>
                NetworkApi.ShortestPathAsync(
                    db,
                    Population.Id(sample),
                    SameRegionStranger(sample),
                    CancellationToken.None
                )
        );
        await AddPlan(
            "network suggestions",
            db => NetworkApi.SuggestAsync(db, Population.Id(sample), PageSize, CancellationToken.None)
        );

        Heading("Plan summaries (server side, from EXPLAIN ANALYZE)");
        foreach (var (name, _, plan) in plans)
            line(
                $"  {name}: "
                    + plan.Split(Environment.NewLine)
                        .FirstOrDefault(l => l.StartsWith("Execution Time", StringComparison.Ordinal))
                        ?.Trim()
            );

        Heading("Notes");
        foreach (var note in Notes)
            line(note);

        Heading("Plans: EXPLAIN (ANALYZE, BUFFERS) of the SQL EF sent, with its parameters");
        foreach (var (name, command, plan) in plans)
        {
            line("");
            line($"== {name}");
            line(command.Describe().TrimEnd());
            line("--");
            line(plan);
        }
    }

    /// <summary>
    /// The big group (made once, kept with the data): <see cref="BigGroupSize"/> profiles that are not callers, taken
    /// every few profiles so they spread over regions and interests; answers the one whose discovery is measured.
    /// </summary>
    private static async Task<int> BigGroupAsync(NpgsqlDataSource dataSource, Population people)
    {
        var callers = people.CallerIndices.Append(people.BigFollower).ToHashSet();
        var members = Enumerable
            .Range(0, people.Count)
            .Where(i => i % 7 == 3 && !callers.Contains(i))
            .Take(BigGroupSize)
            .ToArray();
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO groups (id, owner_id, name, visibility, join_policy, member_count, created_at, updated_at)
            VALUES (@group, @owner, 'Bench big group', 'public', 'open', cardinality(@members), now(), now())
            ON CONFLICT (id) DO NOTHING;
            INSERT INTO group_members (group_id, user_id, role, joined_at)
            SELECT @group, m, CASE WHEN m = @owner THEN 'owner' ELSE 'member' END, now() FROM unnest(@members) AS m
            ON CONFLICT DO NOTHING;
            ANALYZE group_members;
            """
        );
        command.Parameters.AddWithValue("group", BigGroupId);
        command.Parameters.AddWithValue("owner", Population.Id(members[0]));
        command.Parameters.AddWithValue("members", members.Select(Population.Id).ToArray());
        await command.ExecuteNonQueryAsync();
        return members[1];
    }

    private static string Ms(double ms) => ms.ToString(ms >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture);
}
