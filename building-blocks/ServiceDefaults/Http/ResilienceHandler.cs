using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Community.ServiceDefaults.Http;

/// <summary>
/// How one named HttpClient is made resilient. Defaults come from <c>Http:Resilience</c>, a client's
/// own values from <c>Http:Resilience:Clients:{name}</c> or <c>services.Configure&lt;HttpResilienceOptions&gt;(name, ...)</c>:
/// a streaming model call, say, sets a total timeout of minutes and no attempt timeout.
/// </summary>
public sealed class HttpResilienceOptions
{
    public const string Section = "Http:Resilience";

    /// <summary>The whole call, retries included; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt of a call that may be repeated; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a request that is safe to repeat; 0 turns retries off.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The breaker opens when this share of at least <see cref="BreakerMinimumThroughput"/> calls in 30 s failed.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 20;

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate(string client)
    {
        if (!IsTimeout(TotalTimeout) || !IsTimeout(AttemptTimeout) || MaxRetryAttempts is < 0 or > 10
            || RetryDelay < TimeSpan.Zero || BreakerFailureRatio is <= 0 or > 1 || BreakerMinimumThroughput < 2 || BreakDuration <= TimeSpan.Zero)
            throw new OptionsValidationException(client, typeof(HttpResilienceOptions), [$"{Section} for HttpClient '{client}' is out of range."]);
    }

    private static bool IsTimeout(TimeSpan value) => value == Timeout.InfiniteTimeSpan || value > TimeSpan.Zero;
}

/// <summary>
/// Resilience for every outgoing HttpClient: a total timeout, a circuit breaker, and retries
/// with jittered back-off for transient failures of requests that are safe to repeat
/// (idempotent methods, or a request carrying an Idempotency-Key).
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _retrying;
    private readonly ResiliencePipeline<HttpResponseMessage> _once;

    public ResilienceHandler() : this(new HttpResilienceOptions())
    {
    }

    public ResilienceHandler(HttpResilienceOptions options) : this(Pipelines.Build(options))
    {
    }

    internal ResilienceHandler(Pipelines pipelines)
    {
        _retrying = pipelines.Retrying;
        _once = pipelines.Once;
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

    /// <summary>A client's two pipelines; they share one breaker, so repeatable and one-shot calls see the same outage.</summary>
    internal sealed record Pipelines(ResiliencePipeline<HttpResponseMessage> Retrying, ResiliencePipeline<HttpResponseMessage> Once)
    {
        public static Pipelines Build(HttpResilienceOptions options)
        {
            var breaker = new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            };
            var retrying = new ResiliencePipelineBuilder<HttpResponseMessage>();
            AddTimeout(retrying, options.TotalTimeout);
            if (options.MaxRetryAttempts > 0)
                retrying.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxRetryAttempts,
                    Delay = options.RetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    OnRetry = args => { args.Outcome.Result?.Dispose(); return ValueTask.CompletedTask; },
                });
            retrying.AddCircuitBreaker(breaker);
            AddTimeout(retrying, options.AttemptTimeout);

            var once = new ResiliencePipelineBuilder<HttpResponseMessage>().AddCircuitBreaker(breaker);
            AddTimeout(once, options.TotalTimeout);
            return new Pipelines(retrying.Build(), once.Build());
        }

        private static void AddTimeout(ResiliencePipelineBuilder<HttpResponseMessage> builder, TimeSpan timeout)
        {
            if (timeout != Timeout.InfiniteTimeSpan) builder.AddTimeout(timeout);
        }
    }
}

/// <summary>
/// Adds a <see cref="ResilienceHandler"/> to every named HttpClient with that client's options.
/// Pipelines are kept per client name, so a breaker's state outlives the factory's handler rotation.
/// </summary>
internal sealed class ResilienceHandlerSetup(IOptionsMonitor<HttpResilienceOptions> options) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    private readonly ConcurrentDictionary<string, ResilienceHandler.Pipelines> _pipelines = new();

    public void Configure(HttpClientFactoryOptions factoryOptions) => Configure(Options.DefaultName, factoryOptions);

    public void Configure(string? name, HttpClientFactoryOptions factoryOptions)
    {
        var client = name ?? Options.DefaultName;
        factoryOptions.HttpMessageHandlerBuilderActions.Add(handlers =>
        {
            var pipelines = _pipelines.GetOrAdd(client, key =>
            {
                var clientOptions = options.Get(key);
                clientOptions.Validate(key);
                return ResilienceHandler.Pipelines.Build(clientOptions);
            });
            handlers.AdditionalHandlers.Add(new ResilienceHandler(pipelines));
        });
    }
}

/// <summary>Each client's options: the <c>Http:Resilience</c> defaults, then its own <c>Clients:{name}</c> section.</summary>
internal sealed class ResilienceOptionsFromConfiguration(Microsoft.Extensions.Configuration.IConfiguration configuration) : IConfigureNamedOptions<HttpResilienceOptions>
{
    public void Configure(HttpResilienceOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, HttpResilienceOptions options)
    {
        var section = configuration.GetSection(HttpResilienceOptions.Section);
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(section, options);
        if (!string.IsNullOrEmpty(name)) Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(section.GetSection("Clients").GetSection(name), options);
    }
}
