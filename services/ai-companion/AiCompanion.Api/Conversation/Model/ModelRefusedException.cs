using Community.ServiceDefaults.Errors;

namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// The model endpoint refused the message (a content filter, a context too long; ModelDeadlines.RefusesTheMessage):
/// sent again unchanged, it is refused again. The message never carries the endpoint's text.
/// </summary>
public sealed class ModelRefusedException(int status, bool contextTooLong, Exception inner)
    : Exception($"The companion's model endpoint refused the message with {status}.", inner)
{
    public int Status { get; } = status;

    /// <summary>The prompt is longer than the endpoint's context: a shorter one may be taken.</summary>
    public bool ContextTooLong { get; } = contextTooLong;
}

/// <summary>
/// 502 without Retry-After: the model endpoint refused this message, and would refuse it again unchanged.
/// </summary>
public sealed class MessageRefusedException(string message) : DomainException(message)
{
    public override int StatusCode => StatusCodes.Status502BadGateway;
    public override string Title => "The companion could not answer this message";
}
