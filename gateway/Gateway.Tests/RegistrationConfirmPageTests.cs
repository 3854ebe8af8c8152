using System.Text.RegularExpressions;

namespace Community.Gateway.Tests;

public sealed partial class RegistrationConfirmPageTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _ = fixture;

    [Fact]
    public async Task The_confirmation_link_opens_a_form_that_posts_to_the_confirm_route_without_a_token()
    {
        var before = _.Backend.Received.Count;

        var response = await _.SendAsync(HttpMethod.Get, "/confirm-registration?token=abc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("""<form id="confirm" method="post" action="/api/v1/auth/register/confirm">""", html);
        Assert.Contains("""<button id="submit" type="submit">""", html);
        Assert.DoesNotContain("<input", html); // nothing to type: the token comes from the link
        Assert.Equal(before, _.Backend.Received.Count); // served by the gateway itself
    }

    [Fact]
    public async Task The_page_runs_only_its_own_script_and_style_under_a_strict_csp()
    {
        var response = await _.SendAsync(HttpMethod.Get, "/confirm-registration?token=abc");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(GatewayPage.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("unsafe-", GatewayPage.ContentSecurityPolicy);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);

        var scripts = ScriptTags().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(["""<script src="/confirm-registration/confirm.js" defer>"""], scripts); // no inline script
        Assert.Contains("""<link rel="stylesheet" href="/confirm-registration/confirm.css">""", html);
        Assert.DoesNotMatch(EventHandlerAttributes(), html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("//", html); // nothing from another origin
    }

    [Theory]
    [InlineData(RegistrationConfirmPage.ScriptPath, "text/javascript")]
    [InlineData(RegistrationConfirmPage.StylePath, "text/css")]
    public async Task The_script_and_style_are_served_anonymously_under_the_same_policy(string path, string mediaType)
    {
        var response = await _.SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(GatewayPage.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task The_script_sends_only_the_query_string_token_and_never_keeps_the_answer_s_tokens()
    {
        var script = await (
            await _.SendAsync(HttpMethod.Get, RegistrationConfirmPage.ScriptPath)
        ).Content.ReadAsStringAsync();

        Assert.Contains("""new URLSearchParams(location.search).get("token")""", script);
        Assert.Contains("""JSON.stringify({ token: token })""", script);
        Assert.Contains("""method: "POST""", script);
        Assert.Contains("response.status === 200", script);
        Assert.Contains("problem.detail", script); // a 409 or 404 shows why
        Assert.Contains("problem.errors", script); // a 400 shows which field and why
        Assert.DoesNotContain("access_token", script);
        Assert.DoesNotContain("refresh_token", script);
        Assert.DoesNotContain("Storage", script); // neither localStorage nor sessionStorage
        Assert.DoesNotContain("cookie", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("innerHTML", script); // answers are shown as text, never as markup
    }

    [Fact]
    public async Task The_token_is_never_written_into_the_page()
    {
        var html = await (
            await _.SendAsync(HttpMethod.Get, "/confirm-registration?token=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        ).Content.ReadAsStringAsync();

        Assert.DoesNotContain("alert(1)", html);
    }

    /// <summary>
    /// A mailed link a mail service tagged still opens the page; what else the query says is read by nothing (the
    /// page's script takes the token only, so a next= leads nowhere).
    /// </summary>
    [Fact]
    public async Task A_tagged_link_still_shows_the_page_and_nothing_reads_the_other_parameters()
    {
        var response = await _.SendAsync(
            HttpMethod.Get,
            "/confirm-registration?token=abc&utm_source=newsletter&next=https%3A%2F%2Fevil.example"
        );
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", html);
        var script = await (
            await _.SendAsync(HttpMethod.Get, RegistrationConfirmPage.ScriptPath)
        ).Content.ReadAsStringAsync();
        Assert.Equal(["token"], QueryReads().Matches(script).Select(m => m.Groups[1].Value));
    }

    [GeneratedRegex(@"URLSearchParams\(location\.search\)\.get\(""([^""]+)""\)")]
    private static partial Regex QueryReads();

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTags();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttributes();
}
