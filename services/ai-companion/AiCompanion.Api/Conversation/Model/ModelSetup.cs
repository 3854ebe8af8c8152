using Community.ServiceDefaults.Ai;
using Community.ServiceDefaults.Http;
using Community.ServiceDefaults.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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
        var model = builder.AddOpenAiOptions<CompanionModelOptions>(CompanionModelOptions.Section);
        builder.Services.AddSingleton<OfflineResponder>();
        // Scoped, like the HttpClients it sends through (the factory rotates handlers; breakers live per client name).
        builder.Services.AddScoped<IChatClient>(services =>
        {
            var options = services.GetRequiredService<IOptions<CompanionModelOptions>>().Value;
            return options.UsesModel
                ? ModelPipeline(services, options)
                : services.GetRequiredService<OfflineResponder>();
        });

        // Our limits first, then whatever Http:Resilience:Clients:{name} says (configuration wins).
        builder.AddOpenAiHttpClient(CompleteClient, model.Timeout, retries: 2);
        builder
            .Services.AddHttpClient(StreamClient)
            .AddResilience(
                builder.Configuration,
                o =>
                {
                    // Up to the response's headers, one attempt: the stream's pieces are timed by ModelDeadlines.
                    o.TotalRequestTimeout.Timeout = o.AttemptTimeout.Timeout = model.StreamIdleTimeout;
                    var sampling = o.CircuitBreaker.SamplingDuration;
                    o.CircuitBreaker.SamplingDuration = OpenAiSetup.AtLeastTwice(model.StreamIdleTimeout, sampling);
                    o.Retry.MaxRetryAttempts = 0;
                }
            );
        return builder;
    }

    /// <summary>"model" or "offline", as stored with each reply.</summary>
    public static string ResponderOf(IChatClient chat) =>
        chat.GetService<OfflineResponder>() is null ? ModelResponder : OfflineResponder.Name;

    private static IChatClient ModelPipeline(IServiceProvider services, CompanionModelOptions options)
    {
        var stream = services.OpenAiChatClient(options, StreamClient, options.StreamIdleTimeout, repeatable: false);
        return services
            .OpenAiChatClient(options, CompleteClient, options.Timeout, repeatable: true)
            .AsBuilder()
            .Use(inner => new ModelDeadlines(inner, options))
            // Traces and metrics only, and no UseLogging: both log every failed call (at Warning, at Error) with the
            // endpoint's own error text, which is not ours to log; CompanionConversation logs each failure by its
            // cause, at the level of whose it is to fix.
            .UseOpenTelemetry(NullLoggerFactory.Instance, DiagnosticNames.Source)
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
}
