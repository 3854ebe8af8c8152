using Microsoft.Extensions.Options;

namespace Community.Social.Search;

/// <summary>
/// Keeps this instance's <see cref="VectorIndex"/> close to PostgreSQL: a full load at start and every
/// FullReloadInterval (which also drops deleted documents), and in between what changed since the last look, by
/// embedded_seq (re-reading a margin below it: numbers are taken before their transactions commit).
/// </summary>
public sealed class VectorIndexSync(
    IServiceScopeFactory scopes,
    VectorIndex index,
    IOptions<SearchEmbeddingOptions> options,
    TimeProvider clock,
    ILogger<VectorIndexSync> logger
) : BackgroundService
{
    private const long Margin = 1000;

    private sealed record Row(string Kind, Guid Id, float[]? Embedding, long? EmbeddedSeq);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.UsesEndpoint)
            return;
        long seen = 0;
        var reloadAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var full = clock.GetUtcNow() >= reloadAt;
                if (full)
                    reloadAt = clock.GetUtcNow() + settings.FullReloadInterval;
                seen = await RefreshAsync(full, seen, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The search vector index could not be refreshed; it tries again.");
            }
            try
            {
                await Task.Delay(settings.IndexRefreshInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<long> RefreshAsync(bool full, long seen, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SocialDbContext>();
        var rows = full
            ? await db
                .Database.SqlQuery<Row>(
                    $"""
                    SELECT kind, id, embedding, embedded_seq FROM search_documents
                    WHERE embedding IS NOT NULL AND NOT cancelled
                    """
                )
                .ToListAsync(cancellationToken)
            : await db
                .Database.SqlQuery<Row>(
                    $"""
                    SELECT kind, id, CASE WHEN cancelled THEN NULL ELSE embedding END AS embedding, embedded_seq
                    FROM search_documents WHERE embedded_seq > {seen - Margin}
                    """
                )
                .ToListAsync(cancellationToken);
        var newest = rows.Count == 0 ? seen : Math.Max(seen, rows.Max(r => r.EmbeddedSeq ?? 0));
        index.Apply(rows.Select(r => (r.Kind, r.Id, r.Embedding)), newest, replaceAll: full);
        return newest;
    }
}
