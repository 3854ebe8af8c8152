using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Community.ServiceDefaults;

/// <summary>
/// URL and header size limits answered as problem details. Kestrel's own 414/431 are written
/// before any middleware runs, with an empty body; so Kestrel is given generous limits and the
/// pipeline enforces the real ones, with a problem a client can read.
/// </summary>
public static class RequestSizeLimits
{
    /// <summary>Path and query string, in characters.</summary>
    public const int MaxUrlLength = 8 * 1024;

    /// <summary>All request headers together, names and values, in characters (a name counts on each line).</summary>
    public const int MaxHeadersLength = 32 * 1024;

    /// <summary>Header lines Kestrel reads before its own bare 431 (32 characters a line on average).</summary>
    public const int MaxHeaderCount = MaxHeadersLength / 32;

    /// <summary>
    /// Header lines a proxy adds to what it forwards (X-Forwarded-For, -Proto and -Host, X-Request-Id, traceparent,
    /// tracestate, baggage), with room to spare: the gateway forwards no more than <see cref="MaxHeaderCount"/> less
    /// these, so the service's Kestrel never answers a request the gateway let through with its bare 431.
    /// </summary>
    public const int ForwardingMargin = 16;

    /// <summary>Kestrel's own limits, above ours so that ours answer first.</summary>
    internal static void Configure(KestrelServerOptions options)
    {
        options.Limits.MaxRequestLineSize = 4 * MaxUrlLength;
        options.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeadersLength;
        // Kestrel's default, 100, would answer 101 small headers with its bare 431, far inside the size the pipeline
        // checks. Not as many as the size holds: Kestrel stores each repeat of a name by copying the earlier values, so
        // thousands of one name would cost it their square before any check of ours runs.
        options.Limits.MaxRequestHeaderCount = MaxHeaderCount;
    }

    public static IApplicationBuilder UseRequestSizeLimits(this IApplicationBuilder app) =>
        app.Use(
            async (context, next) =>
            {
                var request = context.Request;
                var url =
                    (request.PathBase.Value?.Length ?? 0)
                    + (request.Path.Value?.Length ?? 0)
                    + (request.QueryString.Value?.Length ?? 0);
                if (url > MaxUrlLength)
                {
                    await WriteAsync(
                        context,
                        StatusCodes.Status414UriTooLong,
                        "URI too long",
                        $"The path and query are {url} characters; at most {MaxUrlLength} are accepted. "
                            + "Send fewer or shorter filters."
                    );
                    return;
                }
                var headers = 0L;
                foreach (var (name, values) in request.Headers)
                {
                    // Each line of a repeated name is sent with the name: counted as sent.
                    headers += Math.Max(1, values.Count) * (name.Length + 4);
                    foreach (var value in values)
                        headers += value?.Length ?? 0;
                }
                if (headers > MaxHeadersLength)
                {
                    await WriteAsync(
                        context,
                        StatusCodes.Status431RequestHeaderFieldsTooLarge,
                        "Request header fields too large",
                        $"The request headers are {headers} characters; at most {MaxHeadersLength} are accepted."
                    );
                    return;
                }
                await next(context);
            }
        );

    /// <summary>Answers with a problem of <paramref name="status"/>; the request goes no further.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context
            .RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(
                new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = status,
                        Title = title,
                        Detail = detail,
                    },
                }
            );
    }
}
