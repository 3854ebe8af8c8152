using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Community.ServiceDefaults.Tests;

/// <summary>Charsets of JSON bodies, HEAD, and the caching of signed-in answers, as every service's pipeline answers them.</summary>
public sealed class HttpSemanticsTests : IAsyncLifetime
{
    private readonly TestTokens _tokens = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private int _writes;

    private sealed record Note(string Text);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<ISigningKeySource>(_tokens);
        _app = builder.Build();
        _app.UseServiceDefaults();
        _app.MapPost("/notes", (Note note) =>
        {
            Interlocked.Increment(ref _writes);
            return TypedResults.Ok(note);
        }).AllowAnonymous();
        _app.MapGet("/notes/latest", () => TypedResults.Ok(new Note("hello"))).AllowAnonymous();
        _app.MapGet("/mine", (System.Security.Claims.ClaimsPrincipal user) => TypedResults.Ok(new Note(user.UserId().ToString())));
        _app.MapGet("/cached", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "private, max-age=60";
            return TypedResults.Ok(new Note("mine to cache"));
        });
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        _tokens.Dispose();
    }

    private Task<HttpResponseMessage> PostNote(string contentType, Encoding encoding)
    {
        var content = new ByteArrayContent(encoding.GetBytes("""{"text":"grüße"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return _client.PostAsync("/notes", content);
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
        var get = await _client.GetAsync("/notes/latest");
        var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/notes/latest"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var anonymous = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/mine"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var missing = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/nothing-here"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // POST-only routes still refuse HEAD as they refuse GET
        var postOnly = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/notes"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, postOnly.StatusCode);
    }

    [Fact]
    public async Task Signed_in_answers_are_not_stored_by_caches_unless_the_endpoint_says_otherwise()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/mine");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Issue(Guid.NewGuid()));
        var mine = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.True(mine.Headers.CacheControl?.NoStore);

        var refused = new HttpRequestMessage(HttpMethod.Get, "/mine");
        refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        Assert.True((await _client.SendAsync(refused)).Headers.CacheControl?.NoStore);

        var cachedRequest = new HttpRequestMessage(HttpMethod.Get, "/cached");
        cachedRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Issue(Guid.NewGuid()));
        var cached = await _client.SendAsync(cachedRequest);
        Assert.Equal(TimeSpan.FromSeconds(60), cached.Headers.CacheControl?.MaxAge);
        Assert.False(cached.Headers.CacheControl?.NoStore);

        var anonymous = await _client.GetAsync("/notes/latest");
        Assert.Null(anonymous.Headers.CacheControl);
    }
}
