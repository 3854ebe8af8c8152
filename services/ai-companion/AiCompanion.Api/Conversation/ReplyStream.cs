using System.Text;
using System.Text.Json;
using Community.AiCompanion.Model;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>The final event of a streamed reply: what was stored, and what it cost.</summary>
public sealed record StreamDone(Guid MessageId, Guid ReplyId, string Responder, UsageDto Usage, bool Replayed, CompanionMessageDto Message, CompanionMessageDto Reply);

/// <summary>An error after the stream started (its status was already sent): the problem's title, status and detail.</summary>
public sealed record StreamError(string Title, int Status, string Detail);

public sealed record StreamDelta(string Text);

/// <summary>
/// A reply as server-sent events: <c>delta</c> events with token text, then <c>done</c> with the stored ids and usage, or
/// <c>error</c> when the model fails mid-stream (nothing is stored then). Everything that can refuse the request with a
/// problem (validation, idempotency conflict, a model that fails before its first piece) happens before this runs.
/// </summary>
public sealed class ReplyStream : IResult, IAsyncDisposable
{
    public const string ContentType = "text/event-stream";

    private readonly PreparedSend? _send;
    private readonly IAsyncEnumerator<ModelChunk>? _chunks;
    private readonly string _responder = "";
    private readonly CompanionExchange? _earlier;

    private ReplyStream(PreparedSend send, IAsyncEnumerator<ModelChunk> chunks, string responder) =>
        (_send, _chunks, _responder) = (send, chunks, responder);

    private ReplyStream(CompanionExchange earlier) => _earlier = earlier;

    /// <summary>The stored answer to a client_txn_id sent before, as one delta and its done event.</summary>
    public static ReplyStream Replay(CompanionExchange earlier) => new(earlier);

    /// <summary>
    /// Starts the model's stream and waits for its first piece, so a model that is down is still a 503 problem (or the offline
    /// responder with Companion:Model:FallbackToOffline).
    /// </summary>
    public static async Task<ReplyStream> StartAsync(
        PreparedSend send, ICompanionModel model, OfflineResponder offline, CompanionConversation conversation, CancellationToken cancellationToken)
    {
        var chunks = model.StreamAsync(send.Prompt, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            if (!await chunks.MoveNextAsync() || chunks.Current is { Delta.Length: 0, Usage: not null })
                throw new ModelUnavailableException("The model answered with no text.");
            return new ReplyStream(send, chunks, model.Responder);
        }
        catch (ModelUnavailableException e)
        {
            await chunks.DisposeAsync();
            if (!conversation.FallsBack(e)) throw conversation.Unavailable(e);
            var fallback = offline.StreamAsync(send.Prompt, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await fallback.MoveNextAsync();
            return new ReplyStream(send, fallback, offline.Responder);
        }
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
            // The client left: the model call was cancelled with the request and nothing is stored.
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
            await WriteAsync(response, "delta", new StreamDelta(earlier.Reply.Text), json, cancellationToken);
            await WriteAsync(response, "done", Done(earlier, replayed: true), json, cancellationToken);
            return;
        }

        var send = _send!;
        var chunks = _chunks!;
        var text = new StringBuilder();
        ModelUsage? usage = null;
        // Send path, while streaming: the lead wires Safety's IStreamScreen here (Push each delta, show only what it releases).
        if (send.FirstReply)
        {
            text.Append(CompanionDisclosure.FirstReply);
            await WriteAsync(response, "delta", new StreamDelta(CompanionDisclosure.FirstReply), json, cancellationToken);
        }
        try
        {
            do
            {
                var chunk = chunks.Current;
                if (chunk.Usage is not null) usage = chunk.Usage;
                if (chunk.Delta.Length == 0) continue;
                text.Append(chunk.Delta);
                await WriteAsync(response, "delta", new StreamDelta(chunk.Delta), json, cancellationToken);
            }
            while (await chunks.MoveNextAsync());
        }
        catch (ModelUnavailableException e)
        {
            httpContext.RequestServices.GetRequiredService<CompanionConversation>().LogFailure(e);
            await WriteAsync(response, "error", new StreamError("Service unavailable", StatusCodes.Status503ServiceUnavailable,
                "The companion stopped answering; nothing was stored, please send again."), json, cancellationToken);
            return;
        }

        var store = httpContext.RequestServices.GetRequiredService<CompanionConversation>();
        try
        {
            var (exchange, created) = await store.StoreAsync(send, text.ToString(), _responder, usage ?? new ModelUsage(0, 0), cancellationToken);
            await WriteAsync(response, "done", Done(exchange, replayed: !created), json, cancellationToken);
        }
        catch (DomainException e)
        {
            // A concurrent send took this client_txn_id with another text: the status line is long gone, so the refusal is an event.
            await WriteAsync(response, "error", new StreamError(e.Title, e.StatusCode, e.Message), json, cancellationToken);
        }
    }

    private static StreamDone Done(CompanionExchange exchange, bool replayed) =>
        new(exchange.Message.Id, exchange.Reply.Id, exchange.Reply.Responder ?? "", exchange.Usage, replayed, exchange.Message, exchange.Reply);

    private static async Task WriteAsync<T>(HttpResponse response, string name, T data, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(data, json);
        await response.WriteAsync($"event: {name}\ndata: {payload}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_chunks is not null) await _chunks.DisposeAsync();
    }
}
