namespace Community.AiCompanion.Tests;

/// <summary>
/// The OpenAPI document lists the companion's problem answers and the event stream, and every operation needs a token.
/// </summary>
public sealed class OpenApiTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    [Fact]
    public async Task The_conversation_operations_document_their_problems_and_the_stream()
    {
        var document = await (await fixture.Client.Get("/openapi/v1.json")).AssertStatus(200);
        Assert.Superset(
            new HashSet<string> { "200", "201", "400", "401", "409", "429", "502", "503" },
            Codes(document, "/api/v1/companion/messages", "post")
        );
        Assert.Superset(
            new HashSet<string> { "200", "400", "401", "409", "429", "502", "503" },
            Codes(document, "/api/v1/companion/messages/stream", "post")
        );
        var stream = document["paths"]!["/api/v1/companion/messages/stream"]!["post"]!["responses"]!["200"]![
            "content"
        ]!["text/event-stream"]!;
        // Each event's data has its schema: a client types what it reads.
        var events = stream["schema"]!["x-events"]!.AsObject();
        Assert.Equal(["delta", "replace", "reminder", "done", "error"], events.Select(e => e.Key));
        foreach (var (name, reference) in events)
        {
            var component = reference!["$ref"]!.GetValue<string>().Split('/')[^1];
            Assert.True(document["components"]!["schemas"]![component] is not null, $"{name}: no schema {component}");
        }
        var done = document["components"]!["schemas"]!["StreamDone"]!["properties"]!.AsObject();
        Assert.Superset(
            new HashSet<string> { "message_id", "reply_id", "usage", "message", "reply" },
            done.Select(p => p.Key).ToHashSet()
        );
        Assert.Superset(
            new HashSet<string> { "200", "400", "401" },
            Codes(document, "/api/v1/companion/conversation", "get")
        );
        Assert.Superset(
            new HashSet<string> { "204", "401" },
            Codes(document, "/api/v1/companion/conversation", "delete")
        );
        Assert.Superset(
            new HashSet<string> { "200", "400", "401" },
            Codes(document, "/api/v1/companion/settings", "put")
        );
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
            Assert.True(operation!["security"] is not null, $"{method} {path} does not require a token");
    }

    private static HashSet<string> Codes(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
}
