using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.ServiceDefaults.Errors;

/// <summary>
/// How endpoints document and return problem answers that are not refusals thrown as domain exceptions.
/// </summary>
public static class ProblemResponses
{
    /// <summary>
    /// Documents the 4xx the shared pipeline can give any endpoint of the group (400 validation, 401 token,
    /// 403 policy, 404 unknown or hidden resource), so OpenAPI lists what a client must handle.
    /// </summary>
    public static TBuilder WithStandardProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>
    /// A refusal answered without throwing it, for an outcome common enough that the cost of an exception matters (a
    /// ticket drop refuses hundreds at once): the document <see cref="ProblemExceptionHandler"/> writes for it thrown.
    /// Not for one with a <see cref="DomainException.RetryAfter"/> (the header is the handler's to set).
    /// </summary>
    public static ProblemHttpResult Refusal(DomainException refusal) =>
        TypedResults.Problem(
            refusal.Message,
            statusCode: refusal.StatusCode,
            title: refusal.Title,
            extensions: refusal.Extensions.Count > 0 ? new Dictionary<string, object?>(refusal.Extensions) : null
        );

    /// <summary>
    /// 402 as an expected outcome (a hold or enrollment that awaits payment): the same problem document a refusal gets.
    /// </summary>
    public static ProblemHttpResult PaymentRequired(string detail, IDictionary<string, object?> extensions) =>
        TypedResults.Problem(
            detail,
            statusCode: StatusCodes.Status402PaymentRequired,
            title: "Payment required",
            extensions: extensions
        );
}
