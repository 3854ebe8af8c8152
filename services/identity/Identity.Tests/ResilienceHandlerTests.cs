using System.Net;
using Community.ServiceDefaults.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Community.Identity.Tests;

/// <summary>ServiceDefaults' outgoing-HTTP resilience against a real flaky server on loopback.</summary>
public sealed class ResilienceHandlerTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private int _calls;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        // Fails twice with 503, then succeeds; counts every call.
        _server.Map("/flaky", (HttpContext _) => Interlocked.Increment(ref _calls) <= 2 ? Results.StatusCode(503) : Results.Ok("fine"));
        await _server.StartAsync();
        _client = new HttpClient(new ResilienceHandler { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = new Uri(_server.Urls.First()) };
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
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task Unsafe_requests_are_sent_once()
    {
        var response = await _client.PostAsync("/flaky", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task Requests_with_an_idempotency_key_are_retried()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/flaky") { Content = new StringContent("{}") };
        request.Headers.Add("Idempotency-Key", "payment-123");
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _calls);
    }
}
