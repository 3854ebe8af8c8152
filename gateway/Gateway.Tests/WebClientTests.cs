namespace Community.Gateway.Tests;

/// <summary>A built web client in a folder of its own, served at /app/ (WebClient:Root).</summary>
public sealed class WebClientFixture : GatewayFixture
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("web-client-").FullName;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        Directory.CreateDirectory(Path.Combine(Folder, "assets"));
        File.WriteAllText(Path.Combine(Folder, "index.html"), """<!doctype html><div id="app"></div>""");
        File.WriteAllText(Path.Combine(Folder, "assets", "index-abc123.js"), "console.log(1)");
        settings["WebClient:Root"] = Folder;
    }
}

public sealed class WebClientTests(WebClientFixture fixture) : IClassFixture<WebClientFixture>
{
    private readonly WebClientFixture _ = fixture;

    [Theory]
    [InlineData("/app/")]
    [InlineData("/app/communities/0193/0194?checkout=paid")]
    public async Task The_app_and_each_of_its_routes_answer_index_html_revalidated_under_a_same_origin_csp(string path)
    {
        var before = _.Backend.Received.Count;

        var response = await _.SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("""<div id="app">""", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl?.NoCache);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(WebClient.ContentSecurityPolicy, policy);
        // Code only from the app's own origin; images also from the https addresses the API takes for them.
        var directives = policy.Split("; ").ToDictionary(d => d.Split(' ')[0], d => d.Split(' ')[1..]);
        Assert.Equal(["'self'"], directives["script-src"]);
        Assert.Equal(["'self'"], directives["connect-src"]);
        Assert.Equal(["'self'", "data:", "blob:", "https:"], directives["img-src"]);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(before, _.Backend.Received.Count); // served by the gateway itself
    }

    [Fact]
    public async Task Hashed_assets_are_cached_for_a_year_and_a_missing_one_is_a_404_not_the_page()
    {
        var asset = await _.SendAsync(HttpMethod.Get, "/app/assets/index-abc123.js");
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromDays(365), asset.Headers.CacheControl?.MaxAge);

        var missing = await _.SendAsync(HttpMethod.Get, "/app/assets/index-old.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("bytes=999999999-")]
    [InlineData("bytes=0-3")]
    [InlineData("bytes=5-2")]
    [InlineData("pages=1-2")]
    public async Task A_range_asked_of_a_file_is_answered_with_the_whole_file(string range)
    {
        var request = _.Request(HttpMethod.Get, "/app/assets/index-abc123.js");
        request.Headers.TryAddWithoutValidation("Range", range);

        var answer = await _.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("console.log(1)", await answer.Content.ReadAsStringAsync());
        Assert.Null(answer.Content.Headers.ContentRange);
    }

    [Fact]
    public async Task The_app_without_its_slash_is_redirected_to_it_and_nothing_beside_the_folder_is_served()
    {
        var response = await _.SendAsync(HttpMethod.Get, "/app");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/app/", response.Headers.Location?.OriginalString);

        // a path climbing out of the folder is never the file beside it
        var secret = Guid.NewGuid().ToString("N");
        var beside = Path.Combine(Path.GetDirectoryName(_.Folder)!, $"{secret}.txt");
        await File.WriteAllTextAsync(beside, secret);
        try
        {
            var outside = await _.SendAsync(HttpMethod.Get, $"/app/%2e%2e/{secret}.txt");
            Assert.NotEqual(secret, (await outside.Content.ReadAsStringAsync()).Trim());
        }
        finally
        {
            File.Delete(beside);
        }
    }

    /// <summary>An app not built is a 503 saying what to run; where its files are kept is for the log.</summary>
    [Fact]
    public async Task An_app_not_built_is_a_503_problem_that_does_not_name_the_servers_folder()
    {
        var index = Path.Combine(_.Folder, "index.html");
        File.Move(index, index + ".away");
        try
        {
            var response = await _.SendAsync(HttpMethod.Get, "/app/");

            var problem = await response.AssertProblem(503);
            Assert.Contains("npm run build", problem["detail"]!.GetValue<string>());
            Assert.DoesNotContain(_.Folder, problem.ToJsonString());
            Assert.DoesNotContain(Path.GetFileName(_.Folder), problem.ToJsonString());
        }
        finally
        {
            File.Move(index + ".away", index);
        }
    }
}
