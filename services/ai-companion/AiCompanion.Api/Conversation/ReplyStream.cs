using System.Text;
using System.Text.Json;
using Community.AiCompanion.Conversation.Model;
using Community.AiCompanion.Conversation.Safety;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>The final event of a streamed reply: what was stored, and what it cost.</summary>
public sealed record StreamDone(
    Guid MessageId,
    Guid ReplyId,
    string Responder,
    TokenUsageDto Usage,
    bool Replayed,
    CompanionMessageDto Message,
    CompanionMessageDto Reply
);

/// <summary>
/// An error after the stream started (its status was already sent): the problem's title, status and detail, and the
/// request's id (X-Request-Id) to quote when reporting it, as every problem the platform answers has.
/// </summary>
public sealed record StreamError(string Title, int Status, string Detail, string RequestId);

public sealed record StreamDelta(string Text);

/// <summary>
/// A safety hit in the model's streamed reply: the reply shown so far (every delta since the request) is replaced by
/// <see cref="Text"/>, the whole reply as stored; <see cref="Safety"/> is crisis or refusal. No more deltas follow.
/// </summary>
public sealed record StreamReplace(string Text, string? Safety);

/// <summary>The minors' break reminder, shown beside the reply (not part of its text).</summary>
public sealed record StreamReminder(string Text);

/// <summary>
/// A reply as server-sent events: <c>delta</c> (text the safety screen released), <c>replace</c> (the screen stopped
/// the reply: show its text instead), then <c>reminder</c> (when one is due) and <c>done</c>, or <c>error</c> (nothing
/// stored). Whatever can refuse with a problem happens before this runs. A client that leaves does not stop the reply:
/// it is read to its end and stored (a retry of the client_txn_id replays it). The message counted is given back when
/// the failure is ours (the model, the database) or a concurrent retry stored first.
/// </summary>
public sealed class ReplyStream : IResult, IAsyncDisposable
{
    public const string ContentType = "text/event-stream";

    /// <summary>Each event the stream may send, by name, and the type of its data (JSON), as the contract names
    /// them.</summary>
    public static readonly IReadOnlyList<(string Name, Type Data)> Events =
    [
        ("delta", typeof(StreamDelta)),
        ("replace", typeof(StreamReplace)),
        ("reminder", typeof(StreamReminder)),
        ("done", typeof(StreamDone)),
        ("error", typeof(StreamError)),
    ];

    private readonly PreparedSend? _send;
    private readonly IAsyncEnumerator<ChatResponseUpdate>? _chunks;
    private readonly string _responder = "";
    private readonly CompanionExchange? _earlier;
    private readonly bool _replayed;
    private bool _chunksDisposed;

    // The client stopped reading: the model's reply is still read to its end and stored, so the message is answered
    // once (a retry of its client_txn_id replays it) and counted once.
    private bool _clientGone;

    private ReplyStream(PreparedSend send, IAsyncEnumerator<ChatResponseUpdate> chunks, string responder) =>
        (_send, _chunks, _responder) = (send, chunks, responder);

    private ReplyStream(CompanionExchange earlier, bool replayed) => (_earlier, _replayed) = (earlier, replayed);

    /// <summary>
    /// An exchange already stored, as one delta, its reminder and its done event: the answer to a client_txn_id sent
    /// before (<paramref name="replayed"/>), or the safety protocol's answer to a message that never reached the model.
    /// </summary>
    public static ReplyStream Stored(CompanionExchange exchange, bool replayed) => new(exchange, replayed);

    /// <summary>
    /// Starts the model's stream and waits for its first piece, so a model that is down is still a 503 problem (or the
    /// offline responder with Companion:Model:FallbackToOffline), and one that refuses the message a 502
    /// (<see cref="MessageRefusedException"/>). A prompt refused as longer than the endpoint's context is asked once
    /// more without the earlier messages (the message is counted once, whichever answers).
    /// </summary>
    public static async Task<ReplyStream> StartAsync(
        PreparedSend send,
        IChatClient model,
        OfflineResponder offline,
        CompanionConversation conversation,
        CancellationToken cancellationToken
    )
    {
        var chunks = model
            .GetStreamingResponseAsync(send.Prompt, cancellationToken: cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        try
        {
            bool answered;
            try
            {
                answered = await FirstTextAsync(chunks);
            }
            catch (ModelRefusedException e) when (e.ContextTooLong && send.PromptWithoutHistory is { } shorter)
            {
                await chunks.DisposeAsync();
                conversation.LogContextTooLong(e);
                chunks = model
                    .GetStreamingResponseAsync(shorter, cancellationToken: cancellationToken)
                    .GetAsyncEnumerator(cancellationToken);
                answered = await FirstTextAsync(chunks);
            }
            if (!answered)
                throw new ModelUnavailableException("The model answered with no text.");
            return new ReplyStream(send, chunks, ModelSetup.ResponderOf(model));
        }
        catch (ModelRefusedException e)
        {
            await chunks.DisposeAsync();
            throw conversation.Refused(e);
        }
        catch (ModelUnavailableException e)
        {
            await chunks.DisposeAsync();
            if (!conversation.FallsBack(e))
                throw conversation.Unavailable(e);
            var fallback = offline
                .GetStreamingResponseAsync(send.Prompt, cancellationToken: cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            await FirstTextAsync(fallback);
            return new ReplyStream(send, fallback, OfflineResponder.Name);
        }
    }

    /// <summary>
    /// Moves to the first update with text (the role comes in one without); false when the stream ends first.
    /// </summary>
    private static async Task<bool> FirstTextAsync(IAsyncEnumerator<ChatResponseUpdate> chunks)
    {
        while (await chunks.MoveNextAsync())
            if (chunks.Current.Text.Length > 0)
                return true;
        return false;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var _ = this;
        try
        {
            await WriteStreamAsync(httpContext);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client left while a stored exchange was being written back to it: nothing more to do.
        }
    }

    private async Task WriteStreamAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var cancellationToken = httpContext.RequestAborted;
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        // Proxies that buffer by default (nginx) pass each event on at once.
        response.Headers["X-Accel-Buffering"] = "no";

        if (_earlier is { } earlier)
        {
            await EmitAsync(response, "delta", new StreamDelta(earlier.Reply.Text), json, cancellationToken);
            if (earlier.Reply.Reminder is { } reminderShown)
                await EmitAsync(response, "reminder", new StreamReminder(reminderShown), json, cancellationToken);
            await EmitAsync(response, "done", Done(earlier, _replayed), json, cancellationToken);
            return;
        }

        var send = _send!;
        var chunks = _chunks!;
        var conversation = httpContext.RequestServices.GetRequiredService<CompanionConversation>();
        var screen = httpContext.RequestServices.GetRequiredService<ISafetyGuard>().NewStreamScreen(send.Safety);
        var shown = new StringBuilder();
        UsageDetails? usage = null;
        SafetyVerdict? stop = null;
        var stored = false;
        // Given back whole only when the client read nothing of a reply, or the failure was ours; see finally.
        var giveBack = false;
        try
        {
            if (send.FirstReply)
                await EmitAsync(
                    response,
                    "delta",
                    new StreamDelta(CompanionDisclosure.FirstReply),
                    json,
                    cancellationToken
                );
            try
            {
                // Half of a pair (an emoji) ending one piece waits for the other half at the start of the next: each
                // piece is cleaned of what cannot be stored, and a pair cut in two is not that.
                var half = "";
                do
                {
                    var chunk = chunks.Current;
                    if (chunk.Contents.OfType<UsageContent>().LastOrDefault() is { } reported)
                        usage = reported.Details;
                    var text = half + chunk.Text;
                    half = text.Length > 0 && char.IsHighSurrogate(text[^1]) ? text[^1..] : "";
                    var delta = SafeText.Clean(text[..^half.Length]);
                    if (delta.Length == 0)
                        continue;
                    var step = screen.Push(delta);
                    await ShowAsync(response, step, shown, json, cancellationToken);
                    stop = step.Stop;
                } while (stop is null && await chunks.MoveNextAsync());
                if (stop is null && half.Length > 0)
                {
                    var step = screen.Push(SafeText.Clean(half));
                    await ShowAsync(response, step, shown, json, cancellationToken);
                    stop = step.Stop;
                }
                if (stop is null)
                {
                    var last = screen.Complete();
                    await ShowAsync(response, last, shown, json, cancellationToken);
                    stop = last.Stop;
                }
                // Blank pieces only (a space, line breaks, or what cannot be stored): no reply, as a whole blank one is
                // not (ModelDeadlines); neither stored nor counted.
                if (stop is null && string.IsNullOrWhiteSpace(shown.ToString()))
                    throw new ModelUnavailableException("The model answered with no text.");
            }
            catch (ModelUnavailableException e)
            {
                giveBack = true;
                conversation.LogFailure(e);
                await UnavailableAsync(
                    response,
                    "The companion stopped answering; nothing was stored, please send again.",
                    json,
                    cancellationToken
                );
                return;
            }
            catch (ModelRefusedException e)
            {
                giveBack = true;
                var refused = conversation.Refused(e);
                await EmitAsync(
                    response,
                    "error",
                    new StreamError(refused.Title, refused.StatusCode, refused.Message, httpContext.TraceIdentifier),
                    json,
                    cancellationToken
                );
                return;
            }

            var reply = ReplyToStore.From(
                shown.ToString(),
                _responder,
                usage ?? CompanionConversation.NoUsage,
                stop ?? SafetyVerdict.Allow,
                SafetyStage.Output
            );
            if (stop is not null)
            {
                // Not one more piece of the model's text: its stream is closed before the client hears of the
                // replacement.
                await DisposeChunksAsync();
                await EmitAsync(
                    response,
                    "replace",
                    new StreamReplace(CompanionConversation.ReplyText(send, reply.Text), ReplyToStore.Flag(stop)),
                    json,
                    cancellationToken
                );
            }
            var storeAnswered = false;
            try
            {
                // The reply is whole and was shown: it is kept even if the client leaves now.
                var (exchange, created) = await conversation.StoreAsync(send, reply, CancellationToken.None);
                storeAnswered = true;
                stored = created;
                // A concurrent send of this client_txn_id stored first and counted: this one does not.
                giveBack = !created;
                // Shown once stored: a reply not kept leaves its reminder due for the next one.
                if (exchange.Reply.Reminder is { } reminder)
                    await EmitAsync(response, "reminder", new StreamReminder(reminder), json, cancellationToken);
                await EmitAsync(response, "done", Done(exchange, replayed: !created), json, cancellationToken);
            }
            catch (DomainException e)
            {
                // A concurrent send took this client_txn_id with another text, the conversation was deleted meanwhile,
                // or a retry took the send over: the status line is long gone, so the refusal is an event.
                await EmitAsync(
                    response,
                    "error",
                    new StreamError(e.Title, e.StatusCode, e.Message, response.HttpContext.TraceIdentifier),
                    json,
                    cancellationToken
                );
            }
            catch (Exception e) when (DatabaseFaults.IsTransient(e))
            {
                // The database went away while the reply was being stored: an event, not a connection cut short.
                giveBack = true;
                conversation.LogStoreFailure(e);
                await UnavailableAsync(
                    response,
                    "The reply could not be stored; nothing was kept, please send again.",
                    json,
                    cancellationToken
                );
            }
            catch
            {
                // Any other failure to store is ours too: the message does not count, and the stream still ends with
                // an event saying so (the status line is long gone) before the failure goes on to be logged. Once
                // the store answered, a failure to write what follows is not the store's: nothing more is said.
                giveBack = true;
                if (!storeAnswered)
                    await EmitAsync(
                        response,
                        "error",
                        new StreamError(
                            "Internal server error",
                            StatusCodes.Status500InternalServerError,
                            "The reply could not be stored; nothing was kept.",
                            response.HttpContext.TraceIdentifier
                        ),
                        json,
                        cancellationToken
                    );
                throw;
            }
        }
        finally
        {
            // No reply stored for this send. It does not count when the client read none of it, the model or the
            // database failed, or a concurrent retry stored first; a reply the client read and then deleted the
            // conversation under counts as the model's answer it was, and only its client_txn_id is freed.
            if (!stored)
            {
                try
                {
                    if (giveBack || shown.Length == 0)
                        await conversation.ReleaseAsync(send);
                    else
                        await conversation.ReleaseClaimAsync(send);
                }
                catch (Exception e) when (DatabaseFaults.IsTransient(e))
                {
                    // The database that failed the store fails this too; the claim's lease ends by itself.
                    conversation.LogStoreFailure(e);
                }
            }
        }
    }

    /// <summary>Sends what the screen released (nothing when it held everything back or stopped).</summary>
    private async Task ShowAsync(
        HttpResponse response,
        StreamStep step,
        StringBuilder shown,
        JsonSerializerOptions json,
        CancellationToken cancellationToken
    )
    {
        if (step.Release.Length == 0)
            return;
        shown.Append(step.Release);
        await EmitAsync(response, "delta", new StreamDelta(step.Release), json, cancellationToken);
    }

    /// <summary>The stream's end when the failure is ours: a 503 error event, nothing stored.</summary>
    private Task UnavailableAsync(
        HttpResponse response,
        string detail,
        JsonSerializerOptions json,
        CancellationToken cancellationToken
    ) =>
        EmitAsync(
            response,
            "error",
            new StreamError(
                "Service unavailable",
                StatusCodes.Status503ServiceUnavailable,
                detail,
                response.HttpContext.TraceIdentifier
            ),
            json,
            cancellationToken
        );

    /// <summary>
    /// Writes an event while the client reads; once it has gone (the request aborted), nothing more is written, and
    /// the reply goes on to be stored.
    /// </summary>
    private async Task EmitAsync<T>(
        HttpResponse response,
        string name,
        T data,
        JsonSerializerOptions json,
        CancellationToken cancellationToken
    )
    {
        if (_clientGone)
            return;
        try
        {
            await WriteAsync(response, name, data, json, cancellationToken);
        }
        catch (Exception e)
            when (e is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            _clientGone = true;
        }
    }

    private static StreamDone Done(CompanionExchange exchange, bool replayed) =>
        new(
            exchange.Message.Id,
            exchange.Reply.Id,
            exchange.Reply.Responder ?? "",
            exchange.Usage,
            replayed,
            exchange.Message,
            exchange.Reply
        );

    private static async Task WriteAsync<T>(
        HttpResponse response,
        string name,
        T data,
        JsonSerializerOptions json,
        CancellationToken cancellationToken
    )
    {
        var payload = JsonSerializer.Serialize(data, json);
        await response.WriteAsync($"event: {name}\ndata: {payload}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => DisposeChunksAsync();

    private async ValueTask DisposeChunksAsync()
    {
        if (_chunks is null || _chunksDisposed)
            return;
        _chunksDisposed = true;
        await _chunks.DisposeAsync();
    }
}
