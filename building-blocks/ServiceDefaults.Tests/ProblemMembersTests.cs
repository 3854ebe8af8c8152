using System.Net;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// Problems that say more than the Problem schema (a 402's what-to-pay, a refusal's balance): answered and documented
/// from one record, so the contract types what a client reads instead of leaving it to a cast.
/// </summary>
public sealed class ProblemMembersTests : IAsyncLifetime
{
    /// <summary>A seat held until paid.</summary>
    /// <param name="HoldId">The hold.</param>
    /// <param name="Currency">Its currency, when known.</param>
    /// <param name="Checkout">What to pay it with.</param>
    public sealed record Held(Guid HoldId, string? Currency, CheckoutReference Checkout);

    /// <summary>A spend the balance does not cover.</summary>
    /// <param name="Balance">What there is.</param>
    /// <param name="Required">What was needed.</param>
    public sealed record Short(long Balance, long Required);

    /// <summary>A note.</summary>
    /// <param name="Text">Its text.</param>
    public sealed record Note(string Text);

    private static readonly Guid HoldId = Guid.Parse("0191a3c4-0000-7000-8000-000000000001");
    private PipelineHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await PipelineHost.StartAsync(app =>
        {
            app.MapPost(
                    "/holds",
                    () =>
                        ProblemResponses.PaymentRequired(
                            "Pay for the held seat.",
                            new Held(HoldId, null, new CheckoutReference("event_registration", HoldId))
                        )
                )
                .AllowAnonymous()
                .ProducesPaymentRequired<Held>();
            app.MapPost(
                    "/spends",
                    IResult () =>
                        throw new BusinessRuleException("This costs 9 credits; your balance is 5.")
                        {
                            Extensions = ProblemResponses.MembersOf(new Short(5, 9)),
                        }
                )
                .AllowAnonymous()
                .ProducesProblemWith<Short>(StatusCodes.Status422UnprocessableEntity);
            app.MapPost("/notes", (Note note) => TypedResults.Ok(note)).AllowAnonymous();
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonNode> AnswerAsync(string path, HttpStatusCode status)
    {
        var response = await _host.Client.PostAsync(path, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    private async Task<JsonNode> DocumentAsync() =>
        JsonNode.Parse(await _host.Client.GetStringAsync("/openapi/v1.json"))!;

    [Fact]
    public async Task A_402_carries_the_records_members_beside_the_problems_own_as_the_service_writes_json()
    {
        var problem = await AnswerAsync("/holds", HttpStatusCode.PaymentRequired);

        Assert.Equal("Payment required", (string?)problem["title"]);
        Assert.Equal("Pay for the held seat.", (string?)problem["detail"]);
        Assert.NotNull(problem["request_id"]);
        Assert.Equal(HoldId, problem["hold_id"]!.GetValue<Guid>());
        // a member with no value is said to have none, as a body's is
        Assert.True(problem.AsObject().ContainsKey("currency"));
        Assert.Null(problem["currency"]);
        Assert.Equal("event_registration", (string?)problem["checkout"]!["purpose"]);
        Assert.Equal(HoldId, problem["checkout"]!["reference_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task The_402_is_documented_as_the_problem_with_those_members_all_of_them_required()
    {
        var document = await DocumentAsync();

        var schema = document["paths"]!["/holds"]!["post"]!["responses"]!["402"]!["content"]![
            "application/problem+json"
        ]!["schema"]!;
        var parts = schema["allOf"]!.AsArray().Select(p => (string?)p!["$ref"]).ToList();
        Assert.Equal(["#/components/schemas/Problem", "#/components/schemas/Held"], parts);
        var held = document["components"]!["schemas"]!["Held"]!;
        Assert.Equal(
            ["checkout", "hold_id"],
            held["required"]!.AsArray().Select(r => (string)r!).Order(StringComparer.Ordinal)
        );
        // open to the Problem's members beside them: each part of an allOf is checked against the whole answer
        Assert.NotEqual(false, (bool?)held["additionalProperties"]);
        Assert.Equal(
            ["event_registration", "course", "group_membership"],
            held["properties"]!["checkout"]!["properties"]!["purpose"]!["enum"]!.AsArray().Select(v => (string)v!)
        );
    }

    [Fact]
    public void Members_without_a_value_are_written_as_null_unless_left_out_for_an_either_or_record()
    {
        var held = new Held(HoldId, null, new CheckoutReference("course", HoldId));

        Assert.True(ProblemResponses.MembersOf(held).ContainsKey("currency"));
        var either = ProblemResponses.MembersOf(held, leaveOutNulls: true);
        Assert.False(either.ContainsKey("currency"));
        Assert.Equal(["checkout", "hold_id"], either.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_refusal_that_says_more_is_answered_and_documented_with_its_members_optional()
    {
        var problem = await AnswerAsync("/spends", HttpStatusCode.UnprocessableEntity);
        Assert.Equal(5, (long)problem["balance"]!);
        Assert.Equal(9, (long)problem["required"]!);

        var document = await DocumentAsync();
        var schema = document["paths"]!["/spends"]!["post"]!["responses"]!["422"]!["content"]![
            "application/problem+json"
        ]!["schema"]!;
        Assert.Equal("#/components/schemas/Short", (string?)schema["allOf"]![1]!["$ref"]);
        // other 422s of the endpoint (a validation problem) come without them
        Assert.Null(document["components"]!["schemas"]!["Short"]!["required"]);
    }

    [Theory]
    [InlineData("application/json; charset=latin1", true)]
    [InlineData("application/json; charset=utf-16", true)]
    [InlineData("text/plain", false)]
    public async Task A_json_body_in_another_charset_or_media_type_is_a_415_documented_on_every_json_operation(
        string contentType,
        bool namesTheCharset
    )
    {
        using var content = new ByteArrayContent("{\"text\": \"hi\"}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await _host.Client.PostAsync("/notes", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.NotNull(problem["request_id"]);
        Assert.Equal(namesTheCharset ? "utf-8" : null, (string?)problem["supported_charset"]);

        var document = await DocumentAsync();
        var schema = document["paths"]!["/notes"]!["post"]!["responses"]!["415"]!["content"]![
            "application/problem+json"
        ]!["schema"]!;
        Assert.Equal(
            ["#/components/schemas/Problem", "#/components/schemas/CharsetRefusal"],
            schema["allOf"]!.AsArray().Select(p => (string?)p!["$ref"])
        );
        var refusal = document["components"]!["schemas"]!["CharsetRefusal"]!;
        Assert.Equal("string", (string?)refusal["properties"]!["supported_charset"]!["type"]);
        Assert.Null(refusal["required"]); // a 415 for another media type comes without it
        // an operation without a JSON body documents no 415
        Assert.Null(document["paths"]!["/spends"]!["post"]!["responses"]!["415"]);
    }
}
