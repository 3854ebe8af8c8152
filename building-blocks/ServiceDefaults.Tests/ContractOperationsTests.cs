using System.Net;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// What an operation's document says beyond what its endpoint declares: the answers the shared pipeline gives for the
/// headers it honours (a reused Idempotency-Key's 422, a repeat's 409 while the first still runs), and the query
/// parameters a handler refuses to go without as required.
/// </summary>
public sealed class ContractOperationsTests : IAsyncLifetime
{
    /// <summary>A note.</summary>
    /// <param name="Text">Its text.</param>
    public sealed record Note(string Text);

    /// <summary>A spend the balance does not cover.</summary>
    /// <param name="Balance">What there is.</param>
    public sealed record Short(long Balance);

    /// <param name="Q">What to look for.</param>
    /// <param name="Near">Where to look.</param>
    public sealed record Search([RequiredParameter] string? Q, string? Near);

    private PipelineHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await PipelineHost.StartAsync(app =>
        {
            var api = app.MapGroup("").HonourIdempotencyKeys();
            api.MapPost("/notes", (Note note) => TypedResults.Created("/notes/1", note)).RequireAuthorization();
            api.MapPost("/spends", (Note note) => TypedResults.Created("/spends/1", note))
                .RequireAuthorization()
                .ProducesProblemWith<Short>(StatusCodes.Status422UnprocessableEntity);
            api.MapPost("/own-notes", (Note note) => TypedResults.Created("/own-notes/1", note))
                .RequireAuthorization()
                .HonoursIdempotencyKeyItself();
            api.MapPost("/open-notes", (Note note) => TypedResults.Created("/open-notes/1", note)).AllowAnonymous();
            api.MapGet(
                    "/search",
                    ([AsParameters] Search search) =>
                    {
                        var errors = new ValidationErrors();
                        errors.Required("q", search.Q);
                        errors.ThrowIfAny();
                        return TypedResults.Ok(new Note(search.Q!));
                    }
                )
                .AllowAnonymous();
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonNode> DocumentAsync() =>
        JsonNode.Parse(await _host.Client.GetStringAsync("/openapi/v1.json"))!;

    private static JsonObject Responses(JsonNode document, string path) =>
        document["paths"]![path]!["post"]!["responses"]!.AsObject();

    private static bool TakesIdempotencyKey(JsonNode document, string path) =>
        document["paths"]![path]!["post"]!["parameters"]!.AsArray().Any(p => (string?)p!["name"] == "Idempotency-Key");

    [Fact]
    public async Task A_key_the_shared_middleware_serves_documents_its_409_with_retry_after_and_its_422()
    {
        var document = await DocumentAsync();

        Assert.True(TakesIdempotencyKey(document, "/notes"));
        var responses = Responses(document, "/notes");
        foreach (var status in new[] { "409", "422" })
        {
            Assert.True(responses.ContainsKey(status), $"/notes does not list {status}");
            Assert.Equal(
                "#/components/schemas/Problem",
                (string?)responses[status]!["content"]!["application/problem+json"]!["schema"]!["$ref"]
            );
        }
        Assert.NotNull(responses["409"]!["headers"]!["Retry-After"]);
        Assert.Equal("Conflict", (string?)responses["409"]!["description"]);
        Assert.Equal("Unprocessable Entity", (string?)responses["422"]!["description"]);
    }

    [Fact]
    public async Task A_422_the_endpoint_declares_itself_keeps_its_members_beside_the_keys()
    {
        var document = await DocumentAsync();

        var responses = Responses(document, "/spends");
        Assert.True(responses.ContainsKey("409"));
        var schema = responses["422"]!["content"]!["application/problem+json"]!["schema"]!;
        Assert.Equal(
            ["#/components/schemas/Problem", "#/components/schemas/Short"],
            schema["allOf"]!.AsArray().Select(p => (string?)p!["$ref"])
        );
    }

    [Fact]
    public async Task A_key_the_handler_keeps_itself_or_no_key_at_all_adds_no_409_or_422()
    {
        var document = await DocumentAsync();

        // The handler answers its own key: what it refuses with, it declares.
        Assert.True(TakesIdempotencyKey(document, "/own-notes"));
        Assert.DoesNotContain("409", Responses(document, "/own-notes").Select(r => r.Key));
        Assert.DoesNotContain("422", Responses(document, "/own-notes").Select(r => r.Key));
        // An anonymous create takes no key (keys are kept per user).
        Assert.False(TakesIdempotencyKey(document, "/open-notes"));
        Assert.DoesNotContain("409", Responses(document, "/open-notes").Select(r => r.Key));
        Assert.DoesNotContain("422", Responses(document, "/open-notes").Select(r => r.Key));
    }

    [Fact]
    public async Task A_query_parameter_marked_required_is_documented_so_and_its_absence_is_still_the_handlers_400()
    {
        var document = await DocumentAsync();
        var parameters = document["paths"]!["/search"]!["get"]!["parameters"]!
            .AsArray()
            .Where(p => (string?)p!["in"] == "query")
            .ToDictionary(p => (string)p!["name"]!, p => p!);

        Assert.True((bool?)parameters["q"]["required"]);
        Assert.NotEqual(true, (bool?)parameters["near"]["required"]);

        // It binds as optional still: the handler's validation problem names it, not the binder's bad request.
        var response = await _host.Client.GetAsync("/search?near=home");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("q is required.", (string?)JsonNode.Parse(text)!["errors"]!["q"]![0]);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/search?q=hikes")).StatusCode);
    }
}
