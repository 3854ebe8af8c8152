using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Errors;

/// <summary>
/// The last problem writer: when the client's Accept names no JSON (application/xml, say), the
/// built-in writer declines and the body would be empty; this one writes problem+json anyway,
/// since an error with no body tells the client nothing.
/// </summary>
internal sealed class AnyAcceptProblemWriter(
    IOptions<ProblemDetailsOptions> problemOptions,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions
) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        // The built-in writer's defaults (its RFC 9110 type links), so type and title never depend on Accept.
        var defaults = TypedResults.Problem(statusCode: problem.Status).ProblemDetails;
        problem.Title ??= defaults.Title ?? ReasonPhrases(problem.Status.Value);
        problem.Type ??= defaults.Type;
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        var options = jsonOptions.Value.SerializerOptions;
        return new ValueTask(
            context.HttpContext.Response.WriteAsJsonAsync(
                problem,
                problem.GetType(),
                options,
                "application/problem+json"
            )
        );
    }

    private static string ReasonPhrases(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase
            ? phrase
            : "Error";
}
