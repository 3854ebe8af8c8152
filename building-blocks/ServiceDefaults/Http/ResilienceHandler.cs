using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Community.ServiceDefaults.Http;

/// <summary>
/// Resilience for every outgoing HttpClient: a total timeout, a circuit breaker, and retries
/// with jittered back-off for transient failures of requests that are safe to repeat
/// (idempotent methods, or a request carrying an Idempotency-Key).
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _retrying;
    private readonly ResiliencePipeline<HttpResponseMessage> _once;

    public ResilienceHandler()
    {
        var breaker = new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = 0.5,
            MinimumThroughput = 20,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(5),
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
        };
        _retrying = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 3,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnRetry = args => { args.Outcome.Result?.Dispose(); return ValueTask.CompletedTask; },
            })
            .AddCircuitBreaker(breaker)
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
        _once = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddCircuitBreaker(breaker)
            .AddTimeout(TimeSpan.FromSeconds(30))
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pipeline = IsSafeToRepeat(request) ? _retrying : _once;
        return await pipeline.ExecuteAsync(async token => await base.SendAsync(request, token), cancellationToken);
    }

    private static bool IsSafeToRepeat(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
        || request.Headers.Contains("Idempotency-Key");

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
            or HttpStatusCode.InternalServerError,
        _ => false,
    };
}
