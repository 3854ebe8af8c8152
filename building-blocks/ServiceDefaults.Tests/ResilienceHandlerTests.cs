using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// A flaky upstream: /flaky fails twice with 503, then succeeds; /down always answers 503; /slow answers after a
/// few seconds. Records every call's method and path.
/// </summary>
public sealed class FlakyServer : FakeHttpServer<string>
{
    private FlakyServer() { }

    public static async Task<FlakyServer> StartAsync()
    {
        var server = new FlakyServer();
        await server.StartServerAsync();
        return server;
    }

    protected override void Map(WebApplication app)
    {
        app.Map(
            "/flaky",
            (HttpContext context) =>
            {
                Record(context.Request.Method);
                return Received.Count(r => !r.Contains(' ')) <= 2 ? Results.StatusCode(503) : Results.Ok("fine");
            }
        );
        app.Map(
            "/down",
            (HttpContext context) =>
            {
                Record(context.Request.Method + " /down");
                return Results.StatusCode(503);
            }
        );
        app.Map(
            "/slow",
            async (HttpContext context, CancellationToken token) =>
            {
                Record(context.Request.Method + " /slow");
                await Task.Delay(TimeSpan.FromSeconds(3), token);
                return Results.Ok("late");
            }
        );
    }
}

/// <summary>
/// ServiceDefaults' outgoing-HTTP resilience (the library's standard handler on every factory client, with the
/// platform's rules) through a real IHttpClientFactory client against a real flaky server on loopback.
/// </summary>
public sealed class ResilienceHandlerTests : IAsyncLifetime
{
    private FlakyServer _server = null!;
    private HttpClient _client = null!;

    private int Calls => _server.Received.Count;

    private int CallsTo(string path) => _server.Received.Count(r => r.EndsWith(" " + path, StringComparison.Ordinal));

    public async Task InitializeAsync()
    {
        _server = await FlakyServer.StartAsync();
        _client = Client([]);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A named client from the factory that AddServiceDefaults configures, with these settings.</summary>
    private HttpClient Client(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.Services.AddHttpClient("upstream", c => c.BaseAddress = _server.BaseAddress);
        var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IHttpClientFactory>().CreateClient("upstream");
    }

    [Fact]
    public async Task Safe_requests_are_retried_through_transient_failures()
    {
        var response = await _client.GetAsync("/flaky");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Calls);
    }

    [Fact]
    public async Task Unsafe_requests_are_sent_once()
    {
        var response = await _client.PostAsync("/flaky", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, Calls);
    }

    [Fact]
    public async Task Requests_with_an_idempotency_key_are_retried()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/flaky") { Content = new StringContent("{}") };
        request.Headers.Add("Idempotency-Key", "payment-123");
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Calls);
    }

    [Fact]
    public async Task The_breaker_opens_after_failures_and_then_nothing_reaches_the_upstream()
    {
        using var client = Client(
            new()
            {
                ["Http:Resilience:CircuitBreaker:MinimumThroughput"] = "4",
                ["Http:Resilience:CircuitBreaker:BreakDuration"] = "00:01:00",
                ["Http:Resilience:Retry:Delay"] = "00:00:00.010",
            }
        );
        // one GET is four failed attempts (three retries): the breaker opens under them
        await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
        {
            for (var i = 0; i < 3; i++)
                (await client.GetAsync("/down")).Dispose();
        });
        var reached = CallsTo("/down");

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.PostAsync("/down", new StringContent("{}")));
        Assert.Equal(reached, CallsTo("/down"));
    }

    [Fact]
    public async Task A_safe_attempt_that_takes_too_long_is_cut_and_tried_again()
    {
        using var client = Client(
            new()
            {
                ["Http:Resilience:AttemptTimeout:Timeout"] = "00:00:01",
                ["Http:Resilience:TotalRequestTimeout:Timeout"] = "00:01:00",
                ["Http:Resilience:Retry:MaxRetryAttempts"] = "2",
                ["Http:Resilience:Retry:Delay"] = "00:00:00.010",
            }
        );
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetAsync("/slow"));
        Assert.Equal(3, CallsTo("/slow"));
    }

    [Fact]
    public async Task An_unsafe_request_has_the_total_timeout_only_and_is_sent_once()
    {
        using var client = Client(
            new()
            {
                ["Http:Resilience:AttemptTimeout:Timeout"] = "00:00:01",
                ["Http:Resilience:TotalRequestTimeout:Timeout"] = "00:01:00",
            }
        );
        var response = await client.PostAsync("/slow", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, CallsTo("/slow"));
    }
}
