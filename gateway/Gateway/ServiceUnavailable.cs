using Yarp.ReverseProxy.Forwarder;

namespace Community.Gateway;

/// <summary>
/// A step of the proxy pipeline: when the target service cannot be reached (no destination
/// configured, connection refused, timeout, broken response), the caller gets a 503 problem
/// naming the service instead of YARP's empty 502/503/504, with a Retry-After a client can follow.
/// </summary>
public static class ServiceUnavailable
{
    /// <summary>Seconds a client waits before trying again: about what a restarted instance needs to answer.</summary>
    public const int RetryAfterSeconds = 5;

    public static IApplicationBuilder UseServiceUnavailableProblems(this IApplicationBuilder proxy) =>
        proxy.Use(
            async (context, next) =>
            {
                await next(context);

                var error = context.GetForwarderErrorFeature();
                if (error is null || context.Response.HasStarted || !IsServiceFailure(error.Error))
                    return;

                var service = GatewayProxyConfig.ServiceOf(context.GetReverseProxyFeature().Cluster.Config.ClusterId);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(
                    System.Globalization.CultureInfo.InvariantCulture
                );
                var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.TryWriteAsync(
                    new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails =
                        {
                            Status = StatusCodes.Status503ServiceUnavailable,
                            Title = "Service unavailable",
                            Detail = $"The {service} service is unavailable.",
                        },
                    }
                );
            }
        );

    // Errors on the caller's side (cancelled or broken client requests) are not the service's fault, nor an upgraded
    // connection the service ended (UpgradedConnectionEnds takes those off the request before this step sees them).
    public static bool IsServiceFailure(ForwarderError error) =>
        error
            is ForwarderError.NoAvailableDestinations
                or ForwarderError.Request
                or ForwarderError.RequestTimedOut
                or ForwarderError.RequestBodyDestination
                or ForwarderError.ResponseHeaders
                or ForwarderError.ResponseBodyDestination;
}
