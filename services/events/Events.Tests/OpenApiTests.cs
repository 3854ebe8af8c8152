namespace Community.Events.Tests;

/// <summary>The OpenAPI document lists the problem answers a client must handle, not just the happy path.</summary>
public sealed class OpenApiTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    [Fact]
    public async Task Operations_document_their_4xx_problem_responses()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        var register = Responses(document, "/api/v1/events/{id}/registrations", "post");
        Assert.Superset(
            new HashSet<string> { "200", "201", "202", "400", "401", "402", "403", "404", "409", "422" },
            Codes(register)
        );
        Assert.NotNull(register["402"]!["content"]!["application/problem+json"]);

        var checkIn = Responses(document, "/api/v1/events/{id}/check-in", "post");
        Assert.Superset(new HashSet<string> { "200", "400", "401", "404", "409", "422" }, Codes(checkIn));

        Assert.Superset(
            new HashSet<string> { "402", "404" },
            Codes(Responses(document, "/api/v1/courses/{id}/enroll", "post"))
        );
        Assert.Superset(
            new HashSet<string> { "400", "401", "404" },
            Codes(Responses(document, "/api/v1/events/{id}/photos", "get"))
        );
    }

    [Fact]
    public async Task The_bearer_scheme_is_declared_and_required_only_by_operations_that_need_a_token()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        var bearer = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", (string?)bearer["type"]);
        Assert.Equal("bearer", (string?)bearer["scheme"]);

        var create = document["paths"]!["/api/v1/events"]!["post"]!;
        Assert.Equal(["bearer"], create["security"]!.AsArray().SelectMany(r => r!.AsObject().Select(p => p.Key)));

        // anonymous, public events for anyone; a token sent shows a member what is theirs too: none, or the bearer
        var browse = document["paths"]!["/api/v1/events"]!["get"]!.AsObject();
        Assert.Equal(
            ["", "bearer"],
            browse["security"]!.AsArray().Select(r => string.Join(",", r!.AsObject().Select(p => p.Key)))
        );
        foreach (var read in new[] { "/api/v1/events/{id}", "/api/v1/events/nearby", "/api/v1/events/{id}/cover" })
            Assert.Equal(2, document["paths"]![read]!["get"]!["security"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("/api/v1/events")]
    [InlineData("/api/v1/courses")]
    [InlineData("/api/v1/events/{id}/attendees")]
    [InlineData("/api/v1/events/{id}/photos")]
    public async Task Paged_lists_describe_page_cursor_and_what_their_total_means(string path)
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var parameters = document["paths"]![path]!["get"]!["parameters"]!
            .AsArray()
            .ToDictionary(p => p!["name"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Contains("next_cursor", parameters["cursor"]!["description"]!.GetValue<string>());
        Assert.Contains("10,000", parameters["page"]!["description"]!.GetValue<string>());

        var text = document.ToJsonString();
        Assert.Contains("above it, the database planner", text);
        Assert.Contains("True when total (and so pages) is the planner", text);
    }

    private static JsonObject Responses(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["responses"]!.AsObject();

    private static HashSet<string> Codes(JsonObject responses) => responses.Select(r => r.Key).ToHashSet();
}
