using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// Charsets of JSON bodies, HEAD, and the caching of signed-in answers, as every service's pipeline answers them.
/// </summary>
public sealed class HttpSemanticsTests : IAsyncLifetime
{
    private PipelineHost _host = null!;
    private int _writes;

    private sealed record Note(string Text);

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() =>
        _host = await PipelineHost.StartAsync(app =>
        {
            app.MapPost(
                    "/notes",
                    (Note note) =>
                    {
                        Interlocked.Increment(ref _writes);
                        return TypedResults.Ok(note);
                    }
                )
                .AllowAnonymous();
            app.MapGet("/notes/latest", () => TypedResults.Ok(new Note("hello"))).AllowAnonymous();
            app.MapGet(
                "/mine",
                (System.Security.Claims.ClaimsPrincipal user) => TypedResults.Ok(new Note(user.UserId().ToString()))
            );
            app.MapGet(
                "/cached",
                (HttpContext context) =>
                {
                    context.Response.Headers.CacheControl = "private, max-age=60";
                    return TypedResults.Ok(new Note("mine to cache"));
                }
            );
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> PostNote(string contentType, Encoding encoding)
    {
        var content = new ByteArrayContent(encoding.GetBytes("""{"text":"grüße"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return Client.PostAsync("/notes", content);
    }

    [Theory]
    [InlineData("application/json; charset=klingon")]
    [InlineData("application/json; charset=\"x-unknown\"")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/merge-patch+json; charset=iso-8859-1")]
    public async Task A_JSON_body_in_another_charset_than_UTF_8_is_a_415_problem_naming_UTF_8(string contentType)
    {
        var response = await PostNote(contentType, contentType.Contains("utf-16") ? Encoding.Unicode : Encoding.UTF8);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"supported_charset\":\"utf-8\"", body);
        Assert.Contains("UTF-8", body);
        Assert.Contains("request_id", body);
        Assert.Equal(0, _writes);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json;charset=utf8")]
    public async Task A_JSON_body_in_UTF_8_is_read_however_the_charset_is_spelled(string contentType)
    {
        var response = await PostNote(contentType, Encoding.UTF8);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("grüße", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HEAD_answers_as_GET_without_a_body_and_is_refused_where_GET_is()
    {
        var get = await Client.GetAsync("/notes/latest");
        var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/notes/latest"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var anonymous = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/mine"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var missing = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/nothing-here"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // POST-only routes still refuse HEAD as they refuse GET
        var postOnly = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/notes"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, postOnly.StatusCode);
    }

    [Fact]
    public async Task Signed_in_answers_are_not_stored_by_caches_unless_the_endpoint_says_otherwise()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/mine");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _host.Tokens.Issue(Guid.NewGuid()));
        var mine = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.True(mine.Headers.CacheControl?.NoStore);

        var refused = new HttpRequestMessage(HttpMethod.Get, "/mine");
        refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        Assert.True((await Client.SendAsync(refused)).Headers.CacheControl?.NoStore);

        var cachedRequest = new HttpRequestMessage(HttpMethod.Get, "/cached");
        cachedRequest.Headers.Authorization = new AuthenticationHeaderValue(
            "Bearer",
            _host.Tokens.Issue(Guid.NewGuid())
        );
        var cached = await Client.SendAsync(cachedRequest);
        Assert.Equal(TimeSpan.FromSeconds(60), cached.Headers.CacheControl?.MaxAge);
        Assert.False(cached.Headers.CacheControl?.NoStore);

        var anonymous = await Client.GetAsync("/notes/latest");
        Assert.Null(anonymous.Headers.CacheControl);
    }
}
