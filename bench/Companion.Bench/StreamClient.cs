using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Community.Companion.Bench;

/// <summary>
/// One streamed send as the client saw it, in <see cref="Stopwatch.GetTimestamp"/> ticks of this process (the fake
/// model server's clock too): when the request left, when the first delta arrived, the first delta carrying model text
/// (the disclosure of a first reply is the service's own text), the done event; or what went wrong.
/// </summary>
public sealed record StreamResult(
    string Tag,
    long SentAt,
    long? FirstDeltaAt,
    long? FirstModelDeltaAt,
    long? DoneAt,
    string? Error
)
{
    public double? Ms(long? from, long? to) =>
        from is { } a && to is { } b ? Stopwatch.GetElapsedTime(a, b).TotalMilliseconds : null;
}

/// <summary>Posts <c>/api/v1/companion/messages/stream</c> and reads its server-sent events to the end.</summary>
public static class StreamClient
{
    public const string Path = "/api/v1/companion/messages/stream";

    public static async Task<StreamResult> SendAsync(
        HttpClient client,
        string token,
        string tag,
        string text,
        string expectedReply,
        string disclosure,
        TimeSpan timeout
    )
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, Path)
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new JsonObject { ["text"] = text, ["client_txn_id"] = "bench-" + tag }),
                Encoding.UTF8,
                "application/json"
            ),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var sentAt = Stopwatch.GetTimestamp();
        long? firstDelta = null,
            firstModelDelta = null,
            done = null;
        var received = new StringBuilder();
        StreamResult Result(string? error) => new(tag, sentAt, firstDelta, firstModelDelta, done, error);
        try
        {
            using var response = await client.SendAsync(
                request,
                HttpCompletionOption.ResponseHeadersRead,
                cancel.Token
            );
            if (!response.IsSuccessStatusCode)
                return Result($"HTTP {(int)response.StatusCode}");
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                return Result("not an event stream");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            string? name = null;
            while (await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                    continue;
                }
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                    continue;
                var at = Stopwatch.GetTimestamp();
                var data = JsonNode.Parse(line[6..])!;
                switch (name)
                {
                    case "delta":
                        firstDelta ??= at;
                        received.Append(data["text"]?.GetValue<string>());
                        // Model text has arrived once the stream holds more than (a prefix of) the service's own
                        // disclosure.
                        if (firstModelDelta is null && ModelChars(received.ToString(), disclosure) > 0)
                            firstModelDelta = at;
                        break;
                    case "done":
                        done = at;
                        break;
                    case "error":
                        return Result($"error event ({data["status"]} {data["title"]})");
                }
            }
            if (done is null)
                return Result("ended without done");
            var shown = received.ToString();
            var reply = shown.StartsWith(disclosure, StringComparison.Ordinal) ? shown[disclosure.Length..] : shown;
            return Result(reply == expectedReply ? null : "reply text differs from the model's");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return Result($"no done within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return Result($"{nameof(HttpRequestException)} ({e.HttpRequestError})");
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return Result(e.GetType().Name);
        }
    }

    private static int ModelChars(string shown, string disclosure) =>
        shown.StartsWith(disclosure, StringComparison.Ordinal) ? shown.Length - disclosure.Length
        : disclosure.StartsWith(shown, StringComparison.Ordinal) ? 0
        : shown.Length;
}
