using Community.ServiceDefaults;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Community.Gateway;

/// <summary>Browser origins allowed to call the gateway, bound from the "Cors" configuration section.</summary>
public sealed class GatewayCorsOptions
{
    public const string Section = "Cors";

    /// <summary>Exact origins (scheme://host[:port]); none means no CORS headers at all.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

public static class GatewayCors
{
    // Every create honours it (README, "API toolkit"); browser clients send it, and If-Match on updates.
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    // Bearer tokens, not cookies: credentials stay off. SignalR's browser client adds the last two headers.
    private static readonly string[] AllowedHeaders =
    [
        HeaderNames.Authorization, HeaderNames.ContentType, RequestId.Header, IdempotencyKeyHeader, HeaderNames.IfMatch,
        HeaderNames.XRequestedWith, "X-SignalR-User-Agent",
    ];

    private static readonly string[] AllowedMethods =
        [HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    // Not CORS-safelisted, yet a browser app needs them: Retry-After for 429s, Location for 201s,
    // WWW-Authenticate to tell an expired token (refresh) from none, Content-Disposition for the .ics file name,
    // ETag for the next If-Match, Idempotent-Replayed to tell a replayed create.
    private static readonly string[] ExposedHeaders =
    [
        RequestId.Header, HeaderNames.RetryAfter, HeaderNames.Location, HeaderNames.WWWAuthenticate, HeaderNames.ContentDisposition,
        HeaderNames.ETag, "Idempotent-Replayed",
    ];

    public static IServiceCollection AddGatewayCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayCorsOptions>().Bind(configuration.GetSection(GatewayCorsOptions.Section));
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<Microsoft.Extensions.Options.IOptions<GatewayCorsOptions>>((cors, gateway) =>
            cors.AddDefaultPolicy(policy => policy
                .WithOrigins(gateway.Value.AllowedOrigins.Where(o => !string.IsNullOrWhiteSpace(o)).Select(o => o.TrimEnd('/')).ToArray())
                .WithHeaders(AllowedHeaders)
                .WithMethods(AllowedMethods)
                .WithExposedHeaders(ExposedHeaders)
                .DisallowCredentials()
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));

        // Ahead of the shared pipeline: a preflight carries no token, so it must be answered before authorization.
        services.AddTransient<IStartupFilter, CorsFirst>();
        return services;
    }

    private sealed class CorsFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // Preflights stop at CORS, so they take their request id here; other requests get it from UseServiceDefaults.
            app.UseWhen(IsPreflight, preflight => preflight.UseRequestId());
            app.UseCors();
            next(app);
        };

        private static bool IsPreflight(HttpContext context) =>
            HttpMethods.IsOptions(context.Request.Method)
            && context.Request.Headers.ContainsKey(HeaderNames.Origin)
            && context.Request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);
    }
}
