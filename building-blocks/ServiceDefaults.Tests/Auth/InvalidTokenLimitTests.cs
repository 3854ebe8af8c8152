using System.Collections.Concurrent;
using System.Net;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Community.ServiceDefaults.Tests.Auth;

/// <summary>
/// Refused tokens counted per address across a service's instances: two instances on one Redis share the window;
/// without Redis, or while it is unreachable, each counts alone (one warning per outage).
/// </summary>
public sealed class InvalidTokenLimitTests
{
    private const string From = "203.0.113.5";

    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(
        TestTokens tokens,
        string? redis,
        string prefix,
        ILoggerProvider? logs = null,
        int windowSeconds = 3600
    )
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["Http:TrustedNetworks:0"] = "127.0.0.1",
                ["RateLimits:InvalidTokens:PermitLimit"] = "3",
                ["RateLimits:InvalidTokens:ExpiredPermitLimit"] = "6",
                ["RateLimits:InvalidTokens:WindowSeconds"] = windowSeconds.ToString(),
                ["RateLimits:InvalidTokens:RedisKeyPrefix"] = prefix,
                ["ConnectionStrings:redis"] = redis,
            }
        );
        builder.AddServiceDefaults();
        if (logs is not null)
            builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<ISigningKeySource>(tokens);
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapGet("/address", (HttpContext context) => ClientAddress.Of(context)).AllowAnonymous();
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.First()) });
    }

    private static async Task<HttpStatusCode> SendForgedAsync(HttpClient client, TestTokens tokens, string from = From)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/address");
        request.Headers.Add("Authorization", "Bearer " + tokens.Issue(subject: "not-a-user-id"));
        request.Headers.Add("X-Forwarded-For", from);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Two_instances_on_one_redis_share_the_count_of_an_address()
    {
        using var tokens = new TestTokens();
        var redis = (await TestInfrastructure.RedisAsync()).ConnectionString;
        var prefix = $"tests:{Guid.NewGuid():N}:";
        var (a, clientA) = await StartAsync(tokens, redis, prefix);
        var (b, clientB) = await StartAsync(tokens, redis, prefix);
        await using var _ = a;
        await using var __ = b;
        using var ___ = clientA;
        using var ____ = clientB;

        // three refusals in all, alternating: each instance alone would still allow three of its own
        Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(clientA, tokens));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(clientB, tokens));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(clientA, tokens));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SendForgedAsync(clientB, tokens));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SendForgedAsync(clientA, tokens));
        // another address has its own budget
        Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(clientB, tokens, "198.51.100.9"));
    }

    [Fact]
    public async Task Past_the_limit_an_address_is_refused_without_a_count_in_redis_until_its_window_ends()
    {
        using var tokens = new TestTokens();
        var redis = (await TestInfrastructure.RedisAsync()).ConnectionString;
        var prefix = $"tests:{Guid.NewGuid():N}:";
        var (app, client) = await StartAsync(tokens, redis, prefix, windowSeconds: 3);
        await using var _ = app;
        using var __ = client;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var counts = connection.GetDatabase();
        var key = prefix + From;

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(client, tokens));
        // the fourth is counted and answered spent; the instance remembers that and counts no more of them
        for (var i = 0; i < 10; i++)
            await AssertLimitedAsync(client, tokens);
        Assert.Equal(4, (long)await counts.StringGetAsync(key));

        // were Redis asked, the window removed there would let the next guess through to a 401
        Assert.True(await counts.KeyDeleteAsync(key));
        var retryAfter = await AssertLimitedAsync(client, tokens);
        Assert.False(await counts.KeyExistsAsync(key));

        // once the window has ended, a refused token is counted again
        await Task.Delay(retryAfter);
        Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(client, tokens));
        Assert.Equal(1, (long)await counts.StringGetAsync(key));
    }

    // A 429 problem with the time until the address's window ends.
    private static async Task<TimeSpan> AssertLimitedAsync(HttpClient client, TestTokens tokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/address");
        request.Headers.Add("Authorization", "Bearer " + tokens.Issue(subject: "not-a-user-id"));
        request.Headers.Add("X-Forwarded-For", From);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var retryAfter = Assert.IsType<TimeSpan>(response.Headers.RetryAfter?.Delta);
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        return retryAfter;
    }

    [Fact]
    public async Task Expired_tokens_the_platform_signed_get_401_past_the_limit_and_forged_ones_still_count()
    {
        using var tokens = new TestTokens();
        var (app, client) = await StartAsync(tokens, redis: null, $"tests:{Guid.NewGuid():N}:");
        await using var _ = app;
        using var __ = client;
        var now = DateTime.UtcNow;

        // more than the limit (3) from one address, each a different user's expired token: each a 401 to refresh on
        for (var i = 0; i < 5; i++)
        {
            var expired = tokens.Issue(notBefore: now.AddMinutes(-30), expires: now.AddMinutes(-5));
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(client, expired));
        }

        // an expired token signed by any other key is a guess, counted as before
        using var stranger = System.Security.Cryptography.ECDsa.Create(
            System.Security.Cryptography.ECCurve.NamedCurves.nistP256
        );
        string Forged() =>
            tokens.Issue(notBefore: now.AddMinutes(-30), expires: now.AddMinutes(-5), signWith: stranger);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(client, Forged()));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SendAsync(client, Forged()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_expired_token_replayed_from_one_address_gets_429_past_its_own_budget(bool shared)
    {
        using var tokens = new TestTokens();
        var redis = shared ? (await TestInfrastructure.RedisAsync()).ConnectionString : null;
        var (app, client) = await StartAsync(tokens, redis, $"tests:{Guid.NewGuid():N}:");
        await using var _ = app;
        using var __ = client;
        var now = DateTime.UtcNow;
        var expired = tokens.Issue(notBefore: now.AddMinutes(-30), expires: now.AddMinutes(-5));

        // past the invalid-token limit (3), up to the expired budget (6): each the 401 a client refreshes on
        for (var i = 0; i < 6; i++)
        {
            using var response = await SendAsync(client, expired, From);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("The token is invalid or expired.", await response.Content.ReadAsStringAsync());
        }
        using (var limited = await SendAsync(client, expired, From))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            Assert.InRange(
                Assert.IsType<TimeSpan>(limited.Headers.RetryAfter?.Delta),
                TimeSpan.FromSeconds(1),
                TimeSpan.FromHours(1)
            );
        }

        // another address: its expired token is a 401, its fresh one passes; forged ones keep their own count here
        using (var elsewhere = await SendAsync(client, expired, "198.51.100.9"))
            Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        using (var fresh = await SendAsync(client, tokens.Issue(), "198.51.100.9"))
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(client, tokens));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string token, string from)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/address");
        request.Headers.Add("Authorization", "Bearer " + token);
        request.Headers.Add("X-Forwarded-For", from);
        return await client.SendAsync(request);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/address");
        request.Headers.Add("Authorization", "Bearer " + token);
        request.Headers.Add("X-Forwarded-For", From);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task While_redis_is_unreachable_each_instance_counts_alone_with_one_warning()
    {
        using var tokens = new TestTokens();
        var logs = new Warnings();
        // a port where nothing listens
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var dead = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        var (app, client) = await StartAsync(tokens, dead, $"tests:{Guid.NewGuid():N}:", logs);
        await using var _ = app;
        using var __ = client;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SendForgedAsync(client, tokens));
            await Task.Delay(TimeSpan.FromSeconds(1.1)); // past the retry pause: Redis is tried, and fails, each time
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, await SendForgedAsync(client, tokens));
        Assert.Single(logs.Lines, l => l.Contains("Redis is unreachable", StringComparison.Ordinal));
    }

    private sealed class Warnings : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Queue { get; } = new();

        public IReadOnlyList<string> Lines => [.. Queue];

        public ILogger CreateLogger(string categoryName) =>
            categoryName == typeof(InvalidTokenLimit).FullName
                ? this
                : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            if (IsEnabled(logLevel))
                Queue.Enqueue(formatter(state, exception));
        }

        public void Dispose() { }
    }
}
