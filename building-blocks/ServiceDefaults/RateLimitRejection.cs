using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Community.ServiceDefaults;

/// <summary>429 problem details with Retry-After, for every rate limiter of the platform.</summary>
public static class RateLimitRejection
{
    public static ValueTask WriteAsync(OnRejectedContext context, CancellationToken cancellationToken) =>
        WriteAsync(context.HttpContext, context.Lease);

    /// <summary>The same answer for a limiter a middleware consults itself.</summary>
    public static async ValueTask WriteAsync(HttpContext context, RateLimitLease lease)
    {
        var response = context.Response;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        var problems = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        if (problems is not null)
        {
            await problems.TryWriteAsync(
                new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = 429,
                        Title = "Too many requests",
                        Detail = $"Rate limit reached; retry after {response.Headers.RetryAfter} s.",
                    },
                }
            );
        }
    }
}
