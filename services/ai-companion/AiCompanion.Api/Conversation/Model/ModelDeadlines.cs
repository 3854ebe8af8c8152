using System.ClientModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;

namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// The companion's limits on the model, outermost in its pipeline: a whole reply within Companion:Model:Timeout; a
/// stream's first piece and each next one within StreamIdleTimeout, the whole within StreamTimeout. Every failure
/// becomes a <see cref="ModelUnavailableException"/> that names no key (a blank whole reply is one too), but the
/// endpoint refusing the message itself (<see cref="RefusesTheMessage"/>): a <see cref="ModelRefusedException"/>.
/// </summary>
public sealed class ModelDeadlines(IChatClient inner, CompanionModelOptions options) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default
    )
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, chatOptions, timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(e);
        }
        return string.IsNullOrWhiteSpace(response.Text)
            ? throw new ModelUnavailableException("The model answered with no text.")
            : response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        // One token for the whole stream, re-armed before every read: the idle limit, never past the total deadline.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        void Arm()
        {
            var left = options.StreamTimeout - Stopwatch.GetElapsedTime(started);
            timeout.CancelAfter(
                left <= TimeSpan.Zero ? TimeSpan.FromTicks(1)
                : left < options.StreamIdleTimeout ? left
                : options.StreamIdleTimeout
            );
        }
        Arm();
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, chatOptions, timeout.Token)
                .GetAsyncEnumerator(timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(e);
        }
        await using (updates)
        {
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
                    throw Failure(e);
                }
                if (!more)
                    yield break;
                yield return updates.Current;
            }
        }
    }

    private static Exception Failure(Exception e)
    {
        if (e is ModelUnavailableException or ModelRefusedException)
            return e;
        // The endpoint refused this message (a filter, its length), and would refuse it again: not a failure to retry,
        // nor the breaker's. Any other 4xx (a key, model, address or parameter it does not take) fails every message
        // alike: the model is unavailable, and the offline reply stands in where configured.
        if (e is ClientResultException refused && RefusesTheMessage(refused))
            return new ModelRefusedException(refused.Status, ContextTooLong(refused), e);
        var breaker = Chain(e).OfType<BrokenCircuitException>().FirstOrDefault();
        var why =
            breaker is not null ? "the model's circuit breaker is open"
            : e is OperationCanceledException
            || Chain(e).Any(x => x is TimeoutException or Polly.Timeout.TimeoutRejectedException)
                ? "the model did not answer in time"
            : e is ClientResultException { Status: > 0 } status ? $"the model endpoint answered {status.Status}"
            : "the model endpoint could not be reached";
        return new ModelUnavailableException($"The companion's model is unavailable: {why}.", breaker?.RetryAfter, e);
    }

    /// <summary>
    /// The error codes OpenAI's and Azure OpenAI's endpoints give a message they will not take: too long for the
    /// context, or caught by a content filter.
    /// </summary>
    private static readonly HashSet<string> MessageRefusals =
    [
        "context_length_exceeded",
        "string_above_max_length",
        "content_filter",
        "content_policy_violation",
    ];

    /// <summary>
    /// Whether the endpoint refused the message itself: a body too large (413), or a 400 or 422 whose error's code (a
    /// machine field) says so, or whose text says the context is too long (vLLM's and llama.cpp's code is the status).
    /// A 400 for anything else (a parameter or model it does not take) would refuse every message.
    /// </summary>
    public static bool RefusesTheMessage(ClientResultException e) =>
        e.Status is 413
        || e.Status is 400 or 422 && (ErrorCode(e) is { } code && MessageRefusals.Contains(code) || ContextTooLong(e));

    /// <summary>
    /// Whether the endpoint refused the prompt as longer than its context: a 413, OpenAI's code, or the words of
    /// vLLM's, llama.cpp's or OpenAI's message (read to classify, never logged).
    /// </summary>
    public static bool ContextTooLong(ClientResultException e) =>
        e.Status is 413
        || e.Status is 400 or 422
            && Error(e) is { } error
            && (
                error.Code == "context_length_exceeded"
                || ContextPhrases.Any(p => error.Text.Contains(p, StringComparison.OrdinalIgnoreCase))
            );

    /// <summary>What vLLM ("maximum context length"), llama.cpp ("exceeds the available context size") and others say.
    /// </summary>
    private static readonly string[] ContextPhrases =
    [
        "context length",
        "context_length",
        "context size",
        "context_size",
        "context window",
        "too many tokens",
        "prompt is too long",
        "input is too long",
    ];

    /// <summary>The <c>error.code</c> string of an OpenAI-style error body, if it has a short one.</summary>
    public static string? ErrorCode(ClientResultException e) => Error(e)?.Code;

    /// <summary>
    /// An OpenAI-style error body's <c>error</c> (vLLM's older bodies have it at the top): its code when a short
    /// string, and its type and message together; null for a body that is not one.
    /// </summary>
    private static EndpointError? Error(ClientResultException e)
    {
        try
        {
            var content = e.GetRawResponse()?.Content;
            if (content is null)
                return null;
            using var body = JsonDocument.Parse(content.ToMemory());
            if (body.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            var error = body.RootElement.TryGetProperty("error", out var inner) ? inner : body.RootElement;
            if (error.ValueKind == JsonValueKind.String)
                return new EndpointError(null, error.GetString() ?? "");
            if (error.ValueKind != JsonValueKind.Object)
                return null;
            string? Field(string name) =>
                error.TryGetProperty(name, out var field) && field.ValueKind == JsonValueKind.String
                    ? field.GetString()
                    : null;
            var code = Field("code") is { Length: > 0 and <= 64 } known ? known : null;
            return new EndpointError(code, $"{Field("type")} {Field("message")}");
        }
        catch (Exception x) when (x is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>An endpoint's error: its machine code, and its own words (never logged).</summary>
    private sealed record EndpointError(string? Code, string Text);

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            yield return x;
    }
}
