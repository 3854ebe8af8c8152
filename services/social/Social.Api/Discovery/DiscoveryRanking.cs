using System.Runtime.CompilerServices;
using Community.Contracts;
using Community.ServiceDefaults.Data;
using static Community.ServiceDefaults.Data.TypedParameters;

namespace Community.Social.Discovery;

// Discovery's ranking queries, apart from its endpoint: the endpoint validates and pages, these rank.
public static partial class DiscoveryApi
{
    /// <summary>
    /// The people discovery shows <paramref name="callerId"/> (boosted now first, then compatibility, then elite
    /// before the rest, then id), a page after <paramref name="after"/>. The score is compatibility_score's, computed
    /// from columns (compatibility_points) against what is read of the caller once, so no candidate costs a call.
    /// The caller and a page's statements read one snapshot: a change committed between them (a boost, a profile's
    /// interests) cannot list a person twice on the page or leave them out of it (across pages, the cursor's time
    /// keeps the order).
    /// </summary>
    public static Task<List<DiscoverRow>> FindAsync(
        SocialDbContext db,
        Guid callerId,
        DiscoverFilter filter,
        DiscoverPosition? after,
        int probe,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        return db.InSnapshotAsync(FindInSnapshotAsync, cancellationToken);

        async Task<List<DiscoverRow>> FindInSnapshotAsync()
        {
            var includeConnected = filter.IncludeConnected;
            var caller = (
                await db
                    .Database.SqlQuery<CallerContext>(
                        $"""
                        SELECT me.user_id IS NOT NULL AS has_profile,
                               COALESCE(me.interests, ARRAY[]::text[]) AS interests, me.region,
                               ARRAY(SELECT blocked_id FROM blocks WHERE blocker_id = {callerId}
                                     UNION SELECT blocker_id FROM blocks WHERE blocked_id = {callerId}
                                     UNION SELECT other_id FROM connection_edges WHERE user_id = {callerId}
                                         AND NOT {includeConnected}) AS hidden,
                               COALESCE(m.ids, ARRAY[]::uuid[]) AS mutual_ids, COALESCE(m.counts,
                                   ARRAY[]::integer[]) AS mutual_counts,
                               COALESCE(g.ids, ARRAY[]::uuid[]) AS group_mate_ids, COALESCE(g.counts,
                                   ARRAY[]::integer[]) AS group_mate_counts,
                               -- The caller's interests, rarest first by the discovery ranges' statistics.
                               ARRAY(SELECT i FROM unnest(me.interests) AS i
                                     LEFT JOIN (SELECT unnest(s.most_common_vals::text::text[]) AS v,
                                                       unnest(s.most_common_freqs) AS f
                                                FROM pg_stats s WHERE s.schemaname = current_schema()
                                                    AND s.tablename = 'discovery_entries' AND s.attname = 'interest') s
                                         ON s.v = i
                                     GROUP BY i ORDER BY COALESCE(max(s.f), 0), i) AS rarest,
                               -- What a level scores, sharing 0-5 interests, out of the caller's region and in it.
                               ARRAY(SELECT compatibility_points(s, r, 0, 0) FROM generate_series(0, 5) AS s,
                                         (VALUES (false), (true)) AS v(r)
                                     ORDER BY r, s) AS level_points
                        FROM (SELECT 1) AS one
                        LEFT JOIN user_profiles me ON me.user_id = {callerId}
                        LEFT JOIN LATERAL (
                            SELECT array_agg(f.user_id) AS ids, array_agg(f.n) AS counts FROM (
                                SELECT e.other_id AS user_id, count(*)::integer AS n
                                FROM connection_edges mine
                                CROSS JOIN LATERAL (SELECT c.addressee_id AS other_id FROM connections c
                                    WHERE c.requester_id = mine.other_id AND c.status = 'accepted'
                                                    UNION ALL SELECT c.requester_id FROM connections c
                                                        WHERE c.addressee_id = mine.other_id
                                                            AND c.status = 'accepted') e
                                WHERE mine.user_id = {callerId}
                                GROUP BY e.other_id) f
                        ) m ON true
                        LEFT JOIN LATERAL (
                            SELECT array_agg(f.user_id) AS ids, array_agg(f.n) AS counts FROM (
                                SELECT other.user_id, count(*)::integer AS n
                                FROM group_members mine JOIN group_members other ON other.group_id = mine.group_id
                                    AND other.user_id <> mine.user_id
                                WHERE mine.user_id = {callerId}
                                GROUP BY other.user_id) f
                        ) g ON true
                        """
                    )
                    .ToListAsync(cancellationToken)
            ).Single();
            var mine = caller.Interests.Distinct(StringComparer.Ordinal).ToArray();
            // Without a region the levels key profiles without one under '', so a caller whose region is '' (never
            // stored by identity, which trims blanks to null) would count them as of their region: the general query.
            if (filter is { Q: null } && caller.HasProfile && (filter.Region is not null || caller.Region is not ""))
                return await FindByLevelsAsync(
                    db,
                    callerId,
                    caller,
                    mine,
                    filter,
                    after,
                    probe,
                    now,
                    cancellationToken
                );
            var pattern = filter.Q is null
                ? null
                : "%" + filter.Q.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            var args = Parameters(callerId, now, filter, pattern, after, probe, caller, mine);
            // Shared interests: one containment test per interest of the caller (parameters 20 on), 0 when they have
            // none.
            var shared =
                mine.Length == 0
                    ? "0"
                    : string.Join(" + ", mine.Select((_, i) => $"(p.interests @> ARRAY[{{{20 + i}}}::text])::integer"));
            // A region and an interest: one key range of discovery_entries (migration 0006); otherwise the profiles.
            // Both are aliased p, with the columns ranking and the premium filters read.
            var pair = filter.Region is not null && filter.Interest is not null;
            var table = pair ? "discovery_entries" : "user_profiles";
            var where = pair
                ? """
                    p.region_key = lower({2}::text) AND p.interest = {3}::text
                        AND ({4}::text IS NULL OR EXISTS (SELECT 1 FROM user_profiles q WHERE q.user_id = p.user_id
                            AND (q.username ILIKE {4}::text OR q.full_name ILIKE {4}::text)))
                    """
                : """
                    p.username IS NOT NULL AND p.deleted_at IS NULL
                        AND ({2}::text IS NULL OR lower(p.region) = lower({2}::text))
                        AND ({3}::text IS NULL OR p.interests @> ARRAY[{3}::text])
                        AND ({4}::text IS NULL OR p.username ILIKE {4}::text OR p.full_name ILIKE {4}::text)
                    """;
            var sameRegion = pair ? "p.region_key = lower({14}::text)" : "lower(p.region) = lower({14}::text)";
            var elite = pair
                ? $"EXISTS (SELECT 1 FROM user_profiles u WHERE u.user_id = p.user_id AND {IsElite("u")})"
                : IsElite("p");
            var n = Neighbourhood.Of(caller);
            var sql = FormattableStringFactory.Create(
                $$"""
                WITH {{n.Cte}}candidates AS (
                    SELECT p.user_id,
                           (p.boosted_until IS NOT NULL AND p.boosted_until > {1}) AS boosted,
                           CASE WHEN {8} THEN compatibility_points({{shared}},
                                                                   {14}::text IS NOT NULL AND {{sameRegion}},
                                                                   {{n.Points}})
                                ELSE 0 END AS score,
                           {{elite}} AS elite
                    FROM {{table}} p
                    WHERE {{where}}
                      AND p.user_id <> {0}
                      AND ({5}::text IS NULL OR p.gender = {5}::text)
                      AND ({6}::date IS NULL OR p.date_of_birth <= {6}::date)
                      AND ({7}::date IS NULL OR p.date_of_birth > {7}::date)
                      AND {{n.NotHidden}}
                ),
                {{PageOfCandidates}}
                """,
                args
            );
            return await db.Database.SqlQuery<DiscoverRow>(sql).ToListAsync(cancellationToken);
        }
    }

    /// <summary>
    /// No text, with or without a region and an interest: the general query's people and order without scoring every
    /// candidate (migrations 0025 and 0037 say how). The boosted and the caller's neighbourhood are scored in full;
    /// everyone else ranks by a level (how many of the caller's interests they share), then elite, then id, which is
    /// the order of every discovery range, so each level is read from its ranges only as far as a page needs. With no
    /// region a level is two ranges: the caller's own region (20 points more) and every other.
    /// DiscoveryRangeTests and DiscoveryNoRegionTests hold it to the general query's answers.
    /// </summary>
    private static async Task<List<DiscoverRow>> FindByLevelsAsync(
        SocialDbContext db,
        Guid callerId,
        CallerContext caller,
        string[] mine,
        DiscoverFilter filter,
        DiscoverPosition? after,
        int probe,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var interest = filter.Interest;
        // The interests that make levels, rarest first (the smallest ranges are the ones a sparse level reads whole):
        // all of the caller's without an interest asked; those besides the asked-for one with one.
        var order = caller.Rarest.Distinct(StringComparer.Ordinal).Where(i => i != interest).ToArray();
        var baseShared = interest is not null && mine.Contains(interest, StringComparer.Ordinal) ? 1 : 0;
        var neighbours = caller.MutualIds.Union(caller.GroupMateIds).ToArray();
        var n = Neighbourhood.Of(caller);
        var parts = RegionPart.Of(filter.Region, caller.Region);
        var levels = interest is null
            ? RegionLevels(order.Length, parts, n)
            : InterestLevels(order.Length, baseShared, parts, n);
        var table = interest is null ? "discovery_regions" : "discovery_entries";
        var range = (filter.Region, interest) switch
        {
            (null, null) => "true",
            (null, _) => "p.interest = {3}::text",
            (_, null) => "p.region_key = lower({2}::text)",
            _ => "p.region_key = lower({2}::text) AND p.interest = {3}::text",
        };
        var sameRegion = filter.Region is null ? RegionPart.Caller : SameRegion;
        var shared = baseShared + " + " + Shared(Enumerable.Range(0, order.Length));

        // The page in steps, each final above its floor, so a page filled high up reads no lower level (each level
        // step scores the neighbourhood, again after the first). The boosted rank before everyone else: they are ranked
        // alone first (with no region, the People page's first pages: every boosted profile, 5,037 at 1,000,000).
        // With no region asked and the caller's known (two parts: their own region, then every other), the levels
        // then come in two: those scoring at least the caller's region at two shared interests (their region's people
        // fill most pages), then the rest, the sparse ranges across regions among them (52 ranges planned and read
        // for a five-interest caller before: 13.4 ms planning, 11.5 executing). What each level scores is then known
        // here, from compatibility_points itself (LevelPoints), so a page past a cursor leaves out the ranges scoring
        // above it (all their people come before it). The rest always holds level 0.
        int Points(Range r) => caller.LevelPoints[(r.Part == 0 ? 6 : 0) + Math.Min(r.Shared, 5)];
        var reachable =
            parts.Length == 2 && after is { Boosted: false } cursor
                ? levels.Where(r => 2 * Points(r) <= cursor.Rank).ToList()
                : levels;
        var high = parts.Length == 2 ? reachable.Where(r => Points(r) >= caller.LevelPoints[6 + 2]).ToList() : [];
        var rest = reachable.Except(high).ToList();
        // The first step keeps only the boosted, as no one else ranks above its floor (no score passes 100): it reads
        // and scores no neighbour's row (a member of a 20,000-member group read and scored all 20,000 there for
        // nothing: 207 ms, 30 without them). The lookups are still built: the boosted's scores need them.
        var boostedOnly = Below(100);
        List<(List<Range> Ranges, DiscoverPosition? Floor)> steps =
            high.Count > 0
                ? [([], boostedOnly), (high, Below(rest.Max(Points))), (rest, null)]
                : [([], boostedOnly), (reachable, null)];
        var page = new List<DiscoverRow>();
        var from = after;
        foreach (var (ranges, floor) in steps)
        {
            // Nothing after the cursor is above this step's floor: the next step's ranking holds all of it.
            if (floor is { } f && from is { } c && !Above(c, f))
                continue;
            var rows = await RankAsync(ranges, floor == boostedOnly ? [] : neighbours, from, probe - page.Count);
            page.AddRange(
                floor is { } fl ? rows.TakeWhile(r => Above(new(r.Boosted, r.Score, r.Elite, r.UserId), fl)) : rows
            );
            if (floor is null || page.Count == probe)
                break;
            from = floor;
        }
        return page;

        async Task<List<DiscoverRow>> RankAsync(
            List<Range> levelRanges,
            Guid[] near,
            DiscoverPosition? position,
            int count
        )
        {
            // The general query's parameter numbers; 4 and 8 (its text, has a profile) are unused.
            var args = Parameters(callerId, now, filter, null, position, count, caller, [near, .. order]);
            // The boosted are read only while the cursor is among them (a constant condition: a custom plan of a
            // page past them has no read of theirs, a generic one skips it). The neighbours are read by their ids
            // alone, then kept to the range (OFFSET 0 keeps the range's condition out of that read): a prepared
            // statement's generic plan otherwise ANDed their ids' bitmap with the whole range's, 58,626 entries for
            // Dubai Marina + fitness at 1,000,000 profiles (11-25 ms a run against 2.4 ms). The boosted among them
            // come from the first branch, so the two never overlap and need no UNION's hashing of every row (with no
            // region and no interest the first branch is every boosted profile: 28 -> 24.5 ms for a five-interest
            // caller).
            var sql = FormattableStringFactory.Create(
                $$"""
                WITH {{n.Cte}}near AS (
                    SELECT p.* FROM {{table}} p
                    WHERE ({11}::uuid IS NULL OR {9}::boolean)
                      AND {{range}} AND p.boosted_until IS NOT NULL AND p.boosted_until > {1}
                    UNION ALL
                    SELECT p.* FROM (SELECT * FROM {{table}} WHERE user_id = ANY ({20}::uuid[]) OFFSET 0) p
                    WHERE {{range}} AND (p.boosted_until IS NULL OR p.boosted_until <= {1})
                ),
                candidates AS (
                    SELECT p.user_id, (p.boosted_until IS NOT NULL AND p.boosted_until > {1}) AS boosted,
                           compatibility_points({{shared}}, {{sameRegion}}, {{n.Points}}) AS score, p.elite
                    FROM near p
                    WHERE p.user_id <> {0} AND {{n.NotHidden}} {{Filters}}
                    {{string.Concat(levelRanges.Select(l => "\nUNION ALL\n" + l.Sql))}}
                ),
                {{PageOfCandidates}}
                """,
                args
            );
            return await db.Database.SqlQuery<DiscoverRow>(sql).ToListAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The position just after every boosted person and everyone scoring over <paramref name="score"/>, before everyone
    /// else: the elite scoring <paramref name="score"/> come after it too, as no user id is all ones.
    /// </summary>
    private static DiscoverPosition Below(int score) => new(false, score, true, Guid.AllBitsSet);

    /// <summary>
    /// Whether <paramref name="position"/> comes before <paramref name="floor"/>, a <see cref="Below"/> position (whose
    /// id no one's exceeds, so ids need no comparing: the database's uuid order is not Guid's).
    /// </summary>
    private static bool Above(DiscoverPosition position, DiscoverPosition floor) =>
        position.Boosted != floor.Boosted ? position.Boosted : position.Rank > floor.Rank;

    /// <summary>
    /// The ranking queries' parameters: 0-19 numbered alike in both, then <paramref name="rest"/> (20 on). Optional
    /// values go typed (TypedParameters): set or not, a statement keeps its prepared form and plan.
    /// </summary>
    private static object?[] Parameters(
        Guid callerId,
        DateTimeOffset now,
        DiscoverFilter filter,
        string? pattern,
        DiscoverPosition? position,
        int count,
        CallerContext caller,
        IEnumerable<object?> rest
    ) =>
        [
            callerId,
            now,
            Text(filter.Region),
            Text(filter.Interest),
            Text(pattern),
            Text(filter.Gender),
            Date(filter.BornBy),
            Date(filter.BornAfter),
            caller.HasProfile,
            Boolean(position?.Boosted),
            Integer(position?.Rank),
            Uuid(position?.Id),
            count,
            caller.Interests,
            Text(caller.Region),
            caller.Hidden,
            caller.MutualIds,
            caller.MutualCounts,
            caller.GroupMateIds,
            caller.GroupMateCounts,
            .. rest,
        ];

    private const string Filters = """
        AND ({5}::text IS NULL OR p.gender = {5}::text)
        AND ({6}::date IS NULL OR p.date_of_birth <= {6}::date)
        AND ({7}::date IS NULL OR p.date_of_birth > {7}::date)
        """;

    private const string SameRegion = "({14}::text IS NOT NULL AND lower({2}::text) = lower({14}::text))";

    /// <summary>
    /// Where a level's ranges read (<paramref name="Range"/>, on the rows' region_key) and whether the caller's region
    /// is theirs (<paramref name="SameRegion"/>): the asked-for region; with none, the caller's own and every other.
    /// </summary>
    private sealed record RegionPart(string Range, string SameRegion)
    {
        /// <summary>Candidate p is of the caller's region (parameter 14); rows without a region are keyed ''.</summary>
        public const string Caller = "({14}::text IS NOT NULL AND p.region_key = lower({14}::text))";

        public static RegionPart[] Of(string? region, string? callerRegion) =>
            (region, callerRegion) switch
            {
                (not null, _) => [new("p.region_key = lower({2}::text)", DiscoveryApi.SameRegion)],
                (null, null) => [new("true", "false")],
                _ =>
                [
                    new("p.region_key = lower({14}::text)", "true"),
                    new("p.region_key <> lower({14}::text)", "false"),
                ],
            };
    }

    /// <summary>The i-th interest that makes levels (parameters 21 on).</summary>
    private static string Interest(int i) => $"{{{21 + i}}}::text";

    /// <summary>
    /// How many of those interests candidate p has. <c>= ANY</c> rather than <c>@> ARRAY[...]</c>: cheaper a row, and a
    /// generic plan built that one-element array for every row (26 -> 22 ms for a five-interest caller with no region;
    /// 25.4 -> 23.8 ms with custom plans). Interests never hold a null (identity refuses blank ones, and the discovery
    /// tables' triggers could not write a null interest's row), so both say the same.
    /// </summary>
    private static string Shared(IEnumerable<int> indices) =>
        "(0" + string.Concat(indices.Select(i => $" + ({Interest(i)} = ANY (p.interests))::integer")) + ")";

    /// <summary>
    /// Candidate p has none of those interests (true when there are none), one <c>= ANY</c> each, like
    /// <see cref="Shared"/>: <c>&amp;&amp; ARRAY[...]</c> cost more a row, its array built for each in a generic plan.
    /// </summary>
    private static string NoneOf(IEnumerable<int> indices) =>
        indices.Any()
            ? "(" + string.Join(" AND ", indices.Select(i => $"NOT ({Interest(i)} = ANY (p.interests))")) + ")"
            : "true";

    /// <summary>
    /// One range of a level, in its order, from the cursor on and only as far as a page needs: the people outside
    /// the neighbourhood and the boosted few who meet the level's <paramref name="condition"/>, scored
    /// <paramref name="score"/> (with <paramref name="score"/> known, rank and id bound the range like the cursor).
    /// </summary>
    private static string LevelRange(string table, string range, string condition, string score, Neighbourhood n) =>
        $$"""
            (SELECT p.user_id, false AS boosted, {{score}} AS score, p.elite
             FROM {{table}} p
             WHERE {{range}}
               AND (p.elite, p.user_id) < (
                   {11}::uuid IS NULL OR {9}::boolean OR {10}::integer > 2 * {{score}},
                   CASE WHEN {11}::uuid IS NULL OR {9}::boolean OR {10}::integer > 2 * {{score}} + 1
                        THEN 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid
                        WHEN {10}::integer >= 2 * {{score}} THEN {11}::uuid
                        ELSE '00000000-0000-0000-0000-000000000000'::uuid END)
               AND {{condition}}
               AND (p.boosted_until IS NULL OR p.boosted_until <= {1}) AND p.user_id <> {0}
               AND {{n.NotHidden}} AND {{n.Outside}} {{Filters}}
             ORDER BY p.elite DESC, p.user_id DESC
             LIMIT {12})
            """;

    /// <summary>
    /// One range of a level in its SQL, with the interests its people share and the region part it reads (an index
    /// into <see cref="RegionPart.Of"/>'s parts): what its score is made of.
    /// </summary>
    private sealed record Range(string Sql, int Shared, int Part);

    /// <summary>A level's ranges, one for each region part, <paramref name="key"/> within it (none: "").</summary>
    private static IEnumerable<Range> LevelRanges(
        string table,
        RegionPart[] parts,
        string key,
        string condition,
        int shared,
        Neighbourhood n
    ) =>
        parts.Select(
            (part, i) =>
                new Range(
                    LevelRange(
                        table,
                        key == "" ? part.Range : $"{part.Range} AND {key}",
                        condition,
                        $"compatibility_points({shared}, {part.SameRegion}, 0, 0)",
                        n
                    ),
                    shared,
                    i
                )
        );

    /// <summary>
    /// The levels without an interest asked (a region's, or every region's in <paramref name="parts"/>), k interests
    /// of the caller's (parameters 21 on, rarest first): sharing 5 or more, 4, ... 1, none. Sharing at least l of k
    /// means sharing 2 of any k - l + 2 of them, so level l is read from the pair ranges of the rarest k - l + 2 (or,
    /// when those would be over 10 ranges, from the single interests' ranges of the rarest k - l + 1); each person is
    /// read from one range only: the first one of theirs.
    /// </summary>
    private static List<Range> RegionLevels(int k, RegionPart[] parts, Neighbourhood n)
    {
        var all = Enumerable.Range(0, k).ToArray();
        var levels = new List<Range>();
        for (var level = Math.Min(5, k); level >= 2; level--)
        {
            var condition = Shared(all) + (level == 5 ? " >= 5" : $" = {level}");
            var pairs = k - level + 2;
            if (pairs * (pairs - 1) / 2 <= 10)
            {
                for (var i = 0; i < pairs; i++)
                for (var j = i + 1; j < pairs; j++)
                    levels.AddRange(
                        LevelRanges(
                            "discovery_pairs",
                            parts,
                            $"p.interest_a = LEAST({Interest(i)}, {Interest(j)})"
                                + $" AND p.interest_b = GREATEST({Interest(i)}, {Interest(j)})",
                            $"{condition} AND {NoneOf(all[..i])} AND {NoneOf(all[(i + 1)..j])}",
                            level,
                            n
                        )
                    );
            }
            else
            {
                for (var i = 0; i < k - level + 1; i++)
                    levels.AddRange(
                        LevelRanges(
                            "discovery_entries",
                            parts,
                            $"p.interest = {Interest(i)}",
                            $"{condition} AND {NoneOf(all[..i])}",
                            level,
                            n
                        )
                    );
            }
        }
        if (k > 0)
            for (var i = 0; i < k; i++)
                levels.AddRange(
                    LevelRanges("discovery_entries", parts, $"p.interest = {Interest(i)}", Shared(all) + " = 1", 1, n)
                );
        levels.AddRange(LevelRanges("discovery_regions", parts, "", NoneOf(all), 0, n));
        return levels;
    }

    /// <summary>
    /// An interest's levels (in a region, or in every region's <paramref name="parts"/>): the caller's m other
    /// interests (parameters 21 on, rarest first) shared by e of them, plus <paramref name="baseShared"/> (the
    /// asked-for interest, when it is the caller's). Sharing e of m means having one of any m - e + 1 of them, so e is
    /// read from the pair ranges (the interest and another) of the rarest m - e + 1, each person from their first;
    /// those sharing none from the interest's range.
    /// </summary>
    private static List<Range> InterestLevels(int m, int baseShared, RegionPart[] parts, Neighbourhood n)
    {
        var all = Enumerable.Range(0, m).ToArray();
        var levels = new List<Range>();
        var capped = 5 - baseShared;
        for (var e = Math.Min(m, capped); e >= 1; e--)
        {
            var condition = Shared(all) + (e == capped ? $" >= {capped}" : $" = {e}");
            for (var i = 0; i < m - e + 1; i++)
                levels.AddRange(
                    LevelRanges(
                        "discovery_pairs",
                        parts,
                        $"p.interest_a = LEAST({{3}}::text, {Interest(i)})"
                            + $" AND p.interest_b = GREATEST({{3}}::text, {Interest(i)})",
                        $"{condition} AND {NoneOf(all[..i])}",
                        baseShared + e,
                        n
                    )
                );
        }
        levels.AddRange(LevelRanges("discovery_entries", parts, "p.interest = {3}::text", NoneOf(all), baseShared, n));
        return levels;
    }

    /// <summary>
    /// The caller's neighbourhood in a ranking query (parameters 15-20): who is hidden from them, and their
    /// connections in common and shared groups with candidate p. Small, as arrays, scanned for each candidate; from
    /// <see cref="LargeAt"/> people on, as jsonb objects keyed by user id, built once a query and searched by key, as
    /// an array scanned for each candidate costs their product (26 s a page with 20,000 group mates). (A join on the
    /// unnested arrays fares no better: a generic plan expects a candidate or two and loops over the arrays for each.)
    /// </summary>
    private sealed record Neighbourhood(string Cte, string NotHidden, string Outside, string Points)
    {
        public const int LargeAt = 256;

        private static readonly Neighbourhood Arrays = new(
            "",
            "p.user_id <> ALL ({15}::uuid[])",
            "p.user_id <> ALL ({20}::uuid[])",
            """
            CASE WHEN p.user_id = ANY ({16}::uuid[])
                 THEN (SELECT f.n FROM unnest({16}::uuid[], {17}::integer[]) AS f(id, n) WHERE f.id = p.user_id)
                 ELSE 0 END,
            CASE WHEN p.user_id = ANY ({18}::uuid[])
                 THEN (SELECT f.n FROM unnest({18}::uuid[], {19}::integer[]) AS f(id, n) WHERE f.id = p.user_id)
                 ELSE 0 END
            """
        );

        private static readonly Neighbourhood Lookups = new(
            """
            lookups AS (
                SELECT COALESCE((SELECT jsonb_object_agg(f.id, true) FROM unnest({15}::uuid[]) AS f(id)),
                                jsonb_build_object()) AS hidden,
                       COALESCE((SELECT jsonb_object_agg(f.id, f.n)
                                 FROM unnest({16}::uuid[], {17}::integer[]) AS f(id, n)),
                                jsonb_build_object()) AS mutual,
                       COALESCE((SELECT jsonb_object_agg(f.id, f.n)
                                 FROM unnest({18}::uuid[], {19}::integer[]) AS f(id, n)),
                                jsonb_build_object()) AS groups
            ),

            """,
            "NOT " + Has("hidden"),
            $"NOT {Has("mutual")} AND NOT {Has("groups")}",
            Count("mutual") + ", " + Count("groups")
        );

        public static Neighbourhood Of(CallerContext caller) =>
            caller.Hidden.Length + caller.MutualIds.Length + caller.GroupMateIds.Length >= LargeAt ? Lookups : Arrays;

        /// <summary>Whether candidate p is a key of the lookup <paramref name="name"/>.</summary>
        private static string Has(string name) => $"((SELECT l.{name} FROM lookups l) ? p.user_id::text)";

        /// <summary>Candidate p's value in the lookup <paramref name="name"/>, 0 when they are not in it.</summary>
        private static string Count(string name) =>
            $"COALESCE(((SELECT l.{name} FROM lookups l) ->> p.user_id::text)::integer, 0)";
    }

    /// <summary>Whether the profile aliased <paramref name="alias"/> is an elite member's.</summary>
    private static string IsElite(string alias) => $"{alias}.tier = '{Tiers.Elite}'";

    /// <summary>
    /// The page after the cursor (parameters 9-12; 10 is the rank, score * 2 + elite) of the scored candidates, and
    /// its profiles: how both discovery queries end.
    /// </summary>
    private const string PageOfCandidates = """
        page AS (
            SELECT c.user_id, c.boosted, c.score, c.elite FROM candidates c
            WHERE {11}::uuid IS NULL
                OR (c.boosted, c.score * 2 + c.elite::integer, c.user_id) < ({9}::boolean, {10}::integer, {11}::uuid)
            ORDER BY c.boosted DESC, c.score * 2 + c.elite::integer DESC, c.user_id DESC
            LIMIT {12}
        )
        SELECT p.user_id, p.username, p.full_name, p.bio, p.region,
               p.city, p.country, p.date_of_birth, p.interests,
               p.profile_image_url, p.identity_badge, p.is_verified,
               p.role, pg.boosted, pg.score, pg.elite, common_interests(p.interests, {13}::text[]) AS common
        FROM page pg JOIN user_profiles p ON p.user_id = pg.user_id
        ORDER BY pg.boosted DESC, pg.score * 2 + pg.elite::integer DESC, pg.user_id DESC
        """;

    /// <summary>
    /// What discovery needs to know of the caller before ranking: read once, then constants of the ranking query.
    /// </summary>
    public sealed record CallerContext(
        bool HasProfile,
        string[] Interests,
        string? Region,
        Guid[] Hidden,
        Guid[] MutualIds,
        int[] MutualCounts,
        Guid[] GroupMateIds,
        int[] GroupMateCounts,
        string[] Rarest,
        int[] LevelPoints
    );

    public sealed class DiscoverRow
    {
        public Guid UserId { get; set; }
        public string Username { get; set; } = "";
        public string? FullName { get; set; }
        public string? Bio { get; set; }
        public string? Region { get; set; }
        public string? City { get; set; }
        public string? Country { get; set; }
        public DateOnly? DateOfBirth { get; set; }
        public string[] Interests { get; set; } = [];
        public string? ProfileImageUrl { get; set; }
        public string? IdentityBadge { get; set; }
        public bool IsVerified { get; set; }
        public string Role { get; set; } = "";
        public bool Boosted { get; set; }
        public int Score { get; set; }
        public bool Elite { get; set; }
        public string[] Common { get; set; } = [];
    }
}
