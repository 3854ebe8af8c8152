namespace Community.ServiceDefaults.Errors;

/// <summary>Base of the exceptions a handler throws to end a request with a problem-details answer.</summary>
public abstract class DomainException(string message) : Exception(message)
{
    public abstract int StatusCode { get; }
    public abstract string Title { get; }

    /// <summary>
    /// Extra members of the problem document (snake_case names), e.g. what a client needs to act on it.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Extensions { get; init; } = new Dictionary<string, object?>();

    /// <summary>
    /// When set, the answer carries a Retry-After header: the same request may succeed after that long.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>400: the request is malformed; <see cref="Errors"/> are keyed by snake_case field name.</summary>
public sealed class RequestValidationException(IDictionary<string, string[]> errors)
    : DomainException("One or more fields are invalid.")
{
    public RequestValidationException(string field, string error)
        : this(new Dictionary<string, string[]> { [field] = [error] }) { }

    public IDictionary<string, string[]> Errors { get; } = errors;
    public override int StatusCode => 400;
    public override string Title => "Validation failed";
}

public sealed class NotFoundException(string message) : DomainException(message)
{
    public override int StatusCode => 404;
    public override string Title => "Not found";
}

public sealed class ForbiddenException(string message) : DomainException(message)
{
    public override int StatusCode => 403;
    public override string Title => "Forbidden";
}

public sealed class ConflictException(string message) : DomainException(message)
{
    public override int StatusCode => 409;
    public override string Title => "Conflict";
}

/// <summary>422: the request is well formed but a business rule refuses it.</summary>
public sealed class BusinessRuleException(string message) : DomainException(message)
{
    public override int StatusCode => 422;
    public override string Title => "Business rule violated";
}

public sealed class UnauthorizedException(string message) : DomainException(message)
{
    public override int StatusCode => 401;
    public override string Title => "Unauthorized";
}

/// <summary>429 with a Retry-After header.</summary>
public sealed class TooManyRequestsException : DomainException
{
    public TooManyRequestsException(string message, TimeSpan retryAfter)
        : base(message) => RetryAfter = retryAfter;

    public override int StatusCode => 429;
    public override string Title => "Too many requests";
}

/// <summary>
/// 503 with a Retry-After header: something this service depends on (a mail server, a provider) cannot be reached now.
/// </summary>
public sealed class ServiceUnavailableException : DomainException
{
    public ServiceUnavailableException(string message, TimeSpan retryAfter, Exception? cause = null)
        : base(message)
    {
        RetryAfter = retryAfter;
        if (cause is not null)
            Data["cause"] = cause.Message;
    }

    /// <summary>
    /// Whoever met the outage warned of it once (the JWKS source does): each request it refuses is told at Information.
    /// </summary>
    public bool OutageLogged { get; init; }

    public override int StatusCode => 503;
    public override string Title => "Service unavailable";
}

/// <summary>415: the body's media type or charset is not one this endpoint reads.</summary>
public sealed class UnsupportedMediaTypeException(string message) : DomainException(message)
{
    public override int StatusCode => 415;
    public override string Title => "Unsupported media type";
}

/// <summary>412: the request's If-Match names a version of the resource that is no longer the current one.</summary>
public sealed class PreconditionFailedException(string message) : DomainException(message)
{
    public override int StatusCode => 412;
    public override string Title => "Precondition failed";
}
