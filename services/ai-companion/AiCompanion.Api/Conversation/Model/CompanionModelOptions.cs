using Community.ServiceDefaults.Ai;

namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// <c>Companion:Model</c>: the OpenAI-compatible endpoint the companion talks to. Without an endpoint the built-in
/// offline responder answers. The key is configuration only: it is never logged nor put in a problem.
/// </summary>
public sealed class CompanionModelOptions : OpenAiEndpointOptions
{
    public const string Section = "Companion:Model";

    /// <summary>When the model fails, answer with the offline responder instead of a 503.</summary>
    public bool FallbackToOffline { get; set; }

    /// <summary>A streamed reply: the longest wait for its first piece and between two pieces.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A whole streamed reply.</summary>
    public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The Retry-After of a 503 when the breaker does not say.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most characters of a prompt: the earlier messages go first, oldest first, to stay under it; the rules and
    /// the new message always go. About 2,000 tokens of English, well inside a small (4k) context.
    /// </summary>
    public int PromptCharacters { get; set; } = 8000;

    /// <summary>
    /// The most replies one user may have the model writing at once (a stream goes on after its client leaves).
    /// </summary>
    public int LiveSends { get; set; } = 3;

    public const float Temperature = 0.7f;
    public const int MaxOutputTokens = 150;

    public bool UsesModel => UsesEndpoint;

    public override IEnumerable<string> Problems(string section)
    {
        if (StreamIdleTimeout <= TimeSpan.Zero || StreamTimeout <= TimeSpan.Zero || RetryAfter <= TimeSpan.Zero)
            yield return $"{section}: StreamIdleTimeout, StreamTimeout and RetryAfter must be more than 0.";
        if (PromptCharacters <= 0 || LiveSends <= 0)
            yield return $"{section}: PromptCharacters and LiveSends must be more than 0.";
        foreach (var problem in base.Problems(section))
            yield return problem;
    }
}
