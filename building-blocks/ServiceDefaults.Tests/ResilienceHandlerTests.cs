using System.Net;
using Community.ServiceDefaults.Http;
using Community.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Tests;

/// <summary>A flaky upstream: fails twice with 503, then succeeds; records every call's method.</summary>
public sealed class FlakyServer : FakeHttpServer<string>
{
    private FlakyServer() { }

    public static async Task<FlakyServer> StartAsync()
    {
        var server = new FlakyServer();
        await server.StartServerAsync();
        return server;
    }

    protected override void Map(WebApplication app) => app.Map("/flaky", (HttpContext context) =>
    {
        Record(context.Request.Method);
        return Received.Count <= 2 ? Results.StatusCode(503) : Results.Ok("fine");
    });
}

/// <summary>ServiceDefaults' outgoing-HTTP resilience against a real flaky server on loopback.</summary>
public sealed class ResilienceHandlerTests : IAsyncLifetime
{
    private FlakyServer _server = null!;
    private HttpClient _client = null!;

    private int Calls => _server.Received.Count;

    public async Task InitializeAsync()
    {
        _server = await FlakyServer.StartAsync();
        _client = new HttpClient(new ResilienceHandler { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = _server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
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
}
