using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.ServiceDefaults.Errors;

/// <summary>How endpoints document and return problem answers that are not refusals thrown as domain exceptions.</summary>
public static class ProblemResponses
{
    /// <summary>
    /// Documents the 4xx the shared pipeline can give any endpoint of the group (400 validation, 401 token,
    /// 403 policy, 404 unknown or hidden resource), so OpenAPI lists what a client must handle.
    /// </summary>
    public static TBuilder WithStandardProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>402 as an expected outcome (a hold or enrollment that awaits payment): the same problem document a refusal gets.</summary>
    public static ProblemHttpResult PaymentRequired(string detail, IDictionary<string, object?> extensions) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status402PaymentRequired, title: "Payment required", extensions: extensions);
}
