using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Community.Social.Search;

/// <summary>
/// Embeds stale search documents in batches, outside any transaction: a short one claims a batch (FOR UPDATE SKIP
/// LOCKED, then a lease in retry_at, so two instances never embed the same rows), the endpoint is called, and each
/// vector is stored only if its text has not changed since (else the row stays stale and is embedded again). A
/// failed batch is tried again later, each time waiting twice as long: nothing is lost while the endpoint is down.
/// </summary>
public sealed class EmbeddingWorker(
    IServiceScopeFactory scopes,
    IOptions<SearchEmbeddingOptions> options,
    TimeProvider clock,
    ILogger<EmbeddingWorker> logger
) : BackgroundService
{
    /// <summary>How long a claimed batch is this worker's; a crashed instance's batch is free after it.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private sealed record Claimed(string Kind, Guid Id, string Title, string Body, long Revision, int Attempts);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.UsesEndpoint)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            int embedded;
            try
            {
                embedded = await EmbedBatchAsync(settings, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The search embedding worker failed a round; it tries again.");
                embedded = 0;
            }
            if (embedded > 0)
                continue;
            try
            {
                await Task.Delay(settings.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One batch: how many documents were claimed (0: nothing to do now).</summary>
    public async Task<int> EmbedBatchAsync(SearchEmbeddingOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SocialDbContext>();
        var now = clock.GetUtcNow();
        var leaseUntil = now + Lease;
        var batch = await db
            .Database.SqlQuery<Claimed>(
                $"""
                UPDATE search_documents d SET retry_at = {leaseUntil}
                FROM (SELECT kind, id FROM search_documents
                    WHERE embedded_revision IS DISTINCT FROM revision AND NOT cancelled
                        AND (retry_at IS NULL OR retry_at <= {now})
                    ORDER BY retry_at NULLS FIRST LIMIT {settings.BatchSize} FOR UPDATE SKIP LOCKED) c
                WHERE d.kind = c.kind AND d.id = c.id
                RETURNING d.kind, d.id, d.title, d.body, d.revision, d.attempts
                """
            )
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
            return 0;

        IReadOnlyList<float[]> vectors;
        try
        {
            var generator = scope.ServiceProvider.GetRequiredKeyedService<
                IEmbeddingGenerator<string, Embedding<float>>
            >(SearchEmbeddingOptions.Section);
            var embeddings = await generator.GenerateAsync(
                batch.Select(d => SearchText.ForEmbedding(d.Title, d.Body)),
                cancellationToken: cancellationToken
            );
            vectors = [.. embeddings.Select(e => SearchText.Normalised(e.Vector.Span, settings.Dimensions!.Value))];
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            await PostponeAsync(db, batch, settings, now, cancellationToken);
            logger.LogWarning(
                "The embeddings endpoint failed for {Count} search documents ({Error}); they are tried again later.",
                batch.Count,
                e.GetType().Name
            );
            return batch.Count;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var d = batch[i];
            // Stored only for the text it was made from; a newer text keeps the row stale for the next round.
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE search_documents SET
                    embedding = CASE WHEN revision = {d.Revision} THEN {vectors[i]} ELSE embedding END,
                    embedded_revision = CASE WHEN revision = {d.Revision} THEN revision ELSE embedded_revision END,
                    embedded_seq = CASE WHEN revision = {d.Revision} THEN nextval('search_documents_embedded_seq')
                        ELSE embedded_seq END,
                    attempts = 0, retry_at = NULL
                WHERE kind = {d.Kind} AND id = {d.Id}
                """,
                cancellationToken
            );
        }
        return batch.Count;
    }

    private static async Task PostponeAsync(
        SocialDbContext db,
        IReadOnlyList<Claimed> batch,
        SearchEmbeddingOptions settings,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        foreach (var d in batch)
        {
            var wait = settings.RetryDelay * Math.Pow(2, Math.Min(d.Attempts, 20));
            var retryAt = now + (wait > settings.MaxRetryDelay ? settings.MaxRetryDelay : wait);
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE search_documents SET attempts = attempts + 1, retry_at = {retryAt}
                WHERE kind = {d.Kind} AND id = {d.Id}
                """,
                cancellationToken
            );
        }
    }
}
