using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Community.Gateway;

/// <summary>
/// The reference web client (clients/web, built by Vite into its dist folder) at &lt;gateway&gt;/app/: the same origin
/// as the API, so it needs no CORS. <c>WebClient:Root</c> names the built folder (AppHost sets it to clients/web/dist);
/// without it nothing is served there. Hashed assets (/app/assets/) are cached for a year, everything else is
/// revalidated; any other path under /app/ answers index.html, so the client's own routes survive a reload.
/// </summary>
public static class WebClient
{
    public const string PathBase = "/app";

    /// <summary>
    /// The app talks to its own origin only: its API, its hub (WebSocket) and its own files. Images may also come from
    /// any https address, as the API takes them (a course's image, a picture or cover given by URL rather than
    /// uploaded); the app sends no Referer with them (Referrer-Policy below).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static int _notBuiltTold;

    public static WebApplication MapWebClient(this WebApplication app)
    {
        var root = app.Configuration["WebClient:Root"];
        if (string.IsNullOrWhiteSpace(root))
            return app;
        var folder = Path.GetFullPath(root);
        // made on first use: the folder may be built after the gateway started
        var files = new Lazy<PhysicalFileProvider>(() => new PhysicalFileProvider(folder));
        // a middleware, not an endpoint: the app's routes read query parameters of their own (?checkout=paid), which
        // endpoints refuse unless they declare them (KnownQueryParameters)
        app.Use(
            (context, next) =>
                IsFileRequest(context.Request)
                    ? Serve(context, files, folder, context.Request.Path.Value![PathBase.Length..].TrimStart('/'))
                        .ExecuteAsync(context)
                    : next(context)
        );
        return app;
    }

    /// <summary>A GET or HEAD of the app's pages and files (under /app), which the gateway answers itself.</summary>
    public static bool IsFileRequest(HttpRequest request) =>
        request.Path.StartsWithSegments(PathBase)
        && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));

    private static IResult Serve(HttpContext context, Lazy<PhysicalFileProvider> provider, string folder, string? path)
    {
        // the app's relative URLs need the slash
        if (string.IsNullOrEmpty(path) && !context.Request.Path.Value!.EndsWith('/'))
            return Results.Redirect(PathBase + "/");
        if (!Directory.Exists(folder))
            return NotBuilt(context, folder);
        var files = provider.Value;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";

        var file = string.IsNullOrEmpty(path) ? null : files.GetFileInfo(path);
        if (file is { Exists: true, IsDirectory: false, PhysicalPath: { } physical })
        {
            headers.CacheControl = path!.StartsWith("assets/", StringComparison.Ordinal)
                ? "public, max-age=31536000, immutable"
                : "no-cache";
            // Whole files only: the app's are small, and a range past a file's end would be an empty 416 that no
            // problem describes.
            return Results.File(physical, ContentType(physical), lastModified: file.LastModified);
        }
        // a missing file (an asset of an older build) is a 404; any other path is one of the app's own routes
        if (path is not null && (path.StartsWith("assets/", StringComparison.Ordinal) || Path.HasExtension(path)))
            return Results.NotFound();
        var index = files.GetFileInfo("index.html");
        if (!index.Exists || index.PhysicalPath is null)
            return NotBuilt(context, folder);
        headers.CacheControl = "no-cache";
        return Results.File(index.PhysicalPath, "text/html; charset=utf-8", lastModified: index.LastModified);
    }

    /// <summary>
    /// A 503 that tells the caller what to run, not where the server keeps its files: the folder is the operator's, in
    /// the log.
    /// </summary>
    private static IResult NotBuilt(HttpContext context, string folder)
    {
        // Once a process at Warning (every request to /app/ would say it again), then at Debug.
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebClient));
        logger.Log(
            Interlocked.Exchange(ref _notBuiltTold, 1) == 0 ? LogLevel.Warning : LogLevel.Debug,
            "The web client is not built: {Folder} holds no index.html",
            folder
        );
        return Results.Problem(
            title: "The web client is not built",
            detail: "Its files are not in place: run `npm ci && npm run build` in clients/web.",
            statusCode: StatusCodes.Status503ServiceUnavailable
        );
    }

    private static string ContentType(string path) =>
        ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";
}
