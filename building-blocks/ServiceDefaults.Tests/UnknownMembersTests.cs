using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// One rule for what a client sends that the API does not know: an unknown JSON body field (at any
/// depth), merge patch field or query parameter is a 400 validation problem naming it and the valid
/// names; the request reaches no endpoint. Free-form JSON objects, health probes and hub tokens are left alone.
/// </summary>
public sealed class UnknownMembersTests : IAsyncLifetime
{
    private sealed record Place(string? City, string? Country);

    // Used as request and response: the computed Summary is written but is no field a client may send.
    private sealed record Thing(string Name, string? Note, List<Place>? Places)
    {
        public string Summary => $"{Name} ({Places?.Count ?? 0} places)";
    }

    private sealed record ListQuery(
        string? Q,
        [FromQuery(Name = "starts_after")] DateTimeOffset? StartsAfter,
        int? Page
    );

    // Binds itself, so it may read any parameter: such endpoints are not checked.
    private sealed record Raw(string Query)
    {
        public static ValueTask<Raw?> BindAsync(HttpContext context) =>
            ValueTask.FromResult<Raw?>(new Raw(context.Request.QueryString.Value ?? ""));
    }

    private PipelineHost _host = null!;
    private int _reached;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() =>
        _host = await PipelineHost.StartAsync(app =>
        {
            app.MapPost("/things", (Thing thing) => Reached(thing)).AllowAnonymous();
            app.MapPost("/free-form", (JsonObject body) => Reached(body.Count)).AllowAnonymous();
            app.MapPatch(
                    "/things",
                    (JsonObject patch, IOptions<JsonOptions> json) =>
                        Reached(JsonMergePatch.Apply(new Thing("old", null, null), patch, json.Value.SerializerOptions))
                )
                .AllowAnonymous();
            app.MapPatch(
                    "/members",
                    (JsonObject patch) =>
                    {
                        JsonMergePatch.ApplyMembers(patch, ["bio", "city"], new ValidationErrors(), (_, _) => { });
                        return Reached(patch.Count);
                    }
                )
                .AllowAnonymous();
            app.MapGet("/things/{id:int}", (int id, [AsParameters] ListQuery query, string? tag) => Reached(query.Q))
                .AllowAnonymous();
            app.MapGet("/plain", () => Reached(0)).AllowAnonymous();
            app.MapGet("/raw", (Raw raw) => Reached(raw.Query)).AllowAnonymous();
            app.MapGet("/reads-itself", (HttpRequest request) => Reached(request.Query["token"].ToString()))
                .AllowAnonymous()
                .AcceptsQueryParameters("token");
            app.MapGet("/hubs/echo", () => Reached(0)).AllowAnonymous();
        });

    private Ok<T> Reached<T>(T value)
    {
        Interlocked.Increment(ref _reached);
        return TypedResults.Ok(value);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string json) =>
        Client.SendAsync(
            new HttpRequestMessage(method, path)
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            }
        );

    private static async Task<string> Refusal(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(text)!["errors"]?[field]?.AsArray();
        Assert.True(errors is { Count: 1 }, text);
        return errors[0]!.GetValue<string>();
    }

    [Fact]
    public async Task An_unknown_body_field_is_a_400_naming_it_and_the_valid_fields()
    {
        var message = await Refusal(
            await Send(HttpMethod.Post, "/things", """{"name":"a","colour":"red"}"""),
            "colour"
        );

        Assert.Equal("colour is not a known field; the valid fields are: name, note, places.", message);
        Assert.Equal(0, _reached);
    }

    [Fact]
    public async Task An_unknown_field_deep_in_the_body_is_named_by_its_path()
    {
        var message = await Refusal(
            await Send(HttpMethod.Post, "/things", """{"name":"a","places":[{"city":"Dubai"},{"town":"x"}]}"""),
            "places[1].town"
        );

        Assert.Equal("town is not a known field; the valid fields are: city, country.", message);
    }

    [Fact]
    public async Task A_field_only_written_in_answers_is_not_one_a_client_may_send()
    {
        var created = await Send(HttpMethod.Post, "/things", """{"name":"a","note":null}""");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("summary", await created.Content.ReadAsStringAsync());

        // Known (read-only) members are skipped by the reader, but never offered as valid.
        var message = await Refusal(
            await Send(HttpMethod.Post, "/things", """{"name":"a","summary":"x","extra":1}"""),
            "extra"
        );
        Assert.DoesNotContain("summary", message);
    }

    [Fact]
    public async Task A_body_that_is_a_free_form_object_by_design_takes_any_member()
    {
        var response = await Send(HttpMethod.Post, "/free-form", """{"anything":1,"else":{"x":2}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Merge_patches_refuse_unknown_fields_with_the_same_message()
    {
        var overlaid = await Refusal(
            await Send(HttpMethod.Patch, "/things", """{"note":"n","colour":"red"}"""),
            "colour"
        );
        var fieldByField = await Refusal(
            await Send(HttpMethod.Patch, "/members", """{"bio":"b","colour":"red"}"""),
            "colour"
        );

        Assert.Equal("colour is not a known field; the valid fields are: name, note, places.", overlaid);
        Assert.Equal("colour is not a known field; the valid fields are: bio, city.", fieldByField);
        Assert.Equal(0, _reached);
    }

    [Fact]
    public async Task A_misspelled_query_parameter_is_a_400_naming_the_accepted_ones()
    {
        var message = await Refusal(await Client.GetAsync("/things/7?start_after=2030-01-01T00:00:00Z"), "start_after");

        Assert.Equal(
            "start_after is not a known query parameter; the valid query parameters are: page, q, starts_after, tag.",
            message
        );
        Assert.Equal(0, _reached);
    }

    [Fact]
    public async Task A_route_value_is_no_query_parameter_and_an_endpoint_without_any_takes_none()
    {
        await Refusal(await Client.GetAsync("/things/7?id=8"), "id");
        Assert.Equal(
            "x is not a known query parameter; the valid query parameters are: token.",
            await Refusal(await Client.GetAsync("/reads-itself?x=1"), "x")
        );
        Assert.Equal(
            "x is not a known query parameter; this endpoint accepts none.",
            await Refusal(await Client.GetAsync("/plain?x=1"), "x")
        );
    }

    [Theory]
    [InlineData("/things/7?q=board&starts_after=2030-01-01T00:00:00Z&page=2&tag=games")]
    [InlineData("/things/7?Q=board&STARTS_AFTER=2030-01-01T00:00:00Z")]
    [InlineData("/raw?anything=1")]
    [InlineData("/reads-itself?token=abc")]
    public async Task Accepted_parameters_in_any_case_and_self_binding_endpoints_pass(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_probes_the_openapi_document_and_hub_tokens_are_left_alone()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live?probe=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(
            HttpStatusCode.OK,
            (await Client.GetAsync("/hubs/echo?access_token=" + _host.Tokens.Issue(Guid.NewGuid()))).StatusCode
        );
        await Refusal(await Client.GetAsync("/plain?access_token=x"), "access_token");
    }
}
