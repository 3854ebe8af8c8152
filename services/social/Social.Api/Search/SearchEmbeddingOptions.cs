using Community.ServiceDefaults.Ai;

namespace Community.Social.Search;

/// <summary>
/// <c>Social:Embeddings</c>: the OpenAI-compatible <c>/v1/embeddings</c> endpoint semantic search uses. Without an
/// Endpoint search ranks by PostgreSQL full text and says so (mode full_text).
/// </summary>
public sealed class SearchEmbeddingOptions : OpenAiEmbeddingOptions
{
    public const string Section = "Social:Embeddings";

    /// <summary>The worker's HttpClient: retried, bounded by Timeout.</summary>
    public const string WorkerClient = "social-embeddings";

    /// <summary>The query's HttpClient: one attempt within QueryTimeout, then full text answers.</summary>
    public const string QueryClient = "social-embeddings-query";

    /// <summary>Cube's limit, and so the longest vector stored.</summary>
    public const int MaxDimensions = 100;

    /// <summary>How long a search waits for the query's embedding before it ranks by full text.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Documents embedded in one call.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>How often the worker looks for stale documents when it found none.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait after a failed batch; it doubles with each failure, up to MaxRetryDelay.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often each instance reads the embeddings stored since its last look into its index.</summary>
    public TimeSpan IndexRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each instance reloads its whole vector index (dropping deleted documents).</summary>
    public TimeSpan FullReloadInterval { get; set; } = TimeSpan.FromMinutes(10);

    public override IEnumerable<string> Problems(string section)
    {
        foreach (var problem in base.Problems(section))
            yield return problem;
        if (
            QueryTimeout <= TimeSpan.Zero
            || PollInterval <= TimeSpan.Zero
            || RetryDelay <= TimeSpan.Zero
            || IndexRefreshInterval <= TimeSpan.Zero
            || FullReloadInterval <= TimeSpan.Zero
        )
            yield return $"{section}: every interval, delay and timeout must be more than 0.";
        if (MaxRetryDelay < RetryDelay)
            yield return $"{section}:MaxRetryDelay must not be below RetryDelay.";
        if (BatchSize is < 1 or > 256)
            yield return $"{section}:BatchSize must be 1-256.";
        if (UsesEndpoint && Dimensions is null or > MaxDimensions)
            yield return $"{section}:Dimensions is required with an Endpoint, at most {MaxDimensions}.";
    }
}
