using System.Text.Json;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Http;
using Community.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults;

/// <summary>
/// The hosting conventions every service and the gateway share, in one call each:
/// <c>builder.AddServiceDefaults()</c>, then <c>app.UseServiceDefaults()</c> and <c>app.MapDefaultEndpoints()</c>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// How long a host's stop may take before what is left is abandoned, unless <c>Hosting:ShutdownSeconds</c> says
    /// otherwise: AppHost kills a process 10 s after SIGTERM, so 5 s locally; a pod's grace is longer (30 s less its
    /// 5 s preStop), and its manifests give the stop 20 s, for the mail queued and the uploads under way.
    /// </summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The stop budget the configuration sets (1-300 s), or the default; a start-up error names it.</summary>
    public static TimeSpan ShutdownTimeout(IConfiguration configuration)
    {
        var seconds = configuration.GetValue<int?>("Hosting:ShutdownSeconds");
        if (seconds is null)
            return DefaultShutdownTimeout;
        if (seconds is < 1 or > 300)
            throw new InvalidOperationException(
                $"Hosting:ShutdownSeconds is {seconds}: it must be 1-300, and below the orchestrator's grace period."
            );
        return TimeSpan.FromSeconds(seconds.Value);
    }

    /// <summary>Bodies larger than this are refused with 413 unless an endpoint says otherwise.</summary>
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        // On SIGTERM in-flight requests finish, hub connections are closed and the bus stops within the budget (the
        // host's 30 s default outlasts an orchestrator's grace: AppHost kills after 10 s, Kubernetes after 30 s).
        var shutdownTimeout = ShutdownTimeout(builder.Configuration);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = shutdownTimeout);
        builder.AddLogging();
        builder.AddTelemetry();

        builder.Services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<KestrelServerOptions>(options =>
        {
            options.Limits.MaxRequestBodySize = builder.Configuration.GetValue(
                "Http:MaxRequestBodyBytes",
                DefaultMaxRequestBodyBytes
            );
            // No Server header: it tells a prober which server to aim at and nothing a client needs.
            options.AddServerHeader = false;
            RequestSizeLimits.Configure(options);
        });
        builder.Services.AddProblemDetailsConventions();

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
            ConfigureForwardedHeaders(options, builder.Configuration)
        );
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthTransitionLog>();
        builder.Services.Configure<HealthCheckPublisherOptions>(options => options.Period = TimeSpan.FromSeconds(15));
        builder.AddJwtAuthentication();
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RateLimitRejection.WriteAsync;
        });

        builder.Services.AddHttpClient();
        builder.Services.AddHttpResilience(builder.Configuration);
        return builder;
    }

    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        json.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        json.Converters.Add(
            new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower)
        );
        json.Converters.Add(new Api.SafeStringConverter());
        json.Converters.Add(new Api.UniqueMembersJsonObjectConverter());
        // Instants in one shape: UTC with Z and six fractional digits.
        json.Converters.Add(new Api.UtcDateTimeOffsetConverter());
        json.Converters.Add(new Api.UtcDateTimeConverter());
        // {"a":1,"a":2} is refused (400), never silently last-wins.
        json.AllowDuplicateProperties = false;
        // A member the target type does not have is refused (400 naming the valid ones), never silently dropped.
        json.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
    }

    /// <summary>
    /// X-Forwarded-For/Proto are believed only from the proxies listed in Http:TrustedNetworks
    /// (CIDRs or single addresses: the pod network in Kubernetes, the gateway's address under
    /// AppHost), and only their last hop: nothing is trusted by default, not even loopback, so a
    /// caller cannot rotate the header to step around per-address limits.
    /// </summary>
    private static void ConfigureForwardedHeaders(ForwardedHeadersOptions options, IConfiguration configuration)
    {
        options.ForwardLimit = 1;
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var entry in configuration.GetSection("Http:TrustedNetworks").Get<string[]>() ?? [])
        {
            if (entry.Contains('/'))
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
            else
                options.KnownProxies.Add(System.Net.IPAddress.Parse(entry));
        }
        // Empty lists would make the middleware trust every sender: with no proxy configured, no header is read.
        options.ForwardedHeaders =
            options.KnownIPNetworks.Count + options.KnownProxies.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
    }

    private static void AddLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        // one error per probe while the bus is still connecting is noise; HealthTransitionLog logs changes instead
        builder.Logging.AddFilter(HealthTransitionLog.ProbeLogCategory, LogLevel.None);
        // the revocation feed is read every second: its requests are logged only when they go wrong
        builder.Logging.AddFilter(
            "System.Net.Http.HttpClient." + Auth.HttpRevocationSource.HttpClientName,
            LogLevel.Warning
        );
        // so are identity's signing keys (JWKS) at start and on each refresh: four lines a fetch said nothing to act on
        builder.Logging.AddFilter(
            "System.Net.Http.HttpClient." + Auth.JwksSigningKeySource.HttpClientName,
            LogLevel.Warning
        );
        // JwtBearer logs an exception from a token's check (a key store that cannot answer: identity down) as an error
        // with its stack, then rethrows it, and no event of ours answers it: the problem handler tells it once (a 503
        // as a warning, anything else as an error). Its other lines are Information and Debug.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler", LogLevel.Critical);
        // Polly reports every attempt of every outgoing request (the OTLP exports too) at Information; retries,
        // an opened breaker and timeouts come at Warning and above, which is what an operator acts on
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        if (builder.Environment.IsDevelopment() || builder.Configuration["Logging:Console:FormatterName"] == "simple")
            builder.Logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        else
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "O";
                o.UseUtcTimestamp = true;
            });
    }

    /// <summary>
    /// The shared middleware pipeline, in its one right order: HEAD answered as GET, routing, forwarded headers,
    /// request id, no-store for signed-in answers, problem details for every error, safe text, UTF-8 JSON bodies,
    /// authentication that refuses invalid tokens, rate limiting, authorization, refusal of query parameters the
    /// endpoint does not bind, room for an upload's body, Idempotency-Key replays; and the service's OpenAPI document.
    /// </summary>
    /// <summary>The one OpenAPI document a service serves (the gateway serves it as /openapi/{service}.json).</summary>
    private const string DocumentName = "v1";

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseHeadAsGet();
        app.UseShutdownSafeRequestBody();
        app.UseRouting();
        app.UseForwardedHeaders();
        app.UseRequestId();
        app.UseNoStoreWhenSignedIn();
        app.UseRequestSizeLimits();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSafeText();
        app.UseJsonCharset();
        app.UseAuthentication();
        app.UseRejectInvalidTokens();
        // Limits before authorization: a request refused for want of a token (401) or a role (403) is counted too, so
        // probing protected routes without signing in is held to the per-address window like any anonymous request.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseKnownSubjectsForWrites();
        app.UseKnownQueryParameters();
        app.UseUploadSpool();
        app.UseIdempotentRequests();

        // A service registers its document (AddOpenApi(o => o.AddContract())), v1; the gateway has none (it routes the
        // services'). Any other name is the 404 problem of a route that does not exist, not the library's plain text.
        if (
            app.Services.GetService<IServiceProviderIsKeyedService>() is { } keyed
            && keyed.IsKeyedService(typeof(IOpenApiDocumentProvider), DocumentName)
        )
            app.MapOpenApi($"/openapi/{{documentName:regex(^{DocumentName}$)}}.json").AllowAnonymous();
        return app;
    }

    /// <summary>
    /// The health endpoints: <c>/health/live</c> (process up) and <c>/health/ready</c> (dependencies reachable).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(
                "/health/live",
                new HealthCheckOptions
                {
                    Predicate = c => c.Tags.Contains("live"),
                    ResponseWriter = HealthResponse.WriteAsync,
                }
            )
            .AllowAnonymous()
            .DisableRateLimiting();
        app.MapHealthChecks(
                "/health/ready",
                new HealthCheckOptions
                {
                    Predicate = c => c.Tags.Contains("ready"),
                    ResponseWriter = HealthResponse.WriteAsync,
                }
            )
            .AllowAnonymous()
            .DisableRateLimiting();
        return app;
    }
}
