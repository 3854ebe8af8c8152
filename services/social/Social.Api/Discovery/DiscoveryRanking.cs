using System.Runtime.CompilerServices;
using Community.Contracts;
using static Community.ServiceDefaults.Data.TypedParameters;

namespace Community.Social.Discovery;

// Discovery's ranking queries, apart from its endpoint: the endpoint validates and pages, these rank.
public static partial class DiscoveryApi
{
    /// <summary>
    /// The people discovery shows <paramref name="callerId"/> (boosted now first, then compatibility, then elite
    /// before the rest, then id), a page after <paramref name="after"/>. The score is compatibility_score's, computed
    /// from columns
    /// (compatibility_points) against what is read of the caller once, so no candidate costs a call.
    /// </summary>
    public static async Task<List<DiscoverRow>> FindAsync(
        SocialDbContext db,
        Guid callerId,
        DiscoverFilter filter,
        DiscoverPosition? after,
        int probe,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var includeConnected = filter.IncludeConnected;
        var caller = (
            await db
                .Database.SqlQuery<CallerContext>(
                    $"""
                    SELECT me.user_id IS NOT NULL AS has_profile, COALESCE(me.interests, ARRAY[]::text[]) AS interests,
                        me.region,
                           ARRAY(SELECT blocked_id FROM blocks WHERE blocker_id = {callerId}
                                 UNION SELECT blocker_id FROM blocks WHERE blocked_id = {callerId}
                                 UNION SELECT other_id FROM connection_edges WHERE user_id = {callerId}
                                     AND NOT {includeConnected}) AS hidden,
                           COALESCE(m.ids, ARRAY[]::uuid[]) AS mutual_ids, COALESCE(m.counts,
                               ARRAY[]::integer[]) AS mutual_counts,
                           COALESCE(g.ids, ARRAY[]::uuid[]) AS group_mate_ids, COALESCE(g.counts,
                               ARRAY[]::integer[]) AS group_mate_counts
                    FROM (SELECT 1) AS one
                    LEFT JOIN user_profiles me ON me.user_id = {callerId}
                    LEFT JOIN LATERAL (
                        SELECT array_agg(f.user_id) AS ids, array_agg(f.n) AS counts FROM (
                            SELECT e.other_id AS user_id, count(*)::integer AS n
                            FROM connection_edges mine
                            CROSS JOIN LATERAL (SELECT c.addressee_id AS other_id FROM connections c
                                WHERE c.requester_id = mine.other_id AND c.status = 'accepted'
                                                UNION ALL SELECT c.requester_id FROM connections c
                                                    WHERE c.addressee_id = mine.other_id AND c.status = 'accepted') e
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
        if (filter is { Region: not null, Interest: not null, Q: null } && caller.HasProfile)
            return await FindInRangeAsync(db, callerId, caller, mine, filter, after, probe, now, cancellationToken);
        var pattern = filter.Q is null
            ? null
            : "%" + filter.Q.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        var (afterBoosted, afterScore, afterId) = after is { } a
            ? (a.Boosted, a.Rank, a.Id)
            : ((bool?)null, (int?)null, (Guid?)null);
        // Optional values go typed (TypedParameters): set or not, the statement keeps its prepared form and plan.
        object?[] args =
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
            Boolean(afterBoosted),
            Integer(afterScore),
            Uuid(afterId),
            probe,
            caller.Interests,
            Text(caller.Region),
            caller.Hidden,
            caller.MutualIds,
            caller.MutualCounts,
            caller.GroupMateIds,
            caller.GroupMateCounts,
            .. mine,
        ];
        // Shared interests: one containment test per interest of the caller (parameters 20 on), 0 when they have none.
        var shared =
            mine.Length == 0
                ? "0"
                : string.Join(" + ", mine.Select((_, i) => $"(p.interests @> ARRAY[{{{20 + i}}}::text])::integer"));
        // A region and an interest: one key range of discovery_entries (migration 0006); otherwise the profiles.
        // Both are aliased p, with the columns ranking and the premium filters read.
        var pair = filter.Region is not null && filter.Interest is not null;
        var source = pair
            ? """
                discovery_entries p
                  WHERE p.region_key = lower({2}::text) AND p.interest = {3}::text
                    AND ({4}::text IS NULL OR EXISTS (SELECT 1 FROM user_profiles q WHERE q.user_id = p.user_id
                        AND (q.username ILIKE {4}::text OR q.full_name ILIKE {4}::text)))
                """
            : """
                user_profiles p
                  WHERE p.username IS NOT NULL AND p.deleted_at IS NULL
                    AND ({2}::text IS NULL OR lower(p.region) = lower({2}::text))
                    AND ({3}::text IS NULL OR p.interests @> ARRAY[{3}::text])
                    AND ({4}::text IS NULL OR p.username ILIKE {4}::text OR p.full_name ILIKE {4}::text)
                """;
        var sameRegion = pair ? "p.region_key = lower({14}::text)" : "lower(p.region) = lower({14}::text)";
        var elite = pair
            ? $"EXISTS (SELECT 1 FROM user_profiles u WHERE u.user_id = p.user_id AND {IsElite("u")})"
            : IsElite("p");
        var sql = FormattableStringFactory.Create(
            $$"""
            WITH candidates AS (
                SELECT p.user_id,
                       (p.boosted_until IS NOT NULL AND p.boosted_until > {1}) AS boosted,
                       CASE WHEN {8} THEN compatibility_points({{shared}},
                                                               {14}::text IS NOT NULL AND {{sameRegion}},
                                                               {{NeighbourPoints}})
                            ELSE 0 END AS score,
                       {{elite}} AS elite
                FROM {{source}}
                  AND p.user_id <> {0}
                  AND ({5}::text IS NULL OR p.gender = {5}::text)
                  AND ({6}::date IS NULL OR p.date_of_birth <= {6}::date)
                  AND ({7}::date IS NULL OR p.date_of_birth > {7}::date)
                  AND p.user_id <> ALL ({15}::uuid[])
            ),
            {{PageOfCandidates}}
            """,
            args
        );
        return await db.Database.SqlQuery<DiscoverRow>(sql).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// A region and an interest without text: the general query's people and order without scoring the whole range
    /// (migration 0012 says how); DiscoveryRangeTests holds it to the general query's answers.
    /// </summary>
    private static async Task<List<DiscoverRow>> FindInRangeAsync(
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
        var others = mine.Where(i => i != filter.Interest).ToArray();
        var baseShared = mine.Length - others.Length;
        var neighbours = caller.MutualIds.Union(caller.GroupMateIds).ToArray();
        var (afterBoosted, afterScore, afterId) = after is { } a
            ? (a.Boosted, a.Rank, a.Id)
            : ((bool?)null, (int?)null, (Guid?)null);
        // The general query's parameter numbers where they mean the same; 4 and 8 (text, has a profile) are unused.
        object?[] args =
        [
            callerId,
            now,
            Text(filter.Region),
            Text(filter.Interest),
            Text(null),
            Text(filter.Gender),
            Date(filter.BornBy),
            Date(filter.BornAfter),
            true,
            Boolean(afterBoosted),
            Integer(afterScore),
            Uuid(afterId),
            probe,
            caller.Interests,
            Text(caller.Region),
            caller.Hidden,
            caller.MutualIds,
            caller.MutualCounts,
            caller.GroupMateIds,
            caller.GroupMateCounts,
            others,
            neighbours,
            baseShared,
            .. mine,
        ];
        var shared =
            mine.Length == 0
                ? "0"
                : string.Join(" + ", mine.Select((_, i) => $"(p.interests @> ARRAY[{{{23 + i}}}::text])::integer"));
        const string filters = """
            AND ({5}::text IS NULL OR p.gender = {5}::text)
            AND ({6}::date IS NULL OR p.date_of_birth <= {6}::date)
            AND ({7}::date IS NULL OR p.date_of_birth > {7}::date)
            """;
        const string sameRegion = "({14}::text IS NOT NULL AND lower({2}::text) = lower({14}::text))";
        const string notBoosted = "(p.boosted_until IS NULL OR p.boosted_until <= {1})";
        var sql = FormattableStringFactory.Create(
            $$"""
            WITH elites AS (
                SELECT u.user_id FROM user_profiles u
                WHERE lower(u.region) = lower({2}::text) AND {{IsElite("u")}} AND u.username IS NOT NULL
                    AND u.deleted_at IS NULL
            ),
            near AS (
                SELECT p.* FROM discovery_entries p
                WHERE p.region_key = lower({2}::text) AND p.interest = {3}::text AND p.boosted_until IS NOT NULL
                    AND p.boosted_until > {1}
                UNION
                -- Elites are few and rank apart from their score's crowd: scored one by one, like the boosted.
                SELECT p.* FROM elites n
                JOIN discovery_entries p ON p.region_key = lower({2}::text) AND p.interest = {3}::text
                    AND p.user_id = n.user_id
                UNION
                SELECT p.* FROM unnest({21}::uuid[]) AS n(id)
                JOIN discovery_entries p ON p.region_key = lower({2}::text) AND p.interest = {3}::text
                    AND p.user_id = n.id
            ),
            extra AS (
                SELECT p.user_id, count(*)::integer AS n
                FROM unnest({20}::text[]) AS j(interest)
                CROSS JOIN LATERAL (
                    SELECT d.user_id, d.boosted_until, d.gender, d.date_of_birth FROM discovery_pairs d
                    WHERE d.region_key = lower({2}::text) AND d.interest_a = LEAST({3}::text, j.interest)
                        AND d.interest_b = GREATEST({3}::text, j.interest)
                ) p
                WHERE {{notBoosted}} {{filters}} AND p.user_id NOT IN (SELECT user_id FROM elites)
                GROUP BY p.user_id
            ),
            rest_score AS (SELECT compatibility_points({22}, {{sameRegion}}, 0, 0) AS score),
            candidates AS (
                SELECT p.user_id, (p.boosted_until IS NOT NULL AND p.boosted_until > {1}) AS boosted,
                       compatibility_points({{shared}}, {{sameRegion}},
                                            {{NeighbourPoints}}) AS score,
                       p.user_id IN (SELECT user_id FROM elites) AS elite
                FROM near p
                WHERE p.user_id <> {0} AND p.user_id NOT IN (SELECT unnest({15}::uuid[])) {{filters}}
                UNION ALL
                SELECT e.user_id, false, compatibility_points({22} + e.n, {{sameRegion}}, 0, 0), false
                FROM extra e
                WHERE e.user_id <> {0} AND e.user_id NOT IN (SELECT unnest({15}::uuid[]))
                    AND e.user_id NOT IN (SELECT unnest({21}::uuid[]))
                UNION ALL
                (SELECT p.user_id, false, r.score, false
                 FROM rest_score r, discovery_entries p
                 WHERE p.region_key = lower({2}::text) AND p.interest = {3}::text
                   -- Where the cursor leaves this part, as a bound on the id range: all of it, below an id, or none.
                   AND p.user_id < CASE WHEN {11}::uuid IS NULL OR {9}::boolean OR r.score * 2 < {10}::integer
                       THEN 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid
                                        WHEN r.score * 2 = {10}::integer THEN {11}::uuid
                                        ELSE '00000000-0000-0000-0000-000000000000'::uuid END
                   AND {{notBoosted}} AND p.user_id <> {0} {{filters}}
                   AND p.user_id NOT IN (SELECT unnest({15}::uuid[])) AND p.user_id NOT IN (SELECT unnest({21}::uuid[]))
                   AND NOT EXISTS (SELECT 1 FROM extra e WHERE e.user_id = p.user_id)
                   AND p.user_id NOT IN (SELECT user_id FROM elites)
                 ORDER BY p.user_id DESC
                 LIMIT {12})
            ),
            {{PageOfCandidates}}
            """,
            args
        );
        return await db.Database.SqlQuery<DiscoverRow>(sql).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Connections in common and shared groups of candidate p, from the caller's arrays (parameters 16-19):
    /// compatibility_points' last two.
    /// </summary>
    private const string NeighbourPoints = """
        CASE WHEN p.user_id = ANY ({16}::uuid[])
             THEN (SELECT f.n FROM unnest({16}::uuid[], {17}::integer[]) AS f(id, n) WHERE f.id = p.user_id)
             ELSE 0 END,
        CASE WHEN p.user_id = ANY ({18}::uuid[])
             THEN (SELECT f.n FROM unnest({18}::uuid[], {19}::integer[]) AS f(id, n) WHERE f.id = p.user_id)
             ELSE 0 END
        """;

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
        int[] GroupMateCounts
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
