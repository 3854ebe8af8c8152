using System.Net;
using Community.Testing;

namespace Community.Identity.Tests;

public sealed class WaitlistTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Joining_gives_a_position_and_joining_again_keeps_it()
    {
        var first = await (await Client.PostJson("/api/v1/waitlist", new { email = "early@example.com", source = "landing" })).AssertStatus(201);
        var second = await (await Client.PostJson("/api/v1/waitlist", new { email = "later@example.com" })).AssertStatus(201);
        // Joining again tells the caller nothing: the place goes to the address by e-mail.
        var again = await (await Client.PostJson("/api/v1/waitlist", new { email = "EARLY@example.com" })).AssertStatus(202);
        Assert.Null(again["waitlist_position"]);

        var firstPosition = first["waitlist_position"]!.GetValue<long>();
        Assert.Equal(firstPosition + 1, second["waitlist_position"]!.GetValue<long>());
        Assert.Contains($"You are number {firstPosition} on the Community waitlist", (await fx.Smtp.WaitForAsync("early@example.com")).Body);
        Assert.False(string.IsNullOrEmpty(first["message"]!.GetValue<string>()));

        var token = second["status_token"]!.GetValue<string>();
        Assert.Contains($"Status token: {token}", (await fx.Smtp.WaitForAsync("later@example.com")).Body);
        var status = await (await Client.Get($"/api/v1/waitlist/status?token={Uri.EscapeDataString(token)}")).AssertStatus(200);
        Assert.Equal(firstPosition + 1, status["waitlist_position"]!.GetValue<long>());
        Assert.Equal("later@example.com", status["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_place_is_never_shown_for_an_email_alone()
    {
        await (await Client.PostJson("/api/v1/waitlist", new { email = "private@example.com" })).AssertStatus(201);
        var listed = await (await Client.Get("/api/v1/waitlist/status?email=private@example.com")).AssertStatus(202);
        var unlisted = await (await Client.Get("/api/v1/waitlist/status?email=unknown@example.com")).AssertStatus(202);
        Assert.Equal(listed.ToJsonString(), unlisted.ToJsonString());
        Assert.Null(listed["waitlist_position"]);
        Assert.Contains("on the Community waitlist", (await fx.Smtp.WaitForAsync("private@example.com")).Body);
        Assert.DoesNotContain(fx.Smtp.Messages, m => m.To.Any(t => t.Contains("unknown@example.com", StringComparison.OrdinalIgnoreCase)));
        await (await Client.Get("/api/v1/waitlist/status?token=not-a-real-token")).AssertProblem(404);
    }

    [Fact]
    public async Task Concurrent_joins_of_one_email_make_one_entry()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.PostJson("/api/v1/waitlist", new { email = "eager@example.com" })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM waitlist_entries WHERE email = 'eager@example.com'"));
    }

    [Fact]
    public async Task Bad_waitlist_requests_are_refused()
    {
        await (await Client.PostJson("/api/v1/waitlist", new { email = "nope" })).AssertProblem(400);
        await (await Client.PostJson("/api/v1/waitlist", new { })).AssertProblem(400);
        await (await Client.Get("/api/v1/waitlist/status")).AssertProblem(400);
        await (await Client.Get("/api/v1/waitlist/status?email=nope")).AssertProblem(400);
    }
}
