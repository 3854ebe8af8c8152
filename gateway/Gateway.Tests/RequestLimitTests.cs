using System.Text;
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
        async Task<HttpResponseMessage> WithHeaders(int count, string value)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
            for (var i = 0; i < count; i++)
                request.Headers.TryAddWithoutValidation($"X-H{i}", value);
            return await _.Client.SendAsync(request);
        }

        // 150 small headers: past Kestrel's default count (100), well inside the size limit.
        var before = _.Backend.Received.Count;
        Assert.Equal(HttpStatusCode.OK, (await WithHeaders(150, "1")).StatusCode);
        Assert.Equal(before + 1, _.Backend.Received.Count);
        // 900 of them, 40 characters each, pass the size limit: a problem with a request id, not Kestrel's empty 431.
        await GatewayFixture.ProblemOf(
            await WithHeaders(900, new string('v', 40)),
            HttpStatusCode.RequestHeaderFieldsTooLarge
        );
        Assert.Equal(before + 1, _.Backend.Received.Count);
    }

    [Fact]
    public async Task Headers_that_leave_no_room_for_the_forwarded_ones_are_a_431_problem_at_the_edge()
    {
        // Within the size limit and Kestrel's count, but the service's Kestrel would not read them with the gateway's
        // X-Forwarded-* and X-Request-Id added.
        var before = _.Backend.Received.Count;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        for (var i = 0; i < 1021; i++)
            request.Headers.TryAddWithoutValidation($"X-{i}", "1");

        var response = await _.Client.SendAsync(request);

        var problem = await GatewayFixture.ProblemOf(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("request_id").GetString()));
        Assert.Equal(before, _.Backend.Received.Count);
    }

    [Fact]
    public async Task Lines_of_one_repeated_header_count_with_their_name_each()
    {
        // 900 lines of one name (a client library would join them into one): sent raw.
        var address = _.Client.BaseAddress!;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        var request = new StringBuilder($"GET /api/v1/events HTTP/1.1\r\nHost: {address.Authority}\r\n");
        for (var i = 0; i < 900; i++)
            request.Append("X-Same: ").Append('v', 30).Append("\r\n");
        request.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var answer = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 431", answer);
        Assert.Contains("application/problem+json", answer);
    }
}
