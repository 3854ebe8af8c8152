using Community.Contracts;
using Community.LocalInfrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Community.Gateway.Tests;

/// <summary>
/// Two gateway instances whose rate limits live in one Redis, as behind a load balancer (the test client plays
/// the ingress controller, a trusted proxy, so each request names its address). Hour-long windows.
/// </summary>
public class TwoGatewaysFixture : IAsyncLifetime
{
    public const int PerIp = 4;
    public const int PerUser = 4;
    public const int PerAddress = 2;
    public const int Ceiling = 5;
    public const string WindowsLog = "Community.Gateway.SharedRateLimitWindows";

    public TestTokens Tokens { get; } = new();
    public FakeBackend Backend { get; private set; } = null!;
    public GatewayHost First { get; private set; } = null!;
    public GatewayHost Second { get; private set; } = null!;
    public LogCapture FirstLogs { get; } = new();
    public LogCapture SecondLogs { get; } = new();

    /// <summary>Requests alternate between the instances: the i-th goes to this one.</summary>
    public GatewayHost Instance(int i) => i % 2 == 0 ? First : Second;

    protected virtual async Task<string> StartRedisAsync() => (await TestInfrastructure.RedisAsync()).ConnectionString;

    protected virtual ValueTask StopRedisAsync() => ValueTask.CompletedTask;

    /// <summary>Settings of both instances beyond the fixture's, applied last.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings) { }

    /// <summary>The Redis both instances count in, and where their windows' keys start.</summary>
    public string RedisConnectionString { get; private set; } = "";
    public string RedisKeyPrefix { get; } = $"gw_{Guid.NewGuid():N}:";

    public async Task InitializeAsync()
    {
        Backend = await FakeBackend.StartAsync(Tokens);
        var backend = Backend.BaseAddress.ToString().TrimEnd('/');
        var settings = new Dictionary<string, string?>
        {
            [$"Services:{ResourceNames.Identity}"] = backend,
            [$"Services:{ResourceNames.Events}"] = backend,
            [$"Services:{ResourceNames.Messaging}"] = backend,
            [$"ConnectionStrings:{ResourceNames.Redis}"] = RedisConnectionString = await StartRedisAsync(),
            ["RateLimits:RedisKeyPrefix"] = RedisKeyPrefix,
            ["RateLimits:InvalidTokens:RedisKeyPrefix"] = $"gw_{Guid.NewGuid():N}:invalid-tokens:",
            ["Http:TrustedNetworks:0"] = "127.0.0.1",
            [$"Logging:LogLevel:{WindowsLog}"] = "Information",
            ["RateLimits:PerIp:PermitLimit"] = PerIp.ToString(),
            ["RateLimits:PerIp:WindowSeconds"] = "3600",
            ["RateLimits:PerUser:PermitLimit"] = PerUser.ToString(),
            ["RateLimits:PerUser:WindowSeconds"] = "3600",
        };
        foreach (var policy in new[] { "Registrations", "Password", "Login", "Uploads" })
        {
            settings[$"RateLimits:{policy}:PermitLimit"] = PerAddress.ToString();
            settings[$"RateLimits:{policy}:WindowSeconds"] = "3600";
        }
        foreach (var ceiling in new[] { "RegistrationsCeiling", "LoginCeiling" })
        {
            settings[$"RateLimits:{ceiling}:PermitLimit"] = Ceiling.ToString();
            settings[$"RateLimits:{ceiling}:WindowSeconds"] = "3600";
        }
        settings["RateLimits:CeilingSpares"] = "1";
        Configure(settings);
        First = GatewayHost.Start(settings, services => services.AddSingleton<ILoggerProvider>(FirstLogs));
        Second = GatewayHost.Start(settings, services => services.AddSingleton<ILoggerProvider>(SecondLogs));
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await Backend.DisposeAsync();
        await StopRedisAsync();
        Tokens.Dispose();
    }

    public static Task<HttpResponseMessage> SendAsync(
        GatewayHost instance,
        HttpMethod method,
        string path,
        string from,
        string? token = null
    )
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-For", from);
        if (token is not null)
            request.Headers.Authorization = new("Bearer", token);
        return instance.Client.SendAsync(request);
    }

    public static async Task AssertRefused(HttpResponseMessage response)
    {
        await GatewayFixture.ProblemOf(response, (HttpStatusCode)429);
        Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single()) > 0);
    }
}

public sealed class SharedRateLimitTests(TwoGatewaysFixture fixture) : IClassFixture<TwoGatewaysFixture>
{
    private readonly TwoGatewaysFixture _ = fixture;

    private static Task<HttpResponseMessage> Send(
        GatewayHost via,
        HttpMethod method,
        string path,
        string from,
        string? token = null
    ) => TwoGatewaysFixture.SendAsync(via, method, path, from, token);

    private static Task Refused(HttpResponseMessage response) => TwoGatewaysFixture.AssertRefused(response);

    [Fact]
    public async Task Two_instances_spend_one_window_per_address()
    {
        const string path = "/api/v1/auth/external/providers";
        for (var i = 0; i < TwoGatewaysFixture.PerIp; i++)
            Assert.Equal(HttpStatusCode.OK, (await Send(_.Instance(i), HttpMethod.Get, path, "192.0.2.10")).StatusCode);

        // Each instance saw half the limit, and both refuse: the window is one.
        await Refused(await Send(_.First, HttpMethod.Get, path, "192.0.2.10"));
        await Refused(await Send(_.Second, HttpMethod.Get, path, "192.0.2.10"));
        Assert.Equal(HttpStatusCode.OK, (await Send(_.Second, HttpMethod.Get, path, "192.0.2.11")).StatusCode);
    }

    [Fact]
    public async Task Two_instances_spend_one_window_per_user()
    {
        var busy = _.Tokens.Issue(subject: Guid.NewGuid().ToString());
        for (var i = 0; i < TwoGatewaysFixture.PerUser; i++)
        {
            var from = $"192.0.2.{20 + i}"; // whatever their address
            Assert.Equal(
                HttpStatusCode.OK,
                (await Send(_.Instance(i), HttpMethod.Get, "/api/v1/events", from, busy)).StatusCode
            );
        }

        await Refused(await Send(_.First, HttpMethod.Get, "/api/v1/events", "192.0.2.30", busy));
        var other = _.Tokens.Issue(subject: Guid.NewGuid().ToString());
        Assert.Equal(
            HttpStatusCode.OK,
            (await Send(_.Second, HttpMethod.Get, "/api/v1/events", "192.0.2.30", other)).StatusCode
        );
    }

    [Fact]
    public async Task Two_instances_spend_one_upload_window_per_user_each_a_key_of_its_own()
    {
        var memberId = Guid.NewGuid();
        var member = _.Tokens.Issue(subject: memberId.ToString());
        for (var i = 0; i < TwoGatewaysFixture.PerAddress; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (
                    await Send(
                        _.Instance(i),
                        HttpMethod.Post,
                        $"/api/v1/events/{Guid.NewGuid()}/photos",
                        "192.0.2.40",
                        member
                    )
                ).StatusCode
            );
        await Refused(
            await Send(
                _.Second,
                HttpMethod.Post,
                $"/api/v1/conversations/{Guid.NewGuid()}/attachments",
                "192.0.2.41",
                member
            )
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await Send(_.First, HttpMethod.Post, "/api/v1/auth/password/forgot", "192.0.2.42")).StatusCode
        );

        // A policy without a ceiling keys each caller's window as a hash tag of its own (spread over cluster slots).
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_.RedisConnectionString);
        var keys = redis.GetDatabase();
        Assert.True(await keys.KeyExistsAsync($"{_.RedisKeyPrefix}{{uploads:user:{memberId}}}"));
        Assert.True(await keys.KeyExistsAsync($"{_.RedisKeyPrefix}{{password:ip:192.0.2.42}}"));
    }

    [Theory]
    [InlineData("/api/v1/auth/login", 10)]
    [InlineData("/api/v1/auth/register", 20)]
    public async Task The_ceiling_holds_across_addresses_and_instances_and_refusals_never_spend_it(
        string path,
        int subnet
    )
    {
        // One address spends its own limit over both instances; what that limit refuses never reaches the ceiling.
        var noisy = $"198.51.{subnet}.1";
        for (var i = 0; i < TwoGatewaysFixture.PerAddress; i++)
            Assert.Equal(HttpStatusCode.OK, (await Send(_.Instance(i), HttpMethod.Post, path, noisy)).StatusCode);
        for (var i = 0; i < 2; i++)
            await Refused(await Send(_.Instance(i), HttpMethod.Post, path, noisy));

        // So the ceiling still has room for the rest, from rotating addresses on either instance, and no more.
        for (var i = 0; i < TwoGatewaysFixture.Ceiling - TwoGatewaysFixture.PerAddress; i++)
        {
            var response = await Send(_.Instance(i), HttpMethod.Post, path, $"198.51.{subnet}.{10 + i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Spent, it admits only each newcomer's first request in its window, whichever instance counts the next.
        foreach (var (first, then, address) in new[] { (_.First, _.Second, 200), (_.Second, _.First, 201) })
        {
            var from = $"198.51.{subnet + address - 200}.{address}";
            Assert.Equal(HttpStatusCode.OK, (await Send(first, HttpMethod.Post, path, from)).StatusCode);
            await Refused(await Send(then, HttpMethod.Post, path, from));
        }
        // As many spared as the ceiling in all, over both instances; then newcomers are held back too, though each is
        // in a network of its own.
        for (var i = 2; i < TwoGatewaysFixture.Ceiling; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await Send(_.Instance(i), HttpMethod.Post, path, $"198.51.{subnet + i}.{210 + i}")).StatusCode
            );
        await Refused(await Send(_.First, HttpMethod.Post, path, $"198.51.{subnet + 5}.220"));
        await Refused(await Send(_.Second, HttpMethod.Post, path, $"198.51.{subnet + 6}.221"));
        // The ceiling is per route.
        Assert.Equal(
            HttpStatusCode.OK,
            (await Send(_.Second, HttpMethod.Post, "/api/v1/auth/password/forgot", $"198.51.{subnet}.202")).StatusCode
        );
    }
}

/// <summary>
/// Two gateway instances sharing a ceiling whose spares outnumber one network's share of them (a /48 of IPv6, a /24
/// of IPv4).
/// </summary>
public sealed class NetworkSparesGatewaysFixture : TwoGatewaysFixture
{
    public new const int Ceiling = 8;
    public const int SparesPerNetwork = 2;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        foreach (var ceiling in new[] { "RegistrationsCeiling", "LoginCeiling" })
            settings[$"RateLimits:{ceiling}:PermitLimit"] = Ceiling.ToString();
        settings["RateLimits:CeilingSparesPerNetwork"] = SparesPerNetwork.ToString();
    }
}

public sealed class SharedNetworkSparesTests(NetworkSparesGatewaysFixture fixture)
    : IClassFixture<NetworkSparesGatewaysFixture>
{
    private readonly NetworkSparesGatewaysFixture _ = fixture;

    private static Task<HttpResponseMessage> Post(GatewayHost via, string path, string from) =>
        TwoGatewaysFixture.SendAsync(via, HttpMethod.Post, path, from);

    [Theory]
    [InlineData("/api/v1/auth/login", "login", 10)]
    [InlineData("/api/v1/auth/register", "registrations", 20)]
    public async Task One_network_has_only_its_share_of_the_spares_over_both_instances(
        string path,
        string policy,
        int site
    )
    {
        for (var i = 0; i < NetworkSparesGatewaysFixture.Ceiling; i++)
            Assert.Equal(HttpStatusCode.OK, (await Post(_.Instance(i), path, $"192.0.{site}.{i}")).StatusCode);

        // Many /64s of one /48 (a home's /56 holds 256), and many addresses of one /24, over either instance: their
        // first requests pass up to the network's share, not until the spares are spent.
        foreach (var addresses in NetworkFloods.Of(site))
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < addresses.Length; i++)
                statuses.Add((await Post(_.Instance(i), path, addresses[i])).StatusCode);
            Assert.Equal(NetworkFloods.Answers(NetworkSparesGatewaysFixture.SparesPerNetwork), statuses);
        }

        // So someone signing in once from another network still passes, on either instance.
        Assert.Equal(HttpStatusCode.OK, (await Post(_.First, path, $"2001:db8:{site + 1}::1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(_.Second, path, $"198.51.{site + 1}.1")).StatusCode);

        // The network's count is kept in the policy's hash tag, in the cluster slot of its ceiling.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_.RedisConnectionString);
        var network = $"{_.RedisKeyPrefix}{{{policy}}}:net:198.51.{site}.0/24:spared";
        Assert.Equal(NetworkFloods.Size, (long)await redis.GetDatabase().StringGetAsync(network));
    }
}

/// <summary>Two gateway instances on a Redis of the fixture's own, which the test stops and starts.</summary>
public sealed class RedisOutageGatewaysFixture : TwoGatewaysFixture
{
    public RedisServer Redis { get; private set; } = null!;

    protected override async Task<string> StartRedisAsync()
    {
        Redis = await TestInfrastructure.StartPrivateRedisAsync();
        return Redis.ConnectionString;
    }

    protected override ValueTask StopRedisAsync() => Redis.DisposeAsync();
}

public sealed class RedisOutageRateLimitTests(RedisOutageGatewaysFixture fixture)
    : IClassFixture<RedisOutageGatewaysFixture>
{
    private readonly RedisOutageGatewaysFixture _ = fixture;

    private static Task<HttpResponseMessage> Send(
        GatewayHost via,
        HttpMethod method,
        string path,
        string from,
        string? token = null
    ) => TwoGatewaysFixture.SendAsync(via, method, path, from, token);

    private static Task Refused(HttpResponseMessage response) => TwoGatewaysFixture.AssertRefused(response);

    [Fact]
    public async Task While_redis_is_down_each_instance_limits_alone_and_once_it_is_back_they_share_one_window_again()
    {
        const string path = "/api/v1/auth/external/providers";
        await _.Redis.StopAsync();
        try
        {
            // Not "no limit": each instance counts the address alone, and nothing fails.
            foreach (var instance in new[] { _.First, _.Second })
            {
                for (var i = 0; i < TwoGatewaysFixture.PerIp; i++)
                    Assert.Equal(
                        HttpStatusCode.OK,
                        (await Send(instance, HttpMethod.Get, path, "203.0.113.1")).StatusCode
                    );
                await Refused(await Send(instance, HttpMethod.Get, path, "203.0.113.1"));
            }
            for (var i = 0; i < TwoGatewaysFixture.PerAddress; i++)
                Assert.Equal(
                    HttpStatusCode.OK,
                    (await Send(_.First, HttpMethod.Post, "/api/v1/auth/login", "203.0.113.2")).StatusCode
                );
            await Refused(await Send(_.First, HttpMethod.Post, "/api/v1/auth/login", "203.0.113.2"));
        }
        finally
        {
            await _.Redis.StartAsync();
        }

        // Redis restarted empty; once both instances count there again, a fresh address's window is one again.
        var attempt = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                var from = $"203.0.113.{100 + ++attempt}";
                for (var i = 0; i < TwoGatewaysFixture.PerIp; i++)
                    Assert.Equal(HttpStatusCode.OK, (await Send(_.Instance(i), HttpMethod.Get, path, from)).StatusCode);
                var fifth = await Send(_.First, HttpMethod.Get, path, from);
                Assert.True(fifth.StatusCode is HttpStatusCode.OK or (HttpStatusCode)429, $"{fifth.StatusCode}");
                return fifth.StatusCode == (HttpStatusCode)429;
            },
            "the instances never shared one window again after Redis came back",
            TimeSpan.FromSeconds(90)
        );

        // One warning per instance for the outage, one note when Redis answered again: no log per request.
        foreach (var logs in new[] { _.FirstLogs, _.SecondLogs })
        {
            Assert.Single(logs.Of(TwoGatewaysFixture.WindowsLog, LogLevel.Warning));
            Assert.Single(logs.Of(TwoGatewaysFixture.WindowsLog, LogLevel.Information));
        }
    }
}

/// <summary>A gateway whose Redis never answers (nothing listens there), with one-second windows.</summary>
public sealed class UnreachableRedisFixture : GatewayFixture
{
    public const int Limit = 2;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings[$"ConnectionStrings:{ResourceNames.Redis}"] = new Uri(GatewayHost.DeadAddress()).Authority;
        settings["RateLimits:PerIp:PermitLimit"] = Limit.ToString();
        settings["RateLimits:PerIp:WindowSeconds"] = "1";
    }
}

public sealed class UnreachableRedisRateLimitTests(UnreachableRedisFixture fixture)
    : IClassFixture<UnreachableRedisFixture>
{
    private readonly UnreachableRedisFixture _ = fixture;

    [Fact]
    public async Task Without_redis_from_the_start_the_instance_limits_in_memory_and_its_windows_replenish()
    {
        // One-second windows: tried again should a window end between the requests.
        HttpResponseMessage? refused = null;
        await Eventually.TrueAsync(
            async () =>
            {
                for (var i = 0; i < UnreachableRedisFixture.Limit; i++)
                    await _.SendAsync(HttpMethod.Get, "/api/v1/auth/external/providers");
                refused = await _.SendAsync(HttpMethod.Get, "/api/v1/auth/external/providers");
                return refused.StatusCode == (HttpStatusCode)429;
            },
            "the instance never limited while Redis was unreachable"
        );
        await TwoGatewaysFixture.AssertRefused(refused!);

        // The in-memory window ends like any other: nothing stays refused for the length of an outage.
        await Eventually.TrueAsync(
            async () =>
                (await _.SendAsync(HttpMethod.Get, "/api/v1/auth/external/providers")).StatusCode == HttpStatusCode.OK,
            "the in-memory window never replenished"
        );
    }
}
