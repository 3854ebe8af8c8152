using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Community.Testing;

/// <summary>
/// What the fake model server received: one chat completion request, its JSON body and its Authorization header.
/// </summary>
public sealed record FakeChatRequest(string Path, JsonObject Body, string? Authorization)
{
    public string? Model => Body["model"]?.GetValue<string>();
    public bool Stream => Body["stream"]?.GetValue<bool>() ?? false;
    public JsonArray Messages => Body["messages"]!.AsArray();

    /// <summary>(role, content) of every message sent, in order.</summary>
    public IReadOnlyList<(string Role, string Content)> Chat =>
        [.. Messages.Select(m => (m!["role"]!.GetValue<string>(), Content(m["content"])))];

    // The OpenAI client sends content as a string or as an array of text parts.
    private static string Content(JsonNode? content) =>
        content switch
        {
            JsonValue value => value.GetValue<string>(),
            JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.GetValue<string>() ?? "")),
            _ => "",
        };
}

/// <summary>How the fake model server misbehaves.</summary>
public enum FakeOpenAiFailure
{
    None,

    /// <summary>500 with an OpenAI error body.</summary>
    ServerError,

    /// <summary>Never answers (not even headers) until the client gives up.</summary>
    Hang,

    /// <summary>A streamed reply sends its first chunks, then the connection drops.</summary>
    DropMidStream,
}

/// <summary>
/// A stand-in for an OpenAI-compatible model server (<c>POST /v1/chat/completions</c>, plain and <c>stream: true</c> as
/// server-sent chunks ending in <c>data: [DONE]</c>), on a real loopback port: scripted replies (else
/// <see cref="DefaultReply"/>), a delay before the first chunk and between chunks, failure modes, and a record of every
/// request body.
/// </summary>
public sealed class FakeOpenAiServer : FakeHttpServer<FakeChatRequest>
{
    private readonly ConcurrentQueue<string> _replies = new();
    private readonly ConcurrentQueue<(FakeChatRequest Request, long SentAt)> _firstPieces = new();
    private int _sequence;

    public string DefaultReply { get; set; } = "That sounds like it matters to you. What would help most right now?";
    public TimeSpan FirstChunkDelay { get; set; } = TimeSpan.Zero;
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>When set, a streamed reply waits for it after its first text piece (a test acts mid-stream).</summary>
    public Task? HoldAfterFirstPiece { get; set; }

    /// <summary>
    /// When set, each request waits for the task it returns before anything is answered (a test holds chosen replies
    /// in flight).
    /// </summary>
    public Func<FakeChatRequest, Task?>? Hold { get; set; }

    /// <summary>
    /// When set, a request whose messages hold more characters than this is refused as a model with a small context
    /// refuses it: 400 with <see cref="ContextErrorBody"/>.
    /// </summary>
    public int? ContextLimit { get; set; }

    /// <summary>The body of a refusal past <see cref="ContextLimit"/>: OpenAI's unless a test gives another.</summary>
    public string ContextErrorBody { get; set; } = OpenAiContextError;

    /// <summary>OpenAI's refusal of a prompt longer than the model's context.</summary>
    public static string OpenAiContextError =>
        new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] =
                    "This model's maximum context length is 1000 tokens. However, your messages resulted in "
                    + "1200 tokens. Please reduce the length of the messages.",
                ["type"] = "invalid_request_error",
                ["param"] = "messages",
                ["code"] = "context_length_exceeded",
            },
        }.ToJsonString();

    public FakeOpenAiFailure Failure { get; set; } = FakeOpenAiFailure.None;
    public int PromptTokens { get; set; } = 37;

    /// <summary>
    /// When (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>) the last streamed reply's first text piece was
    /// flushed, for latency measurements.
    /// </summary>
    public long FirstPieceSentAt { get; private set; }

    /// <summary>
    /// Every streamed reply's <see cref="FirstPieceSentAt"/> with the request it answered, so concurrent streams can
    /// each be timed.
    /// </summary>
    public IReadOnlyList<(FakeChatRequest Request, long SentAt)> FirstPieces => [.. _firstPieces];

    /// <summary>The base URL an OpenAI client is given (its requests go to {Endpoint}/chat/completions).</summary>
    public string Endpoint => new Uri(BaseAddress, "v1").ToString();

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var server = new FakeOpenAiServer();
        await server.StartServerAsync();
        return server;
    }

    /// <summary>
    /// The next requests are answered with these texts, in order; after them <see cref="DefaultReply"/>.
    /// </summary>
    public void Reply(params string[] replies)
    {
        foreach (var reply in replies)
            _replies.Enqueue(reply);
    }

    /// <summary>The pieces a streamed reply is sent in: each word with the space before it.</summary>
    public static IReadOnlyList<string> Pieces(string reply)
    {
        var words = reply.Split(' ');
        return [.. words.Select((w, i) => i == 0 ? w : " " + w)];
    }

    protected override void Map(WebApplication app) => app.MapPost("/v1/chat/completions", AnswerAsync);

    private async Task AnswerAsync(HttpContext context)
    {
        var body = (
            await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted)
        )!.AsObject();
        var request = new FakeChatRequest(
            context.Request.Path,
            body,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null
        );
        Record(request);
        if (ContextLimit is { } limit && request.Chat.Sum(m => m.Content.Length) > limit)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(ContextErrorBody, context.RequestAborted);
            return;
        }
        if (Hold?.Invoke(request) is { } held)
            await held.WaitAsync(context.RequestAborted);
        var failure = Failure;
        if (failure == FakeOpenAiFailure.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        if (failure == FakeOpenAiFailure.ServerError)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(
                new { error = new { message = "The fake model failed.", type = "server_error" } }
            );
            return;
        }
        var reply = _replies.TryDequeue(out var scripted) ? scripted : DefaultReply;
        var id = "chatcmpl-" + Interlocked.Increment(ref _sequence);
        var model = request.Model ?? "";
        var completionTokens = Pieces(reply).Count;
        var usage = new JsonObject
        {
            ["prompt_tokens"] = PromptTokens,
            ["completion_tokens"] = completionTokens,
            ["total_tokens"] = PromptTokens + completionTokens,
        };
        if (!request.Stream)
        {
            if (FirstChunkDelay > TimeSpan.Zero)
                await Task.Delay(FirstChunkDelay, context.RequestAborted);
            await context.Response.WriteAsJsonAsync(
                new JsonObject
                {
                    ["id"] = id,
                    ["object"] = "chat.completion",
                    ["created"] = 1_700_000_000,
                    ["model"] = model,
                    ["choices"] = new JsonArray(
                        new JsonObject
                        {
                            ["index"] = 0,
                            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply },
                            ["finish_reason"] = "stop",
                        }
                    ),
                    ["usage"] = usage,
                }
            );
            return;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.ContentType = "text/event-stream";
        await context.Response.Body.FlushAsync(context.RequestAborted);
        if (FirstChunkDelay > TimeSpan.Zero)
            await Task.Delay(FirstChunkDelay, context.RequestAborted);
        await ChunkAsync(context, Chunk(id, model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        var pieces = Pieces(reply);
        for (var i = 0; i < pieces.Count; i++)
        {
            if (i > 0 && ChunkDelay > TimeSpan.Zero)
                await Task.Delay(ChunkDelay, context.RequestAborted);
            await ChunkAsync(context, Chunk(id, model, new JsonObject { ["content"] = pieces[i] }, null));
            if (i == 0)
            {
                FirstPieceSentAt = System.Diagnostics.Stopwatch.GetTimestamp();
                _firstPieces.Enqueue((request, FirstPieceSentAt));
                if (HoldAfterFirstPiece is { } hold)
                    await hold.WaitAsync(context.RequestAborted);
            }
            if (failure == FakeOpenAiFailure.DropMidStream && i == 1)
            {
                // A reset can discard what the client has not read yet: let the first pieces arrive before the drop.
                await Task.Delay(TimeSpan.FromMilliseconds(300), context.RequestAborted);
                context.Abort();
                return;
            }
        }
        await ChunkAsync(context, Chunk(id, model, new JsonObject(), "stop"));
        if (body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
            await ChunkAsync(
                context,
                new JsonObject
                {
                    ["id"] = id,
                    ["object"] = "chat.completion.chunk",
                    ["created"] = 1_700_000_000,
                    ["model"] = model,
                    ["choices"] = new JsonArray(),
                    ["usage"] = usage,
                }.ToJsonString()
            );
        await ChunkAsync(context, "[DONE]");
    }

    private static string Chunk(string id, string model, JsonObject delta, string? finishReason) =>
        new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_700_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(
                new JsonObject
                {
                    ["index"] = 0,
                    ["delta"] = delta,
                    ["finish_reason"] = finishReason,
                }
            ),
        }.ToJsonString(new JsonSerializerOptions());

    private static async Task ChunkAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
