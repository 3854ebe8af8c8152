using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.Social.Tests;

/// <summary>What the fake embeddings endpoint received: the request body and its Authorization header.</summary>
public sealed record FakeEmbeddingRequest(JsonObject Body, string? Authorization)
{
    public string? Model => Body["model"]?.GetValue<string>();
    public int? Dimensions => Body["dimensions"]?.GetValue<int>();

    public IReadOnlyList<string> Inputs =>
        Body["input"] switch
        {
            JsonArray many => [.. many.Select(x => x!.GetValue<string>())],
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
}

/// <summary>
/// An OpenAI-compatible <c>/v1/embeddings</c> on real HTTP. Its vectors carry meaning a test can predict: one
/// dimension per topic, counted from the words of the text that belong to it (trail, hike and mountain are one
/// topic), so texts sharing no word still land close when they share a topic. It refuses a wrong model or
/// dimensions, and answers 503 while <see cref="Down"/>.
/// </summary>
public sealed class FakeEmbeddingsServer : FakeHttpServer<FakeEmbeddingRequest>
{
    public const string ModelName = "embed-test-model";
    public const string ApiKey = "sk-embed-SECRET-77d1";
    public const int Dims = 8;

    private static readonly string[][] Topics =
    [
        ["hik", "trail", "mountain", "trek", "summit", "climb", "outdoor"],
        ["cook", "recipe", "chef", "kitchen", "bak", "cuisine", "food"],
        ["music", "guitar", "piano", "band", "song", "jazz"],
        ["code", "coding", "programm", "software", "developer", "startup"],
        ["yoga", "meditat", "mindful", "breath"],
        ["chess", "board", "puzzle"],
        ["paint", "drawing", "sketch", "gallery"],
    ];

    public volatile bool Down;

    public string Endpoint => new Uri(BaseAddress, "v1").ToString();

    public static async Task<FakeEmbeddingsServer> StartAsync()
    {
        var server = new FakeEmbeddingsServer();
        await server.StartServerAsync();
        return server;
    }

    /// <summary>The topic vector of <paramref name="text"/> (the last dimension keeps any text non-zero).</summary>
    public static float[] VectorOf(string text)
    {
        var vector = new float[Dims];
        foreach (
            var word in text.ToLowerInvariant()
                .Split([' ', ',', '.', '\n', ':', ';'], StringSplitOptions.RemoveEmptyEntries)
        )
            for (var t = 0; t < Topics.Length; t++)
                if (Topics[t].Any(word.StartsWith))
                    vector[t] += 1;
        vector[Dims - 1] = 0.05f;
        return vector;
    }

    protected override void Map(WebApplication app) =>
        app.MapPost(
            "/v1/embeddings",
            async (HttpContext context) =>
            {
                var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
                var request = new FakeEmbeddingRequest(body, context.Request.Headers.Authorization.ToString());
                Record(request);
                if (Down)
                    return Results.StatusCode(503);
                if (request.Model != ModelName || request.Dimensions != Dims || request.Inputs.Count == 0)
                    return Results.BadRequest(new { error = new { message = "wrong model, dimensions or input" } });
                var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
                var data = new JsonArray();
                foreach (var (input, index) in request.Inputs.Select((x, i) => (x, i)))
                {
                    var vector = VectorOf(input);
                    JsonNode embedding = base64
                        ? JsonValue.Create(Convert.ToBase64String(vector.SelectMany(BitConverter.GetBytes).ToArray()))
                        : new JsonArray([.. vector.Select(x => (JsonNode?)JsonValue.Create(x))]);
                    data.Add(
                        new JsonObject
                        {
                            ["object"] = "embedding",
                            ["index"] = index,
                            ["embedding"] = embedding,
                        }
                    );
                }
                return Results.Json(
                    new JsonObject
                    {
                        ["object"] = "list",
                        ["data"] = data,
                        ["model"] = ModelName,
                        ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["total_tokens"] = 1 },
                    }
                );
            }
        );
}
