using System.Text.RegularExpressions;
using Community.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Community.Gateway;

/// <summary>
/// A step of the proxy pipeline: a request that failed on one instance of a service before any answer began (the
/// instance was killed, refused the connection, broke it, timed out) is sent to another instance when sending it again
/// cannot do anything twice: a safe method (GET, HEAD, OPTIONS) on a route that does not act once
/// (<see cref="GatewayRoute.ActsOnce"/>); a signed-in caller's POST carrying a non-blank <c>Idempotency-Key</c> to one
/// of the paths whose key the service honours (<see cref="KeyedPosts"/>: it answers a repeat from what it stored; keys
/// are kept per user and for those POSTs only, so an anonymous one, a refresh for instance, a PATCH's or a password
/// change's is not honoured) unless it timed out (the first instance may still be running it past the key's lease);
/// or any request that never reached the instance (the connection was refused, its name did not resolve, its TLS
/// handshake failed, or it did not open within
/// <see cref="GatewayProxyConfig.ConnectTimeoutKey"/>). A PUT or DELETE that reached one is not sent again, idempotent
/// as it is: the first instance may have applied it before it died, or still be applying it, and the second would then
/// answer as if it had not been (a DELETE's 404, a two-factor switch's 409 for a change that succeeded), or both race.
/// Each instance is tried at most once; passive health checks meanwhile take the failed one out of the rotation.
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
                var actsOnce = ActsOnce(feature);
                var safeMethod = IsSafeMethod(context.Request) && !actsOnce;
                // the services keep a key's answer for some POSTs only: a keyed PATCH, or a keyed POST to any other
                // path (a password change), sent twice would be applied twice
                var keyed =
                    HttpMethods.IsPost(context.Request.Method)
                    && HonouredKey(context)
                    && KeyHonouringPaths.IsMatch(context.Request.Path.Value ?? "");
                if (HasBody(context.Request))
                    context.Request.EnableBuffering();

                var tried = new HashSet<DestinationState>();
                while (true)
                {
                    await next();
                    var error = context.GetForwarderErrorFeature();
                    if (error is null || context.Response.HasStarted || feature.ProxiedDestination is not { } failed)
                        return;
                    if (!IsInstanceFailure(error))
                        return;
                    // a PUT or DELETE is not among them: an instance that read it may have applied it before failing
                    var replayable = safeMethod || (keyed && error.Error is not ForwarderError.RequestTimedOut);
                    if (!(replayable || NeverReached(error)))
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

    private static readonly Regex ParameterPattern = new("{[^}:]+(?<guid>:guid)?}");

    // Every service's KeyedPosts in one pattern: a parameter is one segment (a guid where the route says so), letters
    // matched in any case and a trailing slash allowed, as the services' routing does.
    private static readonly Regex KeyHonouringPaths = new(
        "^(?:"
            + string.Join(
                "|",
                KeyedPosts
                    .ByService.Values.SelectMany(paths => paths)
                    .Select(path =>
                        ParameterPattern.Replace(
                            Regex.Escape(path).Replace(@"\{", "{"),
                            m => m.Groups["guid"].Success ? "[0-9A-Fa-f{}()-]{32,38}" : "[^/]+"
                        )
                    )
            )
            + ")/?\\z",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled
    );

    private static bool IsSafeMethod(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        || HttpMethods.IsHead(request.Method)
        || HttpMethods.IsOptions(request.Method);

    /// <summary>A route of <see cref="GatewayRoute.ActsOnce"/>: never sent again, whatever its method.</summary>
    private static bool ActsOnce(IReverseProxyFeature feature) =>
        feature.Route.Config.Metadata?.ContainsKey(GatewayProxyConfig.ActsOnce) == true;

    // What the services' IdempotencyKey.Read takes as a key (one value, not blank), from a caller the gateway
    // authenticated: the services keep keys per user.
    private static bool HonouredKey(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
        && context.Request.Headers[IdempotencyKeyHeader] is { Count: 1 } key
        && !string.IsNullOrWhiteSpace(key.ToString());

    // As the server framed it: over HTTP/2 and HTTP/3 a body may come with neither a length nor Transfer-Encoding.
    private static bool HasBody(HttpRequest request) =>
        request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
        ?? (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0);

    // The instance's fault, before it answered; a caller that went away is not retried.
    private static bool IsInstanceFailure(IForwarderErrorFeature error) =>
        error.Error
            is ForwarderError.Request
                or ForwarderError.RequestTimedOut
                or ForwarderError.RequestBodyDestination;

    // Refused, its name not resolved (an instance's DNS record gone as it stopped), its TLS handshake failed (nothing
    // of the request is sent before it ends), or no connection opened within the connect timeout: SocketsHttpHandler
    // reports the latter as a cancellation carrying a TimeoutException (the request's own timeout carries none), which
    // YARP calls RequestTimedOut.
    private static bool NeverReached(IForwarderErrorFeature error) =>
        error.Exception
            is HttpRequestException
                {
                    HttpRequestError: HttpRequestError.ConnectionError
                        or HttpRequestError.NameResolutionError
                        or HttpRequestError.SecureConnectionError,
                }
                or OperationCanceledException { InnerException: TimeoutException };
}
