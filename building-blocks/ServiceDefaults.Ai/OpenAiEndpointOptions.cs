namespace Community.ServiceDefaults.Ai;

/// <summary>
/// An OpenAI-compatible endpoint read from one configuration section. Without an Endpoint the service runs without
/// the model (its own offline answer). The key is configuration only: it is never logged nor put in a problem.
/// </summary>
public class OpenAiEndpointOptions
{
    /// <summary>
    /// Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 or http://localhost:11434/v1.
    /// </summary>
    public string? Endpoint { get; set; }

    public string? Model { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>A whole call, retries included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool UsesEndpoint => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>Why the options cannot work, each message naming <paramref name="section"/>, never the key.</summary>
    public virtual IEnumerable<string> Problems(string section)
    {
        if (Timeout <= TimeSpan.Zero)
            yield return $"{section}:Timeout must be more than 0.";
        if (!UsesEndpoint)
            yield break;
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return $"{section}:Endpoint must be an absolute http(s) URL.";
        if (string.IsNullOrWhiteSpace(Model))
            yield return $"{section}:Model is required with an Endpoint.";
    }
}

/// <summary>An OpenAI-compatible <c>/v1/embeddings</c> endpoint.</summary>
public class OpenAiEmbeddingOptions : OpenAiEndpointOptions
{
    /// <summary>The length asked of each vector (text-embedding-3 shortens on request); null: the model's.</summary>
    public int? Dimensions { get; set; }

    public override IEnumerable<string> Problems(string section)
    {
        foreach (var problem in base.Problems(section))
            yield return problem;
        if (Dimensions is <= 0 or > 4096)
            yield return $"{section}:Dimensions must be between 1 and 4096.";
    }
}
