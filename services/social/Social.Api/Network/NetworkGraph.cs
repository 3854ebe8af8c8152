namespace Community.Social.Network;

/// <summary>A person in my neighbourhood: hop 0 is me, 1 my connections, 2 theirs.</summary>
public sealed record GraphNodeDto(Guid Id, string? Username, int Hop);

/// <summary>An accepted connection between two nodes, from the one nearer me (the smaller id at equal hops).</summary>
public sealed record GraphEdgeDto(Guid From, Guid To);

/// <summary>
/// My neighbourhood to two hops for drawing: at most 50 first-hop and 200 nodes in all, and the accepted connections
/// among them (at most 2000); truncated when any bound cut something off.
/// </summary>
public sealed record NetworkGraphDto(
    IReadOnlyList<GraphNodeDto> Nodes,
    IReadOnlyList<GraphEdgeDto> Edges,
    bool Truncated
);

/// <summary>Reads the bounded two-hop neighbourhood, never with anyone on either side of a block with me.</summary>
public static class NetworkGraph
{
    public const int MaxFirstHop = 50;
    public const int MaxNodes = 200;
    public const int MaxEdges = 2000;

    public static async Task<NetworkGraphDto> ReadAsync(
        SocialDbContext db,
        Guid me,
        CancellationToken cancellationToken
    )
    {
        // My newest connections first; of theirs, those most of them know first; ids break ties so a graph is stable.
        var first = await db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT other AS "Value" FROM (
                    SELECT CASE WHEN c.requester_id = {me} THEN c.addressee_id ELSE c.requester_id END AS other,
                        c.accepted_at
                    FROM connections c
                    WHERE c.status = 'accepted' AND (c.requester_id = {me} OR c.addressee_id = {me})
                ) AS mine
                JOIN user_profiles p ON p.user_id = mine.other AND p.username IS NOT NULL AND p.deleted_at IS NULL
                WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = {me} AND b.blocked_id = mine.other)
                    OR (b.blocker_id = mine.other AND b.blocked_id = {me}))
                ORDER BY mine.accepted_at DESC, mine.other
                LIMIT {MaxFirstHop + 1}
                """
            )
            .ToListAsync(cancellationToken);
        var truncated = first.Count > MaxFirstHop;
        first = first.Take(MaxFirstHop).ToList();
        var room = MaxNodes - 1 - first.Count;
        var firstIds = first.ToArray();
        var second = await db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT e.other_id AS "Value" FROM connection_edges e
                JOIN user_profiles p ON p.user_id = e.other_id AND p.username IS NOT NULL AND p.deleted_at IS NULL
                WHERE e.user_id = ANY({firstIds}) AND e.other_id <> {me} AND NOT (e.other_id = ANY({firstIds}))
                  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = {me} AND b.blocked_id = e.other_id)
                      OR (b.blocker_id = e.other_id AND b.blocked_id = {me}))
                GROUP BY e.other_id
                ORDER BY count(*) DESC, e.other_id
                LIMIT {room + 1}
                """
            )
            .ToListAsync(cancellationToken);
        truncated |= second.Count > room;
        second = second.Take(room).ToList();

        var hops = new Dictionary<Guid, int> { [me] = 0 };
        foreach (var id in first)
            hops[id] = 1;
        foreach (var id in second)
            hops[id] = 2;
        var ids = hops.Keys.ToArray();
        var pairs = await db
            .Connections.AsNoTracking()
            .Where(c =>
                c.Status == ConnectionStatus.Accepted && ids.Contains(c.RequesterId) && ids.Contains(c.AddresseeId)
            )
            .OrderBy(c => c.Id)
            .Select(c => new { c.RequesterId, c.AddresseeId })
            .Take(MaxEdges + 1)
            .ToListAsync(cancellationToken);
        truncated |= pairs.Count > MaxEdges;
        var edges = pairs
            .Take(MaxEdges)
            .Select(p =>
            {
                var (a, b) = (p.RequesterId, p.AddresseeId);
                var aFirst = hops[a] < hops[b] || (hops[a] == hops[b] && a.CompareTo(b) < 0);
                return aFirst ? new GraphEdgeDto(a, b) : new GraphEdgeDto(b, a);
            })
            .OrderBy(e => hops[e.From])
            .ThenBy(e => e.From)
            .ThenBy(e => e.To)
            .ToList();
        var names = await db
            .UserProfiles.AsNoTracking()
            .Where(p => ids.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, p => p.Username, cancellationToken);
        var nodes = hops.Select(h => new GraphNodeDto(h.Key, names.GetValueOrDefault(h.Key), h.Value)).ToList();
        return new(nodes, edges, truncated);
    }
}
