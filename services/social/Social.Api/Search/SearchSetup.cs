using Community.ServiceDefaults.Ai;

namespace Community.Social.Search;

public static class SearchSetup
{
    /// <summary>
    /// Semantic search: Social:Embeddings checked at start, the worker's (retried) and the query's (one short
    /// attempt) HttpClients, the embedding worker when an endpoint is configured.
    /// </summary>
    public static IHostApplicationBuilder AddSemanticSearch(this IHostApplicationBuilder builder)
    {
        builder.AddOpenAiEmbeddings<SearchEmbeddingOptions>(
            SearchEmbeddingOptions.Section,
            SearchEmbeddingOptions.WorkerClient
        );
        var options =
            builder.Configuration.GetSection(SearchEmbeddingOptions.Section).Get<SearchEmbeddingOptions>()
            ?? new SearchEmbeddingOptions();
        builder.AddOpenAiHttpClient(SearchEmbeddingOptions.QueryClient, options.QueryTimeout, retries: 0);
        builder.Services.AddSingleton<QueryEmbeddingCache>();
        builder.Services.AddScoped<SemanticSearch>();
        builder.Services.AddHostedService<EmbeddingWorker>();
        builder.Services.AddSingleton<VectorIndex>();
        builder.Services.AddHostedService<VectorIndexSync>();
        return builder;
    }
}
