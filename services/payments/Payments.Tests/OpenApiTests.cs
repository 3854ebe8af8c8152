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
        Assert.Superset(new HashSet<string> { "201", "400", "401", "403", "404", "409", "422" }, Codes(refund));
        // the rest of the payment being refunded right now: the same request may succeed after Retry-After
        Assert.NotNull(refund["409"]!["headers"]!["Retry-After"]);
        Assert.Superset(
            new HashSet<string> { "200", "401", "404", "409", "502" },
            Codes(Responses(document, "/api/v1/subscriptions/me", "delete"))
        );

        Assert.Superset(
            new HashSet<string> { "400", "401", "409", "422" },
            Codes(Responses(document, "/api/v1/credits/spend", "post"))
        );
        // 503 (with Retry-After) when Stripe could not be asked what the event needs: Stripe delivers it again
        var webhook = Responses(document, "/webhooks/stripe", "post");
        Assert.Superset(new HashSet<string> { "200", "400", "503" }, Codes(webhook));
        Assert.NotNull(webhook["503"]!["headers"]!["Retry-After"]);
    }

    [Fact]
    public async Task A_checkouts_409_names_what_was_paid_as_the_refusal_carries_it()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        // a thing paid already: its payment to follow (or, for a course, the credit spend), typed for clients
        foreach (
            var (path, members, names) in new[]
            {
                ("/api/v1/payments/checkout", "CheckoutConflictMembers", new[] { "paid_payment_id", "spend_id" }),
                ("/api/v1/subscriptions/checkout", "PaidAlreadyMembers", ["paid_payment_id"]),
            }
        )
        {
            var schema = Responses(document, path, "post")["409"]!["content"]!["application/problem+json"]!["schema"]!;
            Assert.Contains(schema["allOf"]!.AsArray(), s => (string?)s!["$ref"] == $"#/components/schemas/{members}");
            var properties = document["components"]!["schemas"]![members]!["properties"]!.AsObject();
            Assert.Equal(names, properties.Select(p => p.Key).Order());
            Assert.All(properties, p => Assert.Equal("uuid", (string?)p.Value!["format"]));
        }
    }

    [Fact]
    public async Task A_subscription_checkout_is_documented_as_a_checkout_or_the_subscription_resumed()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        var ok = Responses(document, "/api/v1/subscriptions/checkout", "post")["200"]!;
        Assert.Equal(
            ["#/components/schemas/CheckoutDto", "#/components/schemas/SubscriptionDto"],
            ok["content"]!["application/json"]!["schema"]!["oneOf"]!.AsArray().Select(s => (string?)s!["$ref"])
        );
        Assert.NotNull(document["components"]!["schemas"]!["SubscriptionDto"]!["properties"]!["cancel_at_period_end"]);
    }

    [Fact]
    public async Task A_spend_s_description_names_the_balance_member_as_clients_read_it()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);

        Assert.Equal(
            "A spend; `balance` is what is left now.",
            (string?)document["components"]!["schemas"]!["CreditSpendDto"]!["description"]
        );
    }

    private static JsonObject Responses(JsonNode document, string path, string method) =>
        document["paths"]![path]![method]!["responses"]!.AsObject();

    private static HashSet<string> Codes(JsonObject responses) => responses.Select(r => r.Key).ToHashSet();
}
