using System.ClientModel;
using System.ClientModel.Primitives;
using Community.ServiceDefaults.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Community.ServiceDefaults.Ai;

/// <summary>
/// OpenAI-compatible clients (Microsoft.Extensions.AI over the OpenAI library) sending through an HttpClient from the
/// factory, so the platform's resilience (timeouts, retries, breaker) applies; options are checked at start.
/// </summary>
public static class OpenAiSetup
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>; bad ones stop the start.</summary>
    public static TOptions AddOpenAiOptions<TOptions>(this IHostApplicationBuilder builder, string section)
        where TOptions : OpenAiEndpointOptions, new()
    {
        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new ProblemsValidation<TOptions>(section));
        return builder.Configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
    }

    /// <summary>
    /// A named HttpClient for calls that change nothing: retried <paramref name="retries"/> times, each attempt within
    /// half of <paramref name="timeout"/> (all of it without retries), the whole within it;
    /// <c>Http:Resilience:Clients:{name}</c> still wins.
    /// </summary>
    public static IHttpClientBuilder AddOpenAiHttpClient(
        this IHostApplicationBuilder builder,
        string name,
        TimeSpan timeout,
        int retries = 2
    )
    {
        var http = builder.Services.AddHttpClient(name);
        http.AddResilience(
            builder.Configuration,
            o =>
            {
                o.TotalRequestTimeout.Timeout = timeout;
                // One attempt may take it all; with retries, each gets half.
                var attempt = retries == 0 ? timeout : timeout / 2;
                o.AttemptTimeout.Timeout = attempt;
                o.CircuitBreaker.SamplingDuration = AtLeastTwice(attempt, o.CircuitBreaker.SamplingDuration);
                o.Retry.MaxRetryAttempts = retries;
            }
        );
        return http;
    }

    /// <summary>The library wants a breaker's sampling window at least twice an attempt's timeout.</summary>
    public static TimeSpan AtLeastTwice(TimeSpan attempt, TimeSpan sampling) =>
        attempt * 2 > sampling ? attempt * 2 : sampling;

    /// <summary>
    /// A scoped <see cref="IChatClient"/> for <paramref name="section"/>: the endpoint through the retried HttpClient
    /// <paramref name="httpClient"/>, or <paramref name="offline"/> without an endpoint.
    /// </summary>
    public static IHostApplicationBuilder AddOpenAiChatClient<TOptions>(
        this IHostApplicationBuilder builder,
        string section,
        string httpClient,
        Func<IServiceProvider, IChatClient> offline
    )
        where TOptions : OpenAiEndpointOptions, new()
    {
        var options = builder.AddOpenAiOptions<TOptions>(section);
        builder.AddOpenAiHttpClient(httpClient, options.Timeout);
        // Scoped, like the HttpClients it sends through (the factory rotates handlers; breakers live per client name).
        builder.Services.AddScoped(services =>
        {
            var current = services.GetRequiredService<IOptions<TOptions>>().Value;
            return current.UsesEndpoint
                ? services.OpenAiChatClient(current, httpClient, current.Timeout, repeatable: true)
                : offline(services);
        });
        return builder;
    }

    /// <summary>
    /// A scoped <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> keyed by <paramref name="section"/> for an
    /// endpoint configured there (check <see cref="OpenAiEndpointOptions.UsesEndpoint"/> before asking for it).
    /// </summary>
    public static IHostApplicationBuilder AddOpenAiEmbeddings<TOptions>(
        this IHostApplicationBuilder builder,
        string section,
        string httpClient
    )
        where TOptions : OpenAiEmbeddingOptions, new()
    {
        var options = builder.AddOpenAiOptions<TOptions>(section);
        builder.AddOpenAiHttpClient(httpClient, options.Timeout);
        builder.Services.AddKeyedScoped<IEmbeddingGenerator<string, Embedding<float>>>(
            section,
            (services, _) =>
            {
                var current = services.GetRequiredService<IOptions<TOptions>>().Value;
                return current.UsesEndpoint
                    ? services.OpenAiEmbeddingGenerator(current, httpClient)
                    : throw new InvalidOperationException($"{section}:Endpoint is not configured.");
            }
        );
        return builder;
    }

    /// <summary>
    /// An OpenAI chat client through the factory's <paramref name="httpClient"/>; the OpenAI client's own retries are
    /// off (a second loop would multiply attempts). A <paramref name="repeatable"/> call may be retried by ours.
    /// </summary>
    public static IChatClient OpenAiChatClient(
        this IServiceProvider services,
        OpenAiEndpointOptions options,
        string httpClient,
        TimeSpan networkTimeout,
        bool repeatable
    ) =>
        Client(services, options, httpClient, networkTimeout, repeatable).GetChatClient(options.Model!).AsIChatClient();

    /// <summary>An OpenAI embedding generator through the factory's <paramref name="httpClient"/>, retried.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> OpenAiEmbeddingGenerator(
        this IServiceProvider services,
        OpenAiEmbeddingOptions options,
        string httpClient
    ) =>
        Client(services, options, httpClient, options.Timeout, repeatable: true)
            .GetEmbeddingClient(options.Model!)
            .AsIEmbeddingGenerator(options.Dimensions);

    private static OpenAIClient Client(
        IServiceProvider services,
        OpenAiEndpointOptions options,
        string httpClient,
        TimeSpan networkTimeout,
        bool repeatable
    )
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(options.Endpoint!),
            Transport = new HttpClientPipelineTransport(
                services.GetRequiredService<IHttpClientFactory>().CreateClient(httpClient)
            ),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = networkTimeout,
        };
        if (repeatable)
            clientOptions.AddPolicy(new RepeatablePolicy(), PipelinePosition.PerCall);
        // Local model servers take any key; the OpenAI client needs one to build its header.
        var key = string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions);
    }

    /// <summary>Marks a call as safe to repeat (it changes nothing): the platform's handler retries it.</summary>
    private sealed class RepeatablePolicy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("Idempotency-Key", Guid.NewGuid().ToString("N"));
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(
            PipelineMessage message,
            IReadOnlyList<PipelinePolicy> pipeline,
            int currentIndex
        )
        {
            message.Request.Headers.Set("Idempotency-Key", Guid.NewGuid().ToString("N"));
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }

    private sealed class ProblemsValidation<TOptions>(string section) : IValidateOptions<TOptions>
        where TOptions : OpenAiEndpointOptions
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var problems = options.Problems(section).ToList();
            return problems.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{section} is invalid: {string.Join(" ", problems)}");
        }
    }
}
