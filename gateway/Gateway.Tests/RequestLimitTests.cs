using Community.ServiceDefaults;

namespace Community.Gateway.Tests;

/// <summary>The edge answers oversized URLs and headers with problems, and nothing reaches a service.</summary>
public sealed class RequestLimitTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _ = fixture;

    [Fact]
    public async Task A_url_over_the_limit_is_a_414_problem_at_the_edge()
    {
        var before = _.Backend.Received.Count;

        var response = await _.SendAsync(
            HttpMethod.Get,
            "/api/v1/events?q=" + new string('x', 2 * RequestSizeLimits.MaxUrlLength)
        );

        await GatewayFixture.ProblemOf(response, HttpStatusCode.RequestUriTooLong);
        Assert.Equal(before, _.Backend.Received.Count);
    }

    [Fact]
    public async Task Headers_over_the_limit_are_a_431_problem_at_the_edge()
    {
        var before = _.Backend.Received.Count;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        for (var i = 0; i < 6; i++)
            request.Headers.TryAddWithoutValidation($"X-Big-{i}", new string('y', 7000));

        var response = await _.Client.SendAsync(request);

        await GatewayFixture.ProblemOf(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Equal(before, _.Backend.Received.Count);
    }

    [Fact]
    public async Task Many_small_headers_are_counted_by_their_size_not_refused_bare_for_their_number()
    {
        async Task<HttpResponseMessage> WithHeaders(int count)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
            for (var i = 0; i < count; i++)
                request.Headers.TryAddWithoutValidation($"X-H{i}", "1");
            return await _.Client.SendAsync(request);
        }

        // 150 small headers: past Kestrel's default count (100), well inside the size limit.
        var before = _.Backend.Received.Count;
        Assert.Equal(HttpStatusCode.OK, (await WithHeaders(150)).StatusCode);
        Assert.Equal(before + 1, _.Backend.Received.Count);
        // 4,000 of them pass the size limit: a problem with a request id, not Kestrel's empty 431.
        await GatewayFixture.ProblemOf(await WithHeaders(4000), HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Equal(before + 1, _.Backend.Received.Count);
    }
}
