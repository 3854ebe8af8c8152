using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Compatibility;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Network;

/// <summary>
/// The shortest chain of accepted connections from the caller (first) to the person asked for (last).
/// </summary>
public sealed record NetworkPathDto(int Hops, IReadOnlyList<UserSummary> Path);

/// <summary>
/// Someone two hops away: how many of the caller's connections know them, and how well they may get on.
/// </summary>
public sealed record SuggestionDto(UserSummary User, int MutualCount, int CompatibilityScore);

public sealed record SuggestionsDto(IReadOnlyList<SuggestionDto> Items);

public sealed record SuggestionsQuery([PageSize(Keyset.DefaultLimit, Paged = false)] int? Limit);

public static class NetworkApi
{
    public const int MaxHops = 3;
    public const string NoPath = "No chain of connections of at most 3 hops leads to this user.";

    public static RouteGroupBuilder MapNetworkApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/network")
            .DescribesPathParameter("user_id", "The id of the user to find a chain to.")
            .WithTags("Network")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("/path/{userId:guid}", Path)
            .WithName("GetNetworkPath")
            .WithSummary(
                "The shortest chain of accepted connections from me to a user, at most 3 hops, never through a "
                    + "blocked user (404 when none)"
            )
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapGet("/suggestions", Suggestions)
            .WithName("GetNetworkSuggestions")
            .WithSummary("People two hops away, most mutual connections first (never connected, pending or blocked)");
        group
            .MapGet("/graph", Graph)
            .WithName("GetNetworkGraph")
            .WithSummary(
                "My neighbourhood to two hops as nodes {id, username, hop} and edges {from, to}: at most 50 first-hop "
                    + "(newest connections first) and 200 nodes, 2000 edges, truncated when cut; nobody blocked "
                    + "either way"
            );
        return group;
    }

    private static async Task<Ok<NetworkPathDto>> Path(
        Guid userId,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        if (userId == callerId)
            throw new BusinessRuleException("You are at the start of every path; ask for someone else.");
        // Unknown, deleted or blocked either way: 404, as the profile would be.
        await ProfileAccess.VisibleAsync(db, callerId, userId, cancellationToken);
        var found =
            await ShortestPathAsync(db, callerId, userId, cancellationToken) ?? throw new NotFoundException(NoPath);
        var ids = found.ToList();
        var profiles = await db
            .UserProfiles.AsNoTracking()
            .Where(p => ids.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        return TypedResults.Ok(
            new NetworkPathDto(
                ids.Count - 1,
                ids.Select(id => UserSummary.From(profiles.GetValueOrDefault(id), id)).ToList()
            )
        );
    }

    /// <summary>
    /// A breadth-first search from both ends at once (at most 3 hops), so the database reads two neighbourhoods, never
    /// the graph; never through a block or an unlisted person; ties go to the smallest ids, so a path is stable.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>?> ShortestPathAsync(
        SocialDbContext db,
        Guid from,
        Guid to,
        CancellationToken cancellationToken
    )
    {
        var rows = await db
            .Database.SqlQuery<PathRow>(
                $"""
                WITH excluded AS (
                    SELECT blocked_id AS u FROM blocks WHERE blocker_id IN ({from}, {to})
                    UNION SELECT blocker_id FROM blocks WHERE blocked_id IN ({from}, {to})
                    UNION SELECT unnest(ARRAY[{from}, {to}]::uuid[])
                ),
                near AS (
                    SELECT e.other_id AS u FROM connection_edges e
                    WHERE e.user_id = {from}
                ),
                far AS (
                    SELECT e.other_id AS u FROM connection_edges e
                    JOIN user_profiles p ON p.user_id = e.other_id AND p.username IS NOT NULL AND p.deleted_at IS NULL
                    WHERE e.user_id = {to} AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.u = e.other_id)
                ),
                near_ok AS (
                    SELECT n.u FROM near n
                    JOIN user_profiles p ON p.user_id = n.u AND p.username IS NOT NULL AND p.deleted_at IS NULL
                    WHERE NOT EXISTS (SELECT 1 FROM excluded x WHERE x.u = n.u)
                ),
                paths AS (
                    SELECT 1 AS hops, NULL::uuid AS first_step, NULL::uuid AS second_step FROM near WHERE near.u = {to}
                    UNION ALL
                    SELECT 2, n.u, NULL FROM near_ok n JOIN far f ON f.u = n.u
                    UNION ALL
                    SELECT 3, n.u, f.u FROM near_ok n
                    CROSS JOIN LATERAL (SELECT c.addressee_id AS v FROM connections c WHERE c.requester_id = n.u
                        AND c.status = 'accepted'
                                        UNION ALL SELECT c.requester_id FROM connections c WHERE c.addressee_id = n.u
                                            AND c.status = 'accepted') e
                    JOIN far f ON f.u = e.v
                )
                SELECT hops, first_step, second_step FROM paths
                ORDER BY hops, first_step, second_step
                LIMIT 1
                """
            )
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
            return null;
        var row = rows[0];
        return row.Hops switch
        {
            1 => [from, to],
            2 => [from, row.FirstStep!.Value, to],
            _ => [from, row.FirstStep!.Value, row.SecondStep!.Value, to],
        };
    }

    private static async Task<Ok<NetworkGraphDto>> Graph(
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    ) =>
        // The hops, the edges and the names from one snapshot: a connection made or ended between them would draw an
        // edge to a node the graph does not hold.
        TypedResults.Ok(
            await db.InSnapshotAsync(
                () => NetworkGraph.ReadAsync(db, principal.UserId(), cancellationToken),
                cancellationToken
            )
        );

    private static async Task<Ok<SuggestionsDto>> Suggestions(
        [AsParameters] SuggestionsQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        errors.ThrowIfAny();
        var rows = await SuggestAsync(db, callerId, limit, cancellationToken);
        var ids = rows.Select(r => r.UserId).ToList();
        var profiles = await db
            .UserProfiles.AsNoTracking()
            .Where(p => ids.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        var scores = await CompatibilityQueries.ScoresAsync(db, callerId, ids, cancellationToken);
        return TypedResults.Ok(
            new SuggestionsDto(
                rows.Select(r => new SuggestionDto(
                        UserSummary.From(profiles.GetValueOrDefault(r.UserId), r.UserId),
                        r.MutualCount,
                        scores.GetValueOrDefault(r.UserId)
                    ))
                    .ToList()
            )
        );
    }

    /// <summary>
    /// The connections of the caller's connections, counted once per mutual connection; never the
    /// caller, anyone already connected or with a request either way, anyone on either side of a
    /// block with the caller, nor anyone unlisted. Most mutual first, then by id (stable).
    /// </summary>
    public static Task<List<SuggestionRow>> SuggestAsync(
        SocialDbContext db,
        Guid callerId,
        int limit,
        CancellationToken cancellationToken
    ) =>
        db
            .Database.SqlQuery<SuggestionRow>(
                $"""
                SELECT e.other_id AS user_id, count(*)::integer AS mutual_count
                FROM connection_edges mine
                CROSS JOIN LATERAL (SELECT c.addressee_id AS other_id FROM connections c
                    WHERE c.requester_id = mine.other_id AND c.status = 'accepted'
                                    UNION ALL SELECT c.requester_id FROM connections c
                                        WHERE c.addressee_id = mine.other_id AND c.status = 'accepted') e
                JOIN user_profiles p ON p.user_id = e.other_id AND p.username IS NOT NULL AND p.deleted_at IS NULL
                WHERE mine.user_id = {callerId} AND e.other_id <> {callerId}
                  AND NOT EXISTS (SELECT 1 FROM connections c
                                  WHERE c.user_low = LEAST({callerId}, e.other_id)
                                      AND c.user_high = GREATEST({callerId}, e.other_id))
                  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = {callerId} AND b.blocked_id = e.other_id)
                                                           OR (b.blocker_id = e.other_id AND b.blocked_id = {callerId}))
                GROUP BY e.other_id
                ORDER BY count(*) DESC, e.other_id
                LIMIT {limit}
                """
            )
            .ToListAsync(cancellationToken);

    public sealed record PathRow(int Hops, Guid? FirstStep, Guid? SecondStep);

    public sealed record SuggestionRow(Guid UserId, int MutualCount);
}
