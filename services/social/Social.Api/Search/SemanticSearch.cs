using Community.ServiceDefaults.Ai;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Community.Social.Search;

/// <summary>
/// Nearest documents to a query's embedding (an exact scan of this instance's <see cref="VectorIndex"/>, its
/// candidates checked in PostgreSQL: docs/semantic-search.md says why), or, without an endpoint or when it fails,
/// PostgreSQL full-text ranking; blocks both ways and visibility are SQL in both.
/// </summary>
public sealed class SemanticSearch(
    SocialDbContext db,
    IServiceProvider services,
    IOptions<SearchEmbeddingOptions> options,
    QueryEmbeddingCache cache,
    VectorIndex index,
    ILogger<SemanticSearch> logger
)
{
    public const string Embeddings = "embeddings";
    public const string FullText = "full_text";

    public static readonly IReadOnlyList<string> Modes = [Embeddings, FullText];

    public sealed record Hit(string Kind, Guid Id, string Title, string Body, double Score);

    // Who may see what: not yourself, nobody across a block, deleted people never, private groups to members,
    // private events to their organizer, cancelled events and deleted organizers' events to no one.
    private const string Visible = """
        d.kind = ANY(@kinds) AND NOT d.cancelled AND NOT (d.kind = 'people' AND d.id = @me)
        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = @me AND b.blocked_id = d.owner_id)
            OR (b.blocker_id = d.owner_id AND b.blocked_id = @me))
        AND CASE d.kind
            WHEN 'people' THEN EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = d.id
                AND p.deleted_at IS NULL AND p.username IS NOT NULL)
            WHEN 'groups' THEN d.is_public
                OR EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = d.id AND m.user_id = @me)
            ELSE d.owner_id IS NOT NULL AND (d.is_public OR d.owner_id = @me)
                AND NOT EXISTS (SELECT 1 FROM user_profiles o WHERE o.user_id = d.owner_id AND o.deleted_at IS NOT NULL)
        END
        """;

    // A vector answers for its document only while it is of the document's text: one changed since (a section made
    // private, words taken out of a bio) is found by nothing it no longer says until the worker embeds it again.
    private const string Embedded = "d.embedding IS NOT NULL AND d.embedded_revision = d.revision";

    private const string Document = "to_tsvector('english'::regconfig, d.title || ' ' || d.body)";

    public async Task<(string Mode, IReadOnlyList<Hit> Hits)> FindAsync(
        Guid callerId,
        string q,
        IReadOnlyList<string> kinds,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var vector = await QueryVectorAsync(q, cancellationToken);
        return vector is null
            ? (FullText, await MatchingAsync(db, callerId, q, kinds, limit, cancellationToken))
            : (
                Embeddings,
                index.Ready
                    ? await NearestInIndexAsync(db, index, callerId, vector, kinds, limit, cancellationToken)
                    : await NearestAsync(db, callerId, vector, kinds, limit, cancellationToken)
            );
    }

    private sealed record Seen(string Kind, Guid Id, string Title, string Body);

    /// <summary>
    /// Candidates from this instance's <see cref="VectorIndex"/>, kept when PostgreSQL says the caller may see them;
    /// when too few pass, four times as many are asked for, until the index has no more.
    /// </summary>
    public static async Task<List<Hit>> NearestInIndexAsync(
        SocialDbContext db,
        VectorIndex index,
        Guid callerId,
        float[] vector,
        IReadOnlyList<string> kinds,
        int limit,
        CancellationToken cancellationToken
    )
    {
        for (var wanted = limit * 4 + 20; ; wanted *= 4)
        {
            var candidates = index.Nearest(kinds, vector, wanted);
            if (candidates.Count == 0)
                return [];
            var seen = await db
                .Database.SqlQueryRaw<Seen>(
                    $"""
                    SELECT d.kind, d.id, d.title, d.body
                    FROM search_documents d
                    JOIN unnest(@ckinds, @cids) AS c(kind, id) ON c.kind = d.kind AND c.id = d.id
                    WHERE {Embedded} AND {Visible}
                    """,
                    [
                        .. Parameters(callerId, kinds, limit),
                        new NpgsqlParameter("ckinds", candidates.Select(c => c.Kind).ToArray()),
                        new NpgsqlParameter("cids", candidates.Select(c => c.Id).ToArray()),
                    ]
                )
                .ToDictionaryAsync(s => (s.Kind, s.Id), cancellationToken);
            if (seen.Count >= limit || candidates.Count < wanted)
                return
                [
                    .. candidates
                        .Where(c => seen.ContainsKey((c.Kind, c.Id)))
                        .Take(limit)
                        .Select(c => new Hit(
                            c.Kind,
                            c.Id,
                            seen[(c.Kind, c.Id)].Title,
                            seen[(c.Kind, c.Id)].Body,
                            c.Score
                        )),
                ];
        }
    }

    /// <summary>The documents nearest <paramref name="vector"/> the caller may see, by a scan in PostgreSQL.</summary>
    public static Task<List<Hit>> NearestAsync(
        SocialDbContext db,
        Guid callerId,
        float[] vector,
        IReadOnlyList<string> kinds,
        int limit,
        CancellationToken cancellationToken
    ) =>
        // Unit vectors: cosine similarity is 1 - d²/2 of their euclidean distance.
        db
            .Database.SqlQueryRaw<Hit>(
                $"""
                SELECT d.kind, d.id, d.title, d.body,
                    1 - power(cube(d.embedding::float8[]) <-> cube(@v::float8[]), 2) / 2 AS score
                FROM search_documents d
                WHERE {Embedded} AND {Visible}
                ORDER BY cube(d.embedding::float8[]) <-> cube(@v::float8[]), d.id LIMIT @limit
                """,
                [.. Parameters(callerId, kinds, limit), new NpgsqlParameter("v", vector)]
            )
            .ToListAsync(cancellationToken);

    /// <summary>The documents matching <paramref name="q"/> the caller may see, best full-text rank first.</summary>
    public static Task<List<Hit>> MatchingAsync(
        SocialDbContext db,
        Guid callerId,
        string q,
        IReadOnlyList<string> kinds,
        int limit,
        CancellationToken cancellationToken
    ) =>
        db
            .Database.SqlQueryRaw<Hit>(
                $"""
                SELECT d.kind, d.id, d.title, d.body,
                    ts_rank({Document}, websearch_to_tsquery('english'::regconfig, @q))::float8 AS score
                FROM search_documents d
                WHERE {Document} @@ websearch_to_tsquery('english'::regconfig, @q) AND {Visible}
                ORDER BY score DESC, d.id LIMIT @limit
                """,
                [.. Parameters(callerId, kinds, limit), new NpgsqlParameter("q", q)]
            )
            .ToListAsync(cancellationToken);

    private static NpgsqlParameter[] Parameters(Guid callerId, IReadOnlyList<string> kinds, int limit) =>
        [new("me", callerId), new("kinds", kinds.ToArray()), new("limit", limit)];

    /// <summary>The query's unit vector, or null when full text must answer (no endpoint, or it failed now).</summary>
    private async Task<float[]?> QueryVectorAsync(string q, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.UsesEndpoint)
            return null;
        if (cache.TryGet(q, out var cached))
            return cached;
        try
        {
            var generator = services.OpenAiEmbeddingGenerator(settings, SearchEmbeddingOptions.QueryClient);
            var embedding = await generator.GenerateAsync(q, cancellationToken: cancellationToken);
            var vector = SearchText.Normalised(embedding.Vector.Span, settings.Dimensions!.Value);
            cache.Set(q, vector);
            return vector;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The embeddings endpoint failed a query ({Error}); full text answers.", e.GetType().Name);
            return null;
        }
    }
}

/// <summary>Recent queries' embeddings, so a repeated search costs no call; bounded in entries and time.</summary>
public sealed class QueryEmbeddingCache : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 2000 });

    public bool TryGet(string q, out float[]? vector) => _cache.TryGetValue(q, out vector);

    public void Set(string q, float[] vector) =>
        _cache.Set(
            q,
            vector,
            new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) }
        );

    public void Dispose() => _cache.Dispose();
}
