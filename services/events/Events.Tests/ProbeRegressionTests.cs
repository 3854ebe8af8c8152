using System.Text;

namespace Community.Events.Tests;

/// <summary>What the outside probe turned into 500s, each now a 400 problem that changes nothing.</summary>
public sealed class ProbeRegressionTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    private async Task<HttpResponseMessage> CreateRawAsync(string json, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        return await fx.Client.SendAsync(request);
    }

    [Fact]
    public async Task An_event_in_year_9999_is_refused()
    {
        var (organizerId, organizer) = fx.Organizer();
        var body = fx.EventBody(b =>
        {
            b["starts_at"] = "9999-12-30T10:00:00Z";
            b["ends_at"] = "9999-12-30T12:00:00Z";
        });

        var problem = await (await fx.Client.PostJson("/api/v1/events", body, organizer)).AssertProblem(400);

        Assert.Contains("starts_at", problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE organizer_id = @id",
                ("id", organizerId)
            )
        );
    }

    [Theory]
    [InlineData("a\\u0000b")]
    [InlineData("a\\ud800b")]
    public async Task A_title_postgres_cannot_store_is_refused(string escapedTitle)
    {
        var (organizerId, organizer) = fx.Organizer();
        var json = fx.EventBody()
            .ToJsonString()
            .Replace("\"title\":\"", $"\"title\":\"{escapedTitle}", StringComparison.Ordinal);
        Assert.Contains(escapedTitle, json);

        await (await CreateRawAsync(json, organizer)).AssertProblem(400);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE organizer_id = @id",
                ("id", organizerId)
            )
        );
    }

    [Fact]
    public async Task A_duplicate_key_is_refused_not_last_wins()
    {
        var (organizerId, organizer) = fx.Organizer();
        var json = fx.EventBody()
            .ToJsonString()
            .Replace("{\"title\":", "{\"title\":\"first\",\"title\":", StringComparison.Ordinal);
        Assert.Contains("\"title\":\"first\",\"title\":", json);

        await (await CreateRawAsync(json, organizer)).AssertProblem(400);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM community_events WHERE organizer_id = @id",
                ("id", organizerId)
            )
        );
    }

    [Theory]
    [InlineData("/api/v1/events?q=%00")]
    [InlineData("/api/v1/events?city=a%00b")]
    public async Task A_nul_in_a_filter_is_refused(string path) =>
        await (await fx.Client.GetAsync(path)).AssertProblem(400);

    [Theory]
    [InlineData("/api/v1/events?page=2147483647")]
    [InlineData("/api/v1/courses?page=2147483647&limit=100")]
    public async Task The_deepest_page_number_is_no_500(string path)
    {
        var response = await fx.Client.Get(path, fx.Member().Token);
        Assert.True(
            response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest,
            $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}"
        );
    }
}
