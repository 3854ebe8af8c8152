namespace Community.Gateway;

/// <summary>
/// A step of the proxy pipeline that logs what the forwarder reports by whose fault it is: a service that failed
/// (refused, timed out, broke its response) is a Warning an operator acts on; a caller that went away (a browser
/// closing its WebSocket, a cancelled request) is Debug. YARP's own forwarder log, which warns for both, is kept to
/// errors.
/// </summary>
public static class ForwardingLog
{
    public const string Category = "Community.Gateway.Forwarding";

    /// <summary>YARP's forwarder category: its per-request warnings are replaced by this step's.</summary>
    public const string ForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    public static IApplicationBuilder UseForwardingLog(this IApplicationBuilder proxy) =>
        proxy.Use(
            async (context, next) =>
            {
                await next(context);
                if (context.GetForwarderErrorFeature() is not { } error)
                    return;

                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
                var service = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
                if (ServiceUnavailable.IsServiceFailure(error.Error))
                    logger.LogWarning(
                        error.Exception,
                        "Forwarding {Method} {Path} to {Service} failed: {Error}",
                        context.Request.Method,
                        context.Request.Path,
                        service,
                        error.Error
                    );
                else
                    logger.LogDebug(
                        error.Exception,
                        "The caller ended {Method} {Path} to {Service}: {Error}",
                        context.Request.Method,
                        context.Request.Path,
                        service,
                        error.Error
                    );
            }
        );
}
