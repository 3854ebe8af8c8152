using System.ClientModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly.CircuitBreaker;

namespace Community.AiCompanion.Conversation.Model;

/// <summary>
/// The companion's limits on the model, outermost in its pipeline: a whole reply within Companion:Model:Timeout; a
/// stream's first piece and each next one within StreamIdleTimeout, the whole within StreamTimeout. Every failure
/// becomes a <see cref="ModelUnavailableException"/> that names no key (a blank whole reply is one too), but the
/// endpoint refusing the message itself (400, 413, 422): a <see cref="ModelRefusedException"/>.
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
        // nor the breaker's. Any other 4xx (a key, model or address it does not know) fails every message alike: the
        // model is unavailable, and the offline reply stands in where configured.
        if (e is ClientResultException { Status: 400 or 413 or 422 } refused)
            return new ModelRefusedException(refused.Status, e);
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

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            yield return x;
    }
}
