using System.Text.RegularExpressions;

namespace Community.Gateway.Tests;

public sealed partial class PasswordResetPageTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _ = fixture;

    [Fact]
    public async Task The_reset_link_opens_a_form_that_posts_to_the_reset_route_without_a_token()
    {
        var before = _.Backend.Received.Count;

        var response = await _.SendAsync(HttpMethod.Get, "/reset-password?token=abc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("""<form id="reset" method="post" action="/api/v1/auth/password/reset">""", html);
        Assert.Contains("""name="new_password" type="password" """, html);
        Assert.Equal(before, _.Backend.Received.Count); // served by the gateway itself
    }

    [Fact]
    public async Task The_page_runs_only_its_own_script_and_style_under_a_strict_csp()
    {
        var response = await _.SendAsync(HttpMethod.Get, "/reset-password?token=abc");
        var html = await response.Content.ReadAsStringAsync();

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);

        var scripts = ScriptTags().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(["""<script src="/reset-password/reset.js" defer>"""], scripts); // no inline script
        Assert.DoesNotMatch(EventHandlerAttributes(), html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("//", html); // nothing from another origin
    }

    [Theory]
    [InlineData(PasswordResetPage.ScriptPath, "text/javascript")]
    [InlineData(PasswordResetPage.StylePath, "text/css")]
    public async Task The_script_and_style_are_served_anonymously_under_the_same_policy(string path, string mediaType)
    {
        var response = await _.SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(GatewayPage.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task The_script_sends_the_query_string_token_and_the_new_password_as_json()
    {
        var script = await (
            await _.SendAsync(HttpMethod.Get, PasswordResetPage.ScriptPath)
        ).Content.ReadAsStringAsync();

        Assert.Contains("""new URLSearchParams(location.search).get("token")""", script);
        Assert.Contains("""JSON.stringify({ token: token, new_password: password })""", script);
        Assert.Contains("""method: "POST""", script);
        Assert.DoesNotContain("innerHTML", script); // answers are shown as text, never as markup
    }

    [Fact]
    public async Task The_token_is_never_written_into_the_page()
    {
        var html = await (
            await _.SendAsync(HttpMethod.Get, "/reset-password?token=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        ).Content.ReadAsStringAsync();

        Assert.DoesNotContain("alert(1)", html);
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTags();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttributes();
}
