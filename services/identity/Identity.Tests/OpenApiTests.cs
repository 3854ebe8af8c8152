namespace Community.Identity.Tests;

/// <summary>The OpenAPI document lists the problem answers a client must handle, not just the happy path.</summary>
public sealed class OpenApiTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Operations_document_their_4xx_problem_responses()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        var login = Responses(document, "/api/v1/auth/login", "post");
        Assert.Superset(new HashSet<string> { "200", "400", "401", "429" }, login.Select(r => r.Key).ToHashSet());
        Assert.NotNull(login["429"]!["content"]!["application/problem+json"]);

        var register = Responses(document, "/api/v1/auth/register", "post");
        Assert.Superset(new HashSet<string> { "201", "400", "409" }, register.Select(r => r.Key).ToHashSet());

        var reset = Responses(document, "/api/v1/auth/password/reset", "post");
        Assert.Superset(new HashSet<string> { "204", "400" }, reset.Select(r => r.Key).ToHashSet());

        var change = Responses(document, "/api/v1/users/me/password", "post");
        Assert.Superset(new HashSet<string> { "200", "400", "401", "429" }, change.Select(r => r.Key).ToHashSet());

        var profile = Responses(document, "/api/v1/users/{id}", "get");
        Assert.Superset(new HashSet<string> { "200", "401", "403", "404" }, profile.Select(r => r.Key).ToHashSet());
    }

    [Fact]
    public async Task The_xml_docs_of_handlers_and_bodies_are_the_descriptions()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        Assert.StartsWith(
            "Creates an account",
            (string?)document["paths"]!["/api/v1/auth/register"]!["post"]!["description"]
        );
        var register = document["components"]!["schemas"]!["RegisterRequest"]!;
        Assert.StartsWith("A new account", (string?)register["description"]);
        Assert.StartsWith("3-30 characters", (string?)register["properties"]!["username"]!["description"]);
    }

    private static JsonObject Responses(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["responses"]!.AsObject();
}
