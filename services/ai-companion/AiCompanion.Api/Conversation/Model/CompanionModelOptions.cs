namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// <c>Companion:Model</c>: the OpenAI-compatible endpoint the companion talks to. Without an endpoint the built-in
/// offline responder answers. The key is configuration only: it is never logged nor put in a problem.
/// </summary>
public sealed class CompanionModelOptions
{
    public const string Section = "Companion:Model";

    /// <summary>
    /// Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 or http://localhost:11434/v1.
    /// </summary>
    public string? Endpoint { get; set; }

    public string? Model { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>When the model fails, answer with the offline responder instead of a 503.</summary>
    public bool FallbackToOffline { get; set; }

    /// <summary>A whole non-streamed reply, retries included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A streamed reply: the longest wait for its first piece and between two pieces.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A whole streamed reply.</summary>
    public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The Retry-After of a 503 when the breaker does not say.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    public const float Temperature = 0.7f;
    public const int MaxOutputTokens = 150;

    public bool UsesModel => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>Why the options cannot work, or null; the messages never repeat the key.</summary>
    public IEnumerable<string> Problems()
    {
        if (
            Timeout <= TimeSpan.Zero
            || StreamIdleTimeout <= TimeSpan.Zero
            || StreamTimeout <= TimeSpan.Zero
            || RetryAfter <= TimeSpan.Zero
        )
            yield return $"{Section}: Timeout, StreamIdleTimeout, StreamTimeout and RetryAfter must be more than 0.";
        if (!UsesModel)
            yield break;
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return $"{Section}:Endpoint must be an absolute http(s) URL.";
        if (string.IsNullOrWhiteSpace(Model))
            yield return $"{Section}:Model is required with an Endpoint.";
    }
}
