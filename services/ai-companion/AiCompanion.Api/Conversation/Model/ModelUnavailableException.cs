namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// The model could not answer (error, timeout, open breaker); the message never carries the endpoint's key.
/// </summary>
public sealed class ModelUnavailableException(string message, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>How long until a new attempt may succeed, when the breaker knows it.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
