using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using Polly.CircuitBreaker;

namespace Community.AiCompanion.Model;

/// <summary>
/// The companion's replies from a language model behind any OpenAI-compatible endpoint. The OpenAI client sends through
/// HttpClients from the factory, so the platform's resilience (timeouts, retries, breaker) applies; its own retries are off.
/// Every failure becomes a <see cref="ModelUnavailableException"/> that names no key.
/// </summary>
public sealed class OpenAiCompanionModel(IHttpClientFactory httpClients, IOptions<CompanionModelOptions> options) : ICompanionModel
{
    /// <summary>The HttpClient of whole replies: retried (the call changes nothing), bounded by Companion:Model:Timeout.</summary>
    public const string CompleteClient = "companion-model";

    /// <summary>The HttpClient of streamed replies: never retried, its timeout covers the wait for the response's headers.</summary>
    public const string StreamClient = "companion-model-stream";

    public const string Name = "model";

    private readonly CompanionModelOptions _options = options.Value;

    public string Responder => Name;

    public async Task<ModelReply> CompleteAsync(IReadOnlyList<PromptMessage> prompt, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var result = await Client(CompleteClient, _options.Timeout, repeatable: true)
                .CompleteChatAsync(ToChat(prompt), ChatOptions(), timeout.Token);
            var completion = result.Value;
            var text = string.Concat(completion.Content.Select(part => part.Text)).Trim();
            if (text.Length == 0) throw new ModelUnavailableException("The model answered with no text.");
            return new ModelReply(text, new ModelUsage(completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not ModelUnavailableException)
        {
            throw Unavailable(e);
        }
    }

    public async IAsyncEnumerable<ModelChunk> StreamAsync(IReadOnlyList<PromptMessage> prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One token for the whole stream, re-armed before every read: the idle limit, never past the total deadline.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        void Arm()
        {
            var left = _options.StreamTimeout - Stopwatch.GetElapsedTime(started);
            timeout.CancelAfter(left <= TimeSpan.Zero ? TimeSpan.FromTicks(1) : left < _options.StreamIdleTimeout ? left : _options.StreamIdleTimeout);
        }
        Arm();
        IAsyncEnumerator<StreamingChatCompletionUpdate> updates;
        try
        {
            updates = Client(StreamClient, _options.StreamIdleTimeout, repeatable: false)
                .CompleteChatStreamingAsync(ToChat(prompt), ChatOptions(), timeout.Token).GetAsyncEnumerator(timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(e);
        }
        await using (updates)
        {
            ModelUsage? usage = null;
            while (true)
            {
                bool more;
                try
                {
                    Arm();
                    more = await updates.MoveNextAsync();
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw Unavailable(e);
                }
                if (!more) break;
                var update = updates.Current;
                if (update.Usage is { } u) usage = new ModelUsage(u.InputTokenCount, u.OutputTokenCount);
                var delta = string.Concat(update.ContentUpdate.Select(part => part.Text));
                if (delta.Length > 0) yield return new ModelChunk(delta);
            }
            yield return new ModelChunk("", usage ?? new ModelUsage(0, 0));
        }
    }

    private ModelUnavailableException Unavailable(Exception e)
    {
        var breaker = Chain(e).OfType<BrokenCircuitException>().FirstOrDefault();
        var why = breaker is not null ? "the model's circuit breaker is open"
            : e is OperationCanceledException || Chain(e).Any(x => x is TimeoutException or Polly.Timeout.TimeoutRejectedException) ? "the model did not answer in time"
            : e is ClientResultException { Status: > 0 } status ? $"the model endpoint answered {status.Status}"
            : "the model endpoint could not be reached";
        return new ModelUnavailableException($"The companion's model is unavailable: {why}.", breaker?.RetryAfter, e);
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    private static ChatCompletionOptions ChatOptions() => new()
    {
        Temperature = CompanionModelOptions.Temperature,
        MaxOutputTokenCount = CompanionModelOptions.MaxOutputTokens,
    };

    private static List<ChatMessage> ToChat(IReadOnlyList<PromptMessage> prompt) => prompt.Select(ChatMessage (m) => m.Role switch
    {
        PromptRole.System => new SystemChatMessage(m.Text),
        PromptRole.User => new UserChatMessage(m.Text),
        _ => new AssistantChatMessage(m.Text),
    }).ToList();

    private ChatClient Client(string httpClient, TimeSpan networkTimeout, bool repeatable)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(_options.Endpoint!),
            Transport = new HttpClientPipelineTransport(httpClients.CreateClient(httpClient)),
            // The platform's handler retries; a second retry loop here would multiply attempts.
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = networkTimeout,
        };
        if (repeatable) clientOptions.AddPolicy(new RepeatablePolicy(), PipelinePosition.PerCall);
        // Local model servers take any key; the OpenAI client needs one to build its header.
        var key = string.IsNullOrWhiteSpace(_options.ApiKey) ? "no-key" : _options.ApiKey;
        return new ChatClient(_options.Model!, new ApiKeyCredential(key), clientOptions);
    }

    /// <summary>Marks a whole-reply call as safe to repeat (it changes nothing), which is what lets the platform's handler retry a POST.</summary>
    private sealed class RepeatablePolicy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("Idempotency-Key", Guid.NewGuid().ToString("N"));
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("Idempotency-Key", Guid.NewGuid().ToString("N"));
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
