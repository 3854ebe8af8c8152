using Community.ServiceDefaults.Errors;

namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// The model endpoint refused the call with a 4xx that sending it again cannot change (not 408 or 429): the message
/// (a content filter, a context too long) or the configuration (its key, model or address). The message never carries
/// the endpoint's text.
/// </summary>
public sealed class ModelRefusedException(int status, Exception inner)
    : Exception($"The companion's model endpoint refused the call with {status}.", inner)
{
    public int Status { get; } = status;

    /// <summary>Refused whatever the message: the endpoint, model or key configured is wrong.</summary>
    public bool Misconfigured => Status is 401 or 403 or 404;
}

/// <summary>
/// 502 without Retry-After: the model endpoint refused this message, and would refuse it again unchanged.
/// </summary>
public sealed class MessageRefusedException(string message) : DomainException(message)
{
    public override int StatusCode => StatusCodes.Status502BadGateway;
    public override string Title => "The companion could not answer this message";
}
