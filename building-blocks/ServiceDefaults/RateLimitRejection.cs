using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Community.ServiceDefaults;

/// <summary>429 problem details with Retry-After, for every rate limiter of the platform.</summary>
public static class RateLimitRejection
{
    public static async ValueTask WriteAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        var problems = context.HttpContext.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        if (problems is not null)
        {
            await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context.HttpContext,
                ProblemDetails = { Status = 429, Title = "Too many requests", Detail = $"Rate limit reached; retry after {response.Headers.RetryAfter} s." },
            });
        }
    }
}
