using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Community.ServiceDefaults.Http;

/// <summary>
/// Every HttpClient from the factory gets Microsoft.Extensions.Http.Resilience's standard handler (total timeout,
/// retries with jittered back-off, circuit breaker, attempt timeout) with the platform's rules: only a request that
/// is safe to repeat (an idempotent method, or one carrying an Idempotency-Key) is retried or cut per attempt; any
/// other is sent once under the total timeout. Defaults come from <c>Http:Resilience</c> (the library's option
/// names); a client that needs its own limits says so with <see cref="AddResilience"/>.
/// </summary>
public static class HttpResilience
{
    public const string Section = "Http:Resilience";

    /// <summary>The standard handler on every client, a breaker per host: one failing host cuts off no other.</summary>
    internal static IServiceCollection AddHttpResilience(this IServiceCollection services, IConfiguration config) =>
        services.ConfigureHttpClientDefaults(http =>
            http.AddStandardResilienceHandler()
                .Configure(options =>
                {
                    Configure(options, config.GetSection(Section));
                    NoRetriesAtZero(options);
                })
                .SelectPipelineByAuthority()
        );

    /// <summary>
    /// This client's own handler (and breaker) instead of the default one: the platform's defaults, then
    /// <paramref name="configure"/>, then <c>Http:Resilience:Clients:{name}</c> (configuration wins).
    /// </summary>
    public static IHttpStandardResiliencePipelineBuilder AddResilience(
        this IHttpClientBuilder http,
        IConfiguration configuration,
        Action<HttpStandardResilienceOptions>? configure = null
    )
    {
        var section = configuration.GetSection(Section);
#pragma warning disable EXTEXP0001 // the library's way to give one client other options than the defaults' handler
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return http.AddStandardResilienceHandler()
            .Configure(options =>
            {
                Configure(options, section);
                configure?.Invoke(options);
                section.GetSection("Clients").GetSection(http.Name).Bind(options);
                NoRetriesAtZero(options);
            });
    }

    private static void Configure(HttpStandardResilienceOptions options, IConfiguration section)
    {
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.ShouldHandle = args =>
            ValueTask.FromResult(IsTransient(args.Outcome) && IsSafeToRepeat(args.Context));
        options.CircuitBreaker.FailureRatio = 0.5;
        options.CircuitBreaker.MinimumThroughput = 20;
        options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
        var attempt = options.AttemptTimeout;
        attempt.TimeoutGenerator = args =>
            ValueTask.FromResult(IsSafeToRepeat(args.Context) ? attempt.Timeout : Timeout.InfiniteTimeSpan);
        section.Bind(options);
    }

    /// <summary>Polly wants at least one retry; <c>Retry:MaxRetryAttempts</c> 0 means none, as ours did.</summary>
    private static void NoRetriesAtZero(HttpStandardResilienceOptions options)
    {
        if (options.Retry.MaxRetryAttempts != 0)
            return;
        options.Retry.MaxRetryAttempts = 1;
        options.Retry.ShouldHandle = _ => PredicateResult.False();
    }

    private static bool IsSafeToRepeat(ResilienceContext context) =>
#pragma warning disable EXTEXP0001 // the request being sent, read as the library's own DisableFor reads it
        context.GetRequestMessage() is { } request
#pragma warning restore EXTEXP0001
        && (
            request.Method == HttpMethod.Get
            || request.Method == HttpMethod.Head
            || request.Method == HttpMethod.Options
            || request.Method == HttpMethod.Put
            || request.Method == HttpMethod.Delete
            || request.Headers.Contains("Idempotency-Key")
        );

    /// <summary>The library's transient outcomes less the 5xx that repeating cannot fix (501, 505 and up).</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        && outcome.Result?.StatusCode
            is null
                or HttpStatusCode.RequestTimeout
                or HttpStatusCode.TooManyRequests
                or HttpStatusCode.InternalServerError
                or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable
                or HttpStatusCode.GatewayTimeout;
}
