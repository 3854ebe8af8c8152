using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Community.ServiceDefaults.Errors;

internal static class ProblemDetailsSetup
{
    public static IServiceCollection AddProblemDetailsConventions(this IServiceCollection services)
    {
        services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context =>
            {
                var problem = context.ProblemDetails;
                problem.Instance ??= context.HttpContext.Request.Path;
                problem.Extensions["request_id"] = context.HttpContext.TraceIdentifier;
                var traceId = Activity.Current?.TraceId.ToString();
                if (traceId is not null)
                    problem.Extensions["trace_id"] = traceId;
                problem.Detail ??= problem.Status switch
                {
                    StatusCodes.Status401Unauthorized => "A valid bearer access token is required.",
                    StatusCodes.Status403Forbidden => "You are not allowed to do this.",
                    StatusCodes.Status404NotFound => "No resource exists at this address.",
                    StatusCodes.Status405MethodNotAllowed =>
                        $"{context.HttpContext.Request.Method} is not allowed on this resource.",
                    StatusCodes.Status503ServiceUnavailable => "The service is unavailable; try again shortly.",
                    _ => null,
                };
            }
        );
        // After the built-in writer, which declines when Accept names no JSON.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }
}
