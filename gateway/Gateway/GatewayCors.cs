using Community.ServiceDefaults;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Community.Gateway;

/// <summary>Browser origins allowed to call the gateway, bound from the "Cors" configuration section.</summary>
public sealed class GatewayCorsOptions
{
    public const string Section = "Cors";

    /// <summary>Exact origins (scheme://host[:port]); none means no CORS headers at all.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>The origins, normalised; null when one is not an exact http(s) origin (a wildcard, a path).</summary>
    internal string[]? Origins()
    {
        var origins = AllowedOrigins
            .Where(o => !string.IsNullOrWhiteSpace(o))
            .Select(o => o.Trim().TrimEnd('/'))
            .ToArray();
        return origins.All(IsExactOrigin) ? origins : null;
    }

    private static bool IsExactOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !origin.Contains('*')
        && uri.GetLeftPart(UriPartial.Authority).Equals(origin, StringComparison.OrdinalIgnoreCase);
}

public static class GatewayCors
{
    // Every create honours it (README, "API toolkit"); browser clients send it, and If-Match on updates.
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    // Every header parameter of the contract (a test holds it to them); SignalR's browser client adds the last two.
    private static readonly string[] AllowedHeaders =
    [
        HeaderNames.Authorization,
        HeaderNames.ContentType,
        RequestId.Header,
        IdempotencyKeyHeader,
        HeaderNames.IfMatch,
        // The conditional reads of pictures, covers and photos (a 304 when unchanged).
        HeaderNames.IfNoneMatch,
        HeaderNames.IfModifiedSince,
        HeaderNames.XRequestedWith,
        "X-SignalR-User-Agent",
    ];

    private static readonly string[] AllowedMethods =
    [
        HttpMethods.Get,
        HttpMethods.Post,
        HttpMethods.Put,
        HttpMethods.Patch,
        HttpMethods.Delete,
    ];

    // Not CORS-safelisted, yet a browser app needs them: Retry-After for 429s, Location for 201s,
    // WWW-Authenticate to tell an expired token (refresh) from none, Content-Disposition for the .ics file name,
    // ETag for the next If-Match, Idempotent-Replayed to tell a replayed create.
    private static readonly string[] ExposedHeaders =
    [
        RequestId.Header,
        HeaderNames.RetryAfter,
        HeaderNames.Location,
        HeaderNames.WWWAuthenticate,
        HeaderNames.ContentDisposition,
        HeaderNames.ETag,
        "Idempotent-Replayed",
    ];

    public static IServiceCollection AddGatewayCors(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddOptions<GatewayCorsOptions>()
            .Bind(configuration.GetSection(GatewayCorsOptions.Section))
            .Validate(
                o => o.Origins() is not null,
                "Cors:AllowedOrigins takes exact origins like https://app.example or "
                    + "http://localhost:5173 (no wildcard, no path)."
            )
            .ValidateOnStart();
        services.AddCors();
        // Credentials, for the listed origins only: SignalR's browser client negotiates withCredentials, and the hubs'
        // affinity cookie (set on negotiate, needed on the WebSocket) is stored only from a credentialed answer.
        // Auth is by bearer token, never a cookie, so a credentialed request carries no authority of its own.
        services
            .AddOptions<CorsOptions>()
            .Configure<IOptions<GatewayCorsOptions>>(
                (cors, gateway) =>
                    cors.AddDefaultPolicy(policy =>
                        policy
                            .WithOrigins(gateway.Value.Origins() ?? [])
                            .WithHeaders(AllowedHeaders)
                            .WithMethods(AllowedMethods)
                            .WithExposedHeaders(ExposedHeaders)
                            .AllowCredentials()
                            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))
                    )
            );

        // Ahead of the shared pipeline: a preflight carries no token, so it must be answered before authorization.
        services.AddTransient<IStartupFilter, CorsFirst>();
        return services;
    }

    private sealed class CorsFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) =>
            app =>
            {
                // Preflights stop at CORS, so they take their request id here; other requests get it from
                // UseServiceDefaults.
                app.UseWhen(IsPreflight, preflight => preflight.UseRequestId());
                // Every answer varies by Origin once origins are listed: CORS headers go only to a listed origin's
                // request, and ASP.NET says so (Vary) only with two origins or more, and only to a listed one. A
                // photo a browser cached from an <img> (no Origin) would otherwise be served from its cache to the
                // web client's fetch without Access-Control-Allow-Origin, and refused.
                var origins = app
                    .ApplicationServices.GetRequiredService<IOptions<GatewayCorsOptions>>()
                    .Value.Origins();
                if (origins is { Length: > 0 })
                    app.Use(
                        (context, nextStep) =>
                        {
                            context.Response.OnStarting(VaryByOrigin, context.Response);
                            return nextStep(context);
                        }
                    );
                app.UseCors();
                next(app);
            };

        private static Task VaryByOrigin(object state)
        {
            var headers = ((HttpResponse)state).Headers;
            var varies = headers.Vary.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries));
            if (!varies.Any(v => v == "*" || v.Equals(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase)))
                headers.Append(HeaderNames.Vary, HeaderNames.Origin);
            return Task.CompletedTask;
        }

        private static bool IsPreflight(HttpContext context) =>
            HttpMethods.IsOptions(context.Request.Method)
            && context.Request.Headers.ContainsKey(HeaderNames.Origin)
            && context.Request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);
    }
}
