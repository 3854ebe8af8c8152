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
        var again = await (await Client.PostJson("/api/v1/waitlist", new { email = "EARLY@example.com" })).AssertStatus(200);

        var firstPosition = first["waitlist_position"]!.GetValue<long>();
        Assert.Equal(firstPosition + 1, second["waitlist_position"]!.GetValue<long>());
        Assert.Equal(firstPosition, again["waitlist_position"]!.GetValue<long>());
        Assert.False(string.IsNullOrEmpty(first["message"]!.GetValue<string>()));

        var status = await (await Client.Get("/api/v1/waitlist/status?email=later@example.com")).AssertStatus(200);
        Assert.Equal(firstPosition + 1, status["waitlist_position"]!.GetValue<long>());
    }

    [Fact]
    public async Task Concurrent_joins_of_one_email_make_one_entry()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.PostJson("/api/v1/waitlist", new { email = "eager@example.com" })));
        var positions = new List<long>();
        foreach (var response in responses) positions.Add((await response.Body())["waitlist_position"]!.GetValue<long>());
        Assert.Single(positions.Distinct());
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM waitlist_entries WHERE email = 'eager@example.com'"));
    }

    [Fact]
    public async Task Bad_waitlist_requests_are_refused()
    {
        await (await Client.PostJson("/api/v1/waitlist", new { email = "nope" })).AssertProblem(400);
        await (await Client.PostJson("/api/v1/waitlist", new { })).AssertProblem(400);
        await (await Client.Get("/api/v1/waitlist/status")).AssertProblem(400);
        await (await Client.Get("/api/v1/waitlist/status?email=unknown@example.com")).AssertProblem(404);
    }
}
