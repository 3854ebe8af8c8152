using System.Net.Http.Json;

namespace Community.Identity.Tests;

public sealed class WaitlistTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Joining_mails_a_position_and_joining_again_keeps_it_without_telling_the_caller()
    {
        var first = await (
            await Client.PostJson("/api/v1/waitlist", new { email = "early@example.com", source = "landing" })
        ).AssertStatus(202);
        var firstMail = (await fx.Smtp.WaitForAsync("early@example.com")).Body;
        var second = await (
            await Client.PostJson("/api/v1/waitlist", new { email = "later@example.com" })
        ).AssertStatus(202);
        var secondMail = (await fx.Smtp.WaitForAsync("later@example.com")).Body;
        // Joining again answers exactly like a first join: the place goes to the address by e-mail.
        var again = await (await Client.PostJson("/api/v1/waitlist", new { email = "EARLY@example.com" })).AssertStatus(
            202
        );
        Assert.Equal(first.ToJsonString(), again.ToJsonString());
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Null(first["waitlist_position"]);
        Assert.Null(first["status_token"]);
        Assert.False(string.IsNullOrEmpty(first["message"]!.GetValue<string>()));

        var firstPosition = long.Parse(
            System
                .Text.RegularExpressions.Regex.Match(firstMail, @"You are number (\d+) on the Community waitlist")
                .Groups[1]
                .Value
        );
        Assert.Contains($"You are number {firstPosition + 1} on the Community waitlist", secondMail);
        Assert.Equal(2, await WaitForMailCountAsync("early@example.com", 2));
        Assert.Contains(
            fx.Smtp.Messages,
            m =>
                m.To.Any(t => t.Contains("early@example.com"))
                && m.Body.Contains($"You are number {firstPosition} on the Community waitlist (joined")
        );

        var token = System.Text.RegularExpressions.Regex.Match(secondMail, @"Status token: (\S+)").Groups[1].Value;
        var status = await (
            await Client.Get($"/api/v1/waitlist/status?token={Uri.EscapeDataString(token)}")
        ).AssertStatus(200);
        Assert.Equal(firstPosition + 1, status["waitlist_position"]!.GetValue<long>());
        Assert.Equal("later@example.com", status["email"]!.GetValue<string>());
        // the mailed link, with the tags a mail service adds to links
        var tagged = await (
            await Client.Get($"/api/v1/waitlist/status?token={Uri.EscapeDataString(token)}&utm_source=newsletter")
        ).AssertStatus(200);
        Assert.Equal(firstPosition + 1, tagged["waitlist_position"]!.GetValue<long>());
    }

    private async Task<int> WaitForMailCountAsync(string to, int count)
    {
        await Eventually.TrueAsync(() => Task.FromResult(MailsTo(to) >= count), $"fewer than {count} mails to {to}");
        return MailsTo(to);
    }

    private int MailsTo(string to) =>
        fx.Smtp.Messages.Count(m => m.To.Any(t => t.Contains(to, StringComparison.OrdinalIgnoreCase)));

    [Fact]
    public async Task A_place_is_never_shown_for_an_email_alone()
    {
        await (await Client.PostJson("/api/v1/waitlist", new { email = "private@example.com" })).AssertStatus(202);
        var listed = await (await Client.Get("/api/v1/waitlist/status?email=private@example.com")).AssertStatus(202);
        var unlisted = await (await Client.Get("/api/v1/waitlist/status?email=unknown@example.com")).AssertStatus(202);
        Assert.Equal(listed.ToJsonString(), unlisted.ToJsonString());
        Assert.Null(listed["waitlist_position"]);
        Assert.Contains("on the Community waitlist", (await fx.Smtp.WaitForAsync("private@example.com")).Body);
        await fx.MailSentAsync();
        Assert.Equal(2, MailsTo("private@example.com"));
        Assert.DoesNotContain(
            fx.Smtp.Messages,
            m => m.To.Any(t => t.Contains("unknown@example.com", StringComparison.OrdinalIgnoreCase))
        );
        await (await Client.Get("/api/v1/waitlist/status?token=not-a-real-token")).AssertProblem(404);
    }

    [Fact]
    public async Task Concurrent_joins_of_one_email_make_one_entry()
    {
        var responses = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(_ => Client.PostJson("/api/v1/waitlist", new { email = "eager@example.com" }))
        );
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM waitlist_entries WHERE email = 'eager@example.com'")
        );
    }

    [Fact]
    public async Task One_address_is_mailed_at_most_ten_times_an_hour_listed_or_not()
    {
        for (var i = 0; i < 6; i++)
            await (await Client.PostJson("/api/v1/waitlist", new { email = "flooded@example.com" })).AssertStatus(202);
        for (var i = 0; i < 4; i++)
            await (await Client.Get("/api/v1/waitlist/status?email=FLOODED@example.com")).AssertStatus(202);
        var refused = await Client.PostJson("/api/v1/waitlist", new { email = "flooded@example.com" });
        await refused.AssertProblem(429);
        Assert.NotNull(refused.Headers.RetryAfter);
        await (await Client.Get("/api/v1/waitlist/status?email=flooded@example.com")).AssertProblem(429);
        Assert.Equal(10, await WaitForMailCountAsync("flooded@example.com", 10));
        // An address nobody listed is refused alike: the 429 says nothing about the list.
        for (var i = 0; i < 10; i++)
            await (await Client.Get("/api/v1/waitlist/status?email=nobody-here@example.com")).AssertStatus(202);
        await (await Client.Get("/api/v1/waitlist/status?email=nobody-here@example.com")).AssertProblem(429);
        // Other addresses are untouched.
        await (await Client.PostJson("/api/v1/waitlist", new { email = "calm@example.com" })).AssertStatus(202);
        fx.Clock.Advance(TimeSpan.FromHours(1));
        await (await Client.PostJson("/api/v1/waitlist", new { email = "flooded@example.com" })).AssertStatus(202);
    }

    [Fact]
    public async Task Strangers_who_spent_an_inboxs_waitlist_requests_do_not_keep_its_owner_from_joining()
    {
        const string victim = "waitlist_owner@example.com";
        Task<HttpResponseMessage> JoinFrom(string from)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/waitlist")
            {
                Content = JsonContent.Create(new { email = victim }),
            };
            request.Headers.Add("X-Forwarded-For", from);
            return Client.SendAsync(request);
        }
        // Three addresses, ten requests each: the inbox's thirty spent, and each address's own ten.
        for (var a = 0; a < 3; a++)
        {
            for (var i = 0; i < 10; i++)
                await (await JoinFrom($"203.0.113.{40 + a}")).AssertStatus(202);
            await (await JoinFrom($"203.0.113.{40 + a}")).AssertProblem(429);
        }
        Assert.Equal(30, await WaitForMailCountAsync(victim, 30));

        // The owner, from their own address, still joins and is mailed their place; a second request from there past
        // the ceiling is refused, and so is one from an address that already asked.
        await (await JoinFrom("198.51.100.40")).AssertStatus(202);
        Assert.Equal(31, await WaitForMailCountAsync(victim, 31));
        await (await JoinFrom("198.51.100.40")).AssertProblem(429);
        await (await JoinFrom("203.0.113.40")).AssertProblem(429);
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
