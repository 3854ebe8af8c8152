using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Community.Gateway;

/// <summary>
/// A step of the proxy pipeline: a request that failed on one instance of a service before any answer began (the
/// instance was killed, refused the connection, broke it, timed out) is sent to another instance when sending it again
/// cannot do anything twice: a safe or idempotent method (GET, HEAD, OPTIONS, PUT, DELETE), a request carrying an
/// <c>Idempotency-Key</c> (the service answers a repeat from what it stored), or any request that never reached the
/// instance (the connection was refused). Each instance is tried at most once; passive health checks meanwhile take
/// the failed one out of the rotation.
/// </summary>
public static class InstanceRetries
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IReverseProxyApplicationBuilder UseRetriesOnAnotherInstance(
        this IReverseProxyApplicationBuilder proxy
    )
    {
        proxy.Use(
            async (context, next) =>
            {
                var feature = context.GetReverseProxyFeature();
                var candidates = feature.AvailableDestinations;
                var all = feature.AllDestinations;
                if (all.Count < 2 || context.WebSockets.IsWebSocketRequest)
                {
                    await next();
                    return;
                }

                // Kept while forwarding (on disk past 30 KB) so that it can be sent again from its start.
                var replayable = IsReplayable(context.Request);
                if (HasBody(context.Request))
                    context.Request.EnableBuffering();

                var tried = new HashSet<DestinationState>();
                while (true)
                {
                    await next();
                    var error = context.GetForwarderErrorFeature();
                    if (error is null || context.Response.HasStarted || feature.ProxiedDestination is not { } failed)
                        return;
                    if (!IsInstanceFailure(error) || !(replayable || NeverReached(error)))
                        return;
                    if (HasBody(context.Request) && !context.Request.Body.CanSeek)
                        return;

                    tried.Add(failed);
                    // the healthy ones first, then those the health checks took out: one may be back already (a
                    // rolling restart stops the next instance once the restarted one answers, before a probe saw it)
                    var remaining = candidates.Where(d => !tried.Contains(d)).ToList();
                    if (remaining.Count == 0)
                        remaining = all.Where(d => !tried.Contains(d)).ToList();
                    if (remaining.Count == 0)
                        return;

                    context.Features.Set<IForwarderErrorFeature>(null);
                    context.Response.Clear();
                    if (HasBody(context.Request))
                        context.Request.Body.Position = 0;
                    feature.AvailableDestinations = remaining;
                }
            }
        );
        return proxy;
    }

    private static bool IsReplayable(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        || HttpMethods.IsHead(request.Method)
        || HttpMethods.IsOptions(request.Method)
        || HttpMethods.IsPut(request.Method)
        || HttpMethods.IsDelete(request.Method)
        || request.Headers.ContainsKey(IdempotencyKeyHeader);

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    // The instance's fault, before it answered; a caller that went away is not retried.
    private static bool IsInstanceFailure(IForwarderErrorFeature error) =>
        error.Error
            is ForwarderError.Request
                or ForwarderError.RequestTimedOut
                or ForwarderError.RequestBodyDestination;

    private static bool NeverReached(IForwarderErrorFeature error) =>
        error.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };
}
