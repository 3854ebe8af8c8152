namespace Community.Payments.Tests;

/// <summary>The OpenAPI document lists the problem answers a client must handle, not just the happy path.</summary>
public sealed class OpenApiTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task Operations_document_their_4xx_problem_responses()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        var checkout = Responses(document, "/api/v1/payments/checkout", "post");
        Assert.Superset(new HashSet<string> { "200", "400", "401", "404", "409", "422", "502" }, Codes(checkout));
        Assert.NotNull(checkout["422"]!["content"]!["application/problem+json"]);

        var refund = Responses(document, "/api/v1/payments/{id}/refunds", "post");
        Assert.Superset(new HashSet<string> { "201", "400", "401", "403", "404", "422" }, Codes(refund));

        Assert.Superset(
            new HashSet<string> { "400", "401", "409", "422" },
            Codes(Responses(document, "/api/v1/credits/spend", "post"))
        );
        Assert.Contains("400", Codes(Responses(document, "/webhooks/stripe", "post")));
    }

    private static JsonObject Responses(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["responses"]!.AsObject();

    private static HashSet<string> Codes(JsonObject responses) => responses.Select(r => r.Key).ToHashSet();
}
