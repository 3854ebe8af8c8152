namespace Community.AiCompanion.Model;

public enum PromptRole { System, User, Assistant }

/// <summary>One message of the model's context; stored history keeps its own role (user text is never system text).</summary>
public sealed record PromptMessage(PromptRole Role, string Text);

public sealed record ModelUsage(int PromptTokens, int CompletionTokens);

/// <summary>A whole reply and what it cost.</summary>
public sealed record ModelReply(string Text, ModelUsage Usage);

/// <summary>A piece of a streamed reply: token text, and the usage on the last piece when the responder reports it.</summary>
public sealed record ModelChunk(string Delta, ModelUsage? Usage = null);

/// <summary>Whatever writes the companion's replies: a language model behind an OpenAI-compatible endpoint, or the offline responder.</summary>
public interface ICompanionModel
{
    /// <summary>"model" or "offline", as stored with each reply.</summary>
    string Responder { get; }

    Task<ModelReply> CompleteAsync(IReadOnlyList<PromptMessage> prompt, CancellationToken cancellationToken);

    /// <summary>The reply piece by piece; a failure before or during the stream is a <see cref="ModelUnavailableException"/>.</summary>
    IAsyncEnumerable<ModelChunk> StreamAsync(IReadOnlyList<PromptMessage> prompt, CancellationToken cancellationToken);
}

/// <summary>The model could not answer (error, timeout, open breaker); the message never carries the endpoint's key.</summary>
public sealed class ModelUnavailableException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How long until a new attempt may succeed, when the breaker knows it.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
