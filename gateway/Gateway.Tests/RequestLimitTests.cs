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
}
