using Community.ServiceDefaults.Api;

namespace Community.Gateway;

/// <summary>
/// What the pages the gateway serves itself (the targets of links in e-mails) share: each is an
/// anonymous HTML page plus its own script and the shared style, all from the gateway, so the CSP
/// allows nothing else: no inline code, no other origin.
/// </summary>
public static class GatewayPage
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; base-uri "
        + "'none'; frame-ancestors 'none'";

    /// <summary>
    /// Maps <paramref name="path"/>, its script and its style. The page is a mailed link's target, which a mail
    /// service may tag (utm_source...): its script reads the token and no query parameter is refused.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayPage(
        this IEndpointRouteBuilder routes,
        string path,
        string html,
        string scriptPath,
        string script,
        string stylePath
    )
    {
        routes
            .MapGet(path, (HttpContext context) => Serve(context, html, "text/html; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription()
            .AcceptsAnyQueryParameters();
        routes
            .MapGet(scriptPath, (HttpContext context) => Serve(context, script, "text/javascript; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        routes
            .MapGet(stylePath, (HttpContext context) => Serve(context, Style, "text/css; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext context, string content, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer"; // the token is in the page's URL
        headers.CacheControl = "no-store";
        return Results.Text(content, contentType);
    }

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #1d1d1b; }
        main { max-width: 26rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px; }
        h1 { font-size: 1.4rem; margin-top: 0; }
        label { display: block; margin-top: 1rem; font-weight: 600; }
        input { width: 100%; box-sizing: border-box; padding: .6rem; margin-top: .3rem; font-size: 1rem; }
        .hint { font-size: .85rem; color: #5c5c58; }
        button { margin-top: 1rem; padding: .7rem 1rem; font-size: 1rem; cursor: pointer; }
        #status { margin-top: 1rem; }
        """;
}
