using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// What a client can put in text (NUL and other controls, lone surrogates, duplicate keys) is a
/// 400 problem from the shared pipeline, before any endpoint sees it; good text passes.
/// </summary>
public sealed class SafeTextTests : IAsyncLifetime
{
    private sealed record Thing(string Name, string? Note, string[]? Tags);

    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private int _reached;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        _app = builder.Build();
        _app.UseServiceDefaults();
        _app.MapPost(
                "/things",
                (Thing thing) =>
                {
                    Interlocked.Increment(ref _reached);
                    return TypedResults.Ok(thing);
                }
            )
            .AllowAnonymous();
        _app.MapPatch(
                "/things",
                (JsonObject patch, IOptions<JsonOptions> json) =>
                {
                    Interlocked.Increment(ref _reached);
                    return TypedResults.Ok(
                        JsonMergePatch.Apply(new Thing("old", null, null), patch, json.Value.SerializerOptions)
                    );
                }
            )
            .AllowAnonymous();
        _app.MapPatch(
                "/members",
                (JsonObject patch) =>
                {
                    Interlocked.Increment(ref _reached);
                    JsonMergePatch.ApplyMembers(
                        patch,
                        ["bio"],
                        new ValidationErrors(),
                        (_, node) => node?.GetValue<string>()
                    );
                    return TypedResults.NoContent();
                }
            )
            .AllowAnonymous();
        _app.MapGet(
                "/search",
                (string? q) =>
                {
                    Interlocked.Increment(ref _reached);
                    return TypedResults.Ok(q);
                }
            )
            .AllowAnonymous();
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string json) =>
        _client.SendAsync(
            new HttpRequestMessage(method, path)
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            }
        );

    private static async Task AssertProblem(HttpResponseMessage response, string mention)
    {
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body.Contains(mention, StringComparison.OrdinalIgnoreCase), body);
    }

    [Theory]
    [InlineData("""{"name":"a\u0000b"}""", "U+0000")]
    [InlineData("""{"name":"a\u001bb"}""", "U+001B")]
    [InlineData("""{"name":"ok","tags":["x","\u0007"]}""", "U+0007")]
    [InlineData("""{"name":"a\ud800b"}""", "Unicode")]
    [InlineData("""{"name":"a","name":"b"}""", "name")]
    public async Task Refused_text_in_a_created_body_is_a_400_and_reaches_no_endpoint(string json, string mention)
    {
        await AssertProblem(await Send(HttpMethod.Post, "/things", json), mention);
        Assert.Equal(0, _reached);
    }

    [Theory]
    [InlineData("""{"note":"a\u0000b"}""", "U+0000")]
    [InlineData("""{"note":"a\udc00"}""", "Unicode")]
    [InlineData("""{"a\u0000":1}""", "U+0000")]
    [InlineData("""{"note":"a","note":"b"}""", "note")]
    [InlineData("""{"note":"a","extra":{"x":1,"x":2}}""", "'x' appears twice")]
    public async Task Refused_text_in_a_merge_patch_is_a_400(string json, string mention) =>
        await AssertProblem(await Send(HttpMethod.Patch, "/things", json), mention);

    [Theory]
    [InlineData("""{"bio":"a\u0000b"}""", "bio")]
    [InlineData("""{"bio":"\ud83d"}""", "Unicode")]
    public async Task Refused_text_in_a_field_by_field_patch_is_a_400(string json, string mention) =>
        await AssertProblem(await Send(HttpMethod.Patch, "/members", json), mention);

    [Theory]
    [InlineData("/search?q=%00")]
    [InlineData("/search?q=a%01b")]
    [InlineData("/search?%00=x")]
    public async Task Refused_text_in_the_query_is_a_400_naming_it(string path)
    {
        await AssertProblem(await _client.GetAsync(path), "q");
        Assert.Equal(0, _reached);
    }

    [Theory]
    [InlineData("abc", 5, "abc")]
    [InlineData("abcdef", 3, "abc")]
    [InlineData("abc", 0, "")]
    // an emoji (two UTF-16 units) across the cut goes whole: half of it cannot be stored
    [InlineData("ab\U0001F600c", 3, "ab")]
    [InlineData("ab\U0001F600c", 4, "ab\U0001F600")]
    [InlineData("\U0001F600", 1, "")]
    public void Cut_never_splits_a_surrogate_pair(string text, int max, string expected)
    {
        var cut = SafeText.Cut(text, max);
        Assert.Equal(expected, cut);
        Assert.Null(SafeText.Problem(cut));
    }

    [Fact]
    public void Clean_leaves_out_what_cannot_be_stored_and_keeps_the_rest()
    {
        const string fine = "tab\t, lines\r\n, \u0645\u0631\u062D\u0628\u0627 \U0001F600";
        Assert.Same(fine, SafeText.Clean(fine));
        Assert.Equal("nul and bell", SafeText.Clean("nul\0 and bell\u0007"));
        Assert.Equal("half \uFFFD pair, \uFFFD", SafeText.Clean("half \uD83D pair, \uDE00"));
        Assert.Null(SafeText.Problem(SafeText.Clean("x\0\uD83D\uDE00\uDE00")));
    }

    [Fact]
    public async Task Tabs_newlines_and_any_language_or_emoji_pass()
    {
        var created = await Send(
            HttpMethod.Post,
            "/things",
            """{"name":"Am\u00efra \ud83c\udf34\tcaf\u00e9\r\nline","tags":["\u0639\u0631\u0628\u064a"]}"""
        );
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("🌴", JsonNode.Parse(await created.Content.ReadAsStringAsync())!["name"]!.GetValue<string>());

        var found = await _client.GetAsync("/search?q=caf%C3%A9%20%F0%9F%8C%B4");
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(2, _reached);
    }

    [Fact]
    public void The_rule_itself()
    {
        Assert.Null(SafeText.Problem("plain\ttext\r\n"));
        Assert.Null(SafeText.Problem("🌴"));
        Assert.NotNull(SafeText.Problem("\0"));
        Assert.NotNull(SafeText.Problem("\ud800"));
        Assert.NotNull(SafeText.Problem("x\udc00"));
        Assert.NotNull(SafeText.Problem("\ud83c"));
    }
}
