using StackExchange.Redis;

namespace Community.Gateway.Tests;

/// <summary>Two instances sharing a per-address window large enough to be taken in blocks.</summary>
public sealed class BlockWindowGatewaysFixture : TwoGatewaysFixture
{
    public const int Window = 200;

    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["RateLimits:PerIp:PermitLimit"] = Window.ToString();
}

public sealed class SharedRateLimitBlockTests(BlockWindowGatewaysFixture fixture)
    : IClassFixture<BlockWindowGatewaysFixture>,
        IAsyncLifetime
{
    private const string Path = "/api/v1/auth/external/providers";
    private readonly BlockWindowGatewaysFixture _ = fixture;
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(_.RedisConnectionString);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private Task<HttpResponseMessage> Send(GatewayHost via, string from) =>
        TwoGatewaysFixture.SendAsync(via, HttpMethod.Get, Path, from);

    // What the instances together have taken from an address's window.
    private async Task<long> Taken(string from) =>
        (long)await _redis.GetDatabase().StringGetAsync(_.RedisKeyPrefix + "ip:" + from);

    [Fact]
    public async Task Far_from_its_limit_an_instance_takes_a_block_of_the_window_and_spends_it_without_counting_again()
    {
        const string from = "192.0.2.50";
        Assert.Equal(HttpStatusCode.OK, (await Send(_.First, from)).StatusCode);
        // A 32nd of what is left: 200 / 32.
        Assert.Equal(6, await Taken(from));

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await Send(_.First, from)).StatusCode);
        Assert.Equal(6, await Taken(from));

        // The block spent, the next request takes another: a 32nd of the 194 left.
        Assert.Equal(HttpStatusCode.OK, (await Send(_.First, from)).StatusCode);
        Assert.Equal(12, await Taken(from));
        // The other instance takes its own: a 32nd of the 188 left.
        Assert.Equal(HttpStatusCode.OK, (await Send(_.Second, from)).StatusCode);
        Assert.Equal(17, await Taken(from));
    }

    [Fact]
    public async Task A_request_under_a_policy_spends_one_permit_of_the_callers_window_not_two()
    {
        const string from = "192.0.2.55";
        Assert.Equal(HttpStatusCode.OK, (await Send(_.First, from)).StatusCode);
        Assert.Equal(6, await Taken(from));

        // Sign-ins: their policy is counted in Redis, so the middleware asks the caller's window twice for each.
        for (var i = 0; i < 2; i++)
            Assert.NotEqual(
                HttpStatusCode.TooManyRequests,
                (await TwoGatewaysFixture.SendAsync(_.First, HttpMethod.Post, "/api/v1/auth/login", from)).StatusCode
            );
        // A third is refused by its policy; like any request the caller sent, it spent one permit.
        await TwoGatewaysFixture.AssertRefused(
            await TwoGatewaysFixture.SendAsync(_.First, HttpMethod.Post, "/api/v1/auth/login", from)
        );
        Assert.Equal(6, await Taken(from));

        // Of the block of six: one read and three sign-ins, so two reads are left before another block is taken.
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await Send(_.First, from)).StatusCode);
        Assert.Equal(6, await Taken(from));
        Assert.Equal(HttpStatusCode.OK, (await Send(_.First, from)).StatusCode);
        Assert.Equal(12, await Taken(from));
    }

    [Fact]
    public async Task Two_instances_admit_exactly_the_window_and_refuse_the_rest_until_it_ends_without_asking_redis()
    {
        const string from = "192.0.2.60";
        var admitted = 0;
        for (var i = 0; i < 300; i++)
        {
            var response = await Send(_.Instance(i), from);
            if (response.StatusCode == HttpStatusCode.OK)
                admitted++;
            else
                await TwoGatewaysFixture.AssertRefused(response);
        }

        // Never more than the window, and nothing a block held was lost: both instances spent what they took.
        Assert.Equal(BlockWindowGatewaysFixture.Window, admitted);
        Assert.Equal(BlockWindowGatewaysFixture.Window, await Taken(from));

        // A spent window is refused by each instance until it ends, without a count in Redis: were it asked, the
        // window removed there would admit again.
        Assert.True(await _redis.GetDatabase().KeyDeleteAsync(_.RedisKeyPrefix + "ip:" + from));
        await TwoGatewaysFixture.AssertRefused(await Send(_.First, from));
        await TwoGatewaysFixture.AssertRefused(await Send(_.Second, from));
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(_.RedisKeyPrefix + "ip:" + from));
    }

    [Fact]
    public async Task Concurrent_requests_on_both_instances_never_admit_more_than_the_window()
    {
        const string from = "192.0.2.70";
        var answers = await Task.WhenAll(
            Enumerable.Range(0, 400).Select(async i => (await Send(_.Instance(i), from)).StatusCode)
        );

        Assert.Equal(BlockWindowGatewaysFixture.Window, answers.Count(a => a == HttpStatusCode.OK));
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.OK or (HttpStatusCode)429, $"{a}"));
        Assert.Equal(BlockWindowGatewaysFixture.Window, await Taken(from));
    }
}
