using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Errors;

/// <summary>
/// The one place exceptions become RFC 9457 problem details: domain exceptions keep their
/// status and message; bad requests (malformed JSON, oversized bodies) keep theirs; anything
/// else is a 500 whose details are logged, never sent outside Development.
/// </summary>
public sealed class ProblemExceptionHandler(
    IProblemDetailsService problemDetails,
    IHostEnvironment environment,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    ILogger<ProblemExceptionHandler> logger
) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(
        HttpContext context,
        Exception exception,
        CancellationToken cancellationToken
    )
    {
        if (
            exception is BadHttpRequestException { InnerException: System.Text.Json.JsonException reader }
            && UnknownMember(context, reader) is { } unknown
        )
            exception = unknown;
        else if (exception is BadHttpRequestException bad && BindingFailures.AsValidation(bad) is { } binding)
            exception = binding;
        ProblemDetails problem = exception switch
        {
            RequestValidationException v => new HttpValidationProblemDetails(v.Errors)
            {
                Status = 400,
                Title = v.Title,
                Detail = v.Message,
            },
            DomainException d => new ProblemDetails
            {
                Status = d.StatusCode,
                Title = d.Title,
                Detail = d.Message,
            },
            BadHttpRequestException b => new ProblemDetails
            {
                Status = b.StatusCode,
                Title = b.StatusCode == StatusCodes.Status408RequestTimeout ? "Request timeout" : "Bad request",
                Detail = DescribeBadRequest(b),
            },
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => new ProblemDetails
            {
                Status = 499,
                Title = "Client closed request",
            },
            _ when DatabaseFaults.IsTransient(exception) => new ProblemDetails
            {
                Status = 503,
                Title = "Service unavailable",
                Detail = "The service's database is busy or unreachable; please try again shortly.",
            },
            _ when LostWriteRace(exception) => new ProblemDetails
            {
                Status = 409,
                Title = "Conflict",
                Detail =
                    "Another request changed the same thing at the same moment, so this one changed nothing; read it "
                    + "again before you retry.",
            },
            _ => new ProblemDetails
            {
                Status = 500,
                Title = "An unexpected error occurred",
                Detail = environment.IsDevelopment()
                    ? exception.ToString()
                    : "The error has been logged; quote the request id when reporting it.",
            },
        };

        if (exception is DomainException { Extensions.Count: > 0 } withExtensions)
            foreach (var (name, value) in withExtensions.Extensions)
                problem.Extensions[name] = value;

        if (exception is ServiceUnavailableException unavailable)
            // An answer chosen, not an exception unhandled: what this service depends on is down or full. Said once,
            // without a stack, so an outage of a model or a provider is not an error for every request it meets; nor a
            // warning for each, when whoever met it warned once.
            logger.Log(
                unavailable.OutageLogged ? LogLevel.Information : LogLevel.Warning,
                "Request answered 503: {Detail} (cause: {Cause})",
                unavailable.Message,
                unavailable.Data["cause"] as string ?? "none given"
            );
        else if (problem.Status >= 500)
            logger.LogError(exception, "Unhandled exception");
        else if (problem.Status == 409 && exception is not DomainException)
            // With the exception, for its constraint and stack: a race that keeps happening is a missing lock.
            logger.LogInformation(exception, "A write lost a race with a concurrent request: 409");
        else
            logger.LogInformation("Request refused with {Status}: {Detail}", problem.Status, problem.Detail);

        if (exception is DomainException { RetryAfter: { } retryAfter })
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        else if (problem.Status == 503)
            context.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds.ToString(
                System.Globalization.CultureInfo.InvariantCulture
            );

        context.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(
            new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = problem,
                Exception = exception,
            }
        );
    }

    private const int DatabaseRetryAfterSeconds = 2;

    /// <summary>
    /// A write that lost a race with a concurrent request, which its transaction undid: a unique key the other took
    /// first (PostgreSQL 23505), a row written to name one the other deleted since it was read (23503 on the
    /// inserting or updating side: an account deleted while its own request inserts its code or login; a delete that
    /// a reference refuses is a missing cascade, a bug), or an update or delete of a row the other changed or removed
    /// (EF Core's DbUpdateConcurrencyException, known here by name: ServiceDefaults does not reference EF Core).
    /// Handlers lock what they change; this answers the races one of them missed with a 409, not a 500.
    /// </summary>
    private static bool LostWriteRace(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (
                e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }
                || e
                    is Npgsql.PostgresException
                    {
                        SqlState: Npgsql.PostgresErrorCodes.ForeignKeyViolation,
                        MessageText: var text,
                    }
                    && text.StartsWith("insert or update on table", StringComparison.Ordinal)
                || e.GetType().FullName == "Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException"
            )
                return true;
        return false;
    }

    /// <summary>
    /// A body member the endpoint's body type does not have, as the validation error naming the valid ones.
    /// </summary>
    private RequestValidationException? UnknownMember(HttpContext context, System.Text.Json.JsonException reader) =>
        // The exception handler has already cleared the request's endpoint; its feature keeps it.
        (context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint())
            ?.Metadata.GetOrderedMetadata<IAcceptsMetadata>()
            .Select(accepts =>
                accepts.RequestType is { } type
                    ? UnknownMembers.Refusal(reader, type, json.Value.SerializerOptions)
                    : null
            )
            .LastOrDefault(refusal => refusal is not null);

    private static string DescribeBadRequest(BadHttpRequestException exception) =>
        exception.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
            // Kestrel's minimum data rate (UploadSpool sets an upload's from its length).
            StatusCodes.Status408RequestTimeout =>
                "The request body arrived too slowly and was not read to its end; send it again on a faster "
                    + "connection.",
            StatusCodes.Status415UnsupportedMediaType =>
                "The request body must be JSON (Content-Type: application/json).",
            _ when exception.InnerException is System.Text.Json.JsonException json =>
                $"The request body is not valid JSON: {json.Message}",
            _ => exception.Message,
        };
}
