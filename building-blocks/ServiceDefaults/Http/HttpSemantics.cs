using Microsoft.AspNetCore.Builder;
using Microsoft.Net.Http.Headers;

namespace Community.ServiceDefaults.Http;

/// <summary>Two rules of HTTP every service and the gateway keep, whatever the endpoint.</summary>
public static class HttpSemantics
{
    /// <summary>
    /// HEAD is answered wherever GET is (RFC 9110 9.3.2): the request is routed, authorized and limited as
    /// the GET it names, and the answer goes out with the GET's status and headers and no body
    /// (Kestrel drops a HEAD answer's body once the method is HEAD again when the response starts).
    /// Must run before routing.
    /// </summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                if (!HttpMethods.IsHead(context.Request.Method))
                {
                    await next(context);
                    return;
                }
                context.Request.Method = HttpMethods.Get;
                context.Response.OnStarting(() =>
                {
                    context.Request.Method = HttpMethods.Head;
                    return Task.CompletedTask;
                });
                await next(context);
            }
        );

    /// <summary>
    /// An answer to a request that carries credentials is private: <c>Cache-Control: no-store</c> unless the
    /// endpoint chose its own caching, so no shared or browser cache keeps one user's data.
    /// </summary>
    public static IApplicationBuilder UseNoStoreWhenSignedIn(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                if (context.Request.Headers.ContainsKey(HeaderNames.Authorization))
                    context.Response.OnStarting(() =>
                    {
                        var headers = context.Response.Headers;
                        if (!headers.ContainsKey(HeaderNames.CacheControl))
                            headers.CacheControl = "no-store";
                        return Task.CompletedTask;
                    });
                await next(context);
            }
        );
}
