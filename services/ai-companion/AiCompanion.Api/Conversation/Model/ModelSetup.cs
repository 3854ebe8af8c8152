using System.ClientModel;
using System.ClientModel.Primitives;
using Community.ServiceDefaults.Http;
using Community.ServiceDefaults.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Community.AiCompanion.Conversation.Model;

public static class ModelSetup
{
    /// <summary>
    /// The HttpClient of whole replies: retried (the call changes nothing), bounded by Companion:Model:Timeout.
    /// </summary>
    public const string CompleteClient = "companion-model";

    /// <summary>
    /// The HttpClient of streamed replies: never retried, its timeout covers the wait for the response's headers.
    /// </summary>
    public const string StreamClient = "companion-model-stream";

    /// <summary>The responder stored with a language model's reply (the offline one is "offline").</summary>
    public const string ModelResponder = "model";

    /// <summary>
    /// The companion's <see cref="IChatClient"/>: the OpenAI-compatible endpoint of Companion:Model through
    /// Microsoft.Extensions.AI's pipeline, or the offline responder without one; options checked at start.
    /// </summary>
    public static IHostApplicationBuilder AddCompanionModel(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(CompanionModelOptions.Section);
        builder
            .Services.AddOptions<CompanionModelOptions>()
            .Bind(section)
            .Validate(
                o => !o.Problems().Any(),
                "Companion:Model is invalid: an Endpoint needs an absolute http(s) URL and a Model, and every "
                    + "timeout must be more than 0."
            )
            .ValidateOnStart();
        builder.Services.AddSingleton<OfflineResponder>();
        // Scoped, like the HttpClients it sends through (the factory rotates handlers; breakers live per client name).
        builder.Services.AddScoped<IChatClient>(services =>
        {
            var options = services.GetRequiredService<IOptions<CompanionModelOptions>>().Value;
            return options.UsesModel
                ? ModelPipeline(services, options)
                : services.GetRequiredService<OfflineResponder>();
        });

        var model = section.Get<CompanionModelOptions>() ?? new CompanionModelOptions();
        // Our limits first, then whatever Http:Resilience:Clients:{name} says (configuration wins).
        builder
            .Services.AddHttpClient(CompleteClient)
            .AddResilience(
                builder.Configuration,
                o =>
                {
                    o.TotalRequestTimeout.Timeout = model.Timeout;
                    o.AttemptTimeout.Timeout = model.Timeout / 2;
                    o.CircuitBreaker.SamplingDuration = AtLeastTwice(
                        model.Timeout / 2,
                        o.CircuitBreaker.SamplingDuration
                    );
                    o.Retry.MaxRetryAttempts = 2;
                }
            );
        builder
            .Services.AddHttpClient(StreamClient)
            .AddResilience(
                builder.Configuration,
                o =>
                {
                    // Up to the response's headers, one attempt: the stream's pieces are timed by ModelDeadlines.
                    o.TotalRequestTimeout.Timeout = o.AttemptTimeout.Timeout = model.StreamIdleTimeout;
                    var sampling = o.CircuitBreaker.SamplingDuration;
                    o.CircuitBreaker.SamplingDuration = AtLeastTwice(model.StreamIdleTimeout, sampling);
                    o.Retry.MaxRetryAttempts = 0;
                }
            );
        return builder;
    }

    /// <summary>The library wants a breaker's sampling window at least twice an attempt's timeout.</summary>
    private static TimeSpan AtLeastTwice(TimeSpan attempt, TimeSpan sampling) =>
        attempt * 2 > sampling ? attempt * 2 : sampling;

    /// <summary>"model" or "offline", as stored with each reply.</summary>
    public static string ResponderOf(IChatClient chat) =>
        chat.GetService<OfflineResponder>() is null ? ModelResponder : OfflineResponder.Name;

    private static IChatClient ModelPipeline(IServiceProvider services, CompanionModelOptions options)
    {
        var stream = OpenAiChat(services, options, StreamClient, options.StreamIdleTimeout, repeatable: false);
        return OpenAiChat(services, options, CompleteClient, options.Timeout, repeatable: true)
            .AsBuilder()
            .Use(inner => new ModelDeadlines(inner, options))
            .UseOpenTelemetry(sourceName: DiagnosticNames.Source)
            .UseLogging()
            .ConfigureOptions(chat =>
            {
                chat.Temperature ??= CompanionModelOptions.Temperature;
                chat.MaxOutputTokens ??= CompanionModelOptions.MaxOutputTokens;
            })
            // Streams leave through their own HttpClient (never retried); whole replies through the retried one.
            .Use(
                (messages, chat, next, ct) => next.GetResponseAsync(messages, chat, ct),
                (messages, chat, _, ct) => stream.GetStreamingResponseAsync(messages, chat, ct)
            )
            .Build(services);
    }

    /// <summary>
    /// An OpenAI chat client sending through an HttpClient from the factory, so the platform's resilience (timeouts,
    /// retries, breaker) applies; the OpenAI client's own retries are off (a second loop would multiply attempts).
    /// </summary>
    private static IChatClient OpenAiChat(
        IServiceProvider services,
        CompanionModelOptions options,
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
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(options.Model!).AsIChatClient();
    }

    /// <summary>
    /// Marks a whole-reply call as safe to repeat (it changes nothing): the platform's handler retries it.
    /// </summary>
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
}
