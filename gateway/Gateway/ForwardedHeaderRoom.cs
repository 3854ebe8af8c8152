using Community.ServiceDefaults;

namespace Community.Gateway;

/// <summary>
/// A step of the proxy pipeline: a request whose header lines leave no room for those the gateway adds
/// (<see cref="RequestSizeLimits.ForwardingMargin"/>) is the gateway's 431 problem; forwarded, it would get the
/// bare 431 of the service's Kestrel, which reads as many lines as the gateway's
/// (<see cref="RequestSizeLimits.MaxHeaderCount"/>).
/// </summary>
public static class ForwardedHeaderRoom
{
    /// <summary>The most header lines a forwarded request may carry as it arrives.</summary>
    public const int MaxHeaderLines = RequestSizeLimits.MaxHeaderCount - RequestSizeLimits.ForwardingMargin;

    public static IApplicationBuilder UseRoomForForwardedHeaders(this IApplicationBuilder proxy) =>
        proxy.Use(
            async (context, next) =>
            {
                var lines = 0;
                foreach (var (_, values) in context.Request.Headers)
                    lines += Math.Max(1, values.Count);
                if (lines <= MaxHeaderLines)
                {
                    await next(context);
                    return;
                }
                await RequestSizeLimits.WriteAsync(
                    context,
                    StatusCodes.Status431RequestHeaderFieldsTooLarge,
                    "Request header fields too large",
                    $"The request has {lines} header lines; at most {MaxHeaderLines} are accepted."
                );
            }
        );
}
