using System.Net;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// The address every per-address limit keys on: X-Forwarded-For counts only from a configured
/// proxy and only its last hop; refused tokens are limited per that address.
/// </summary>
public sealed class ClientAddressTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(
        Dictionary<string, string?> settings,
        TestTokens tokens
    )
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<ISigningKeySource>(tokens);
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapGet("/address", (HttpContext context) => ClientAddress.Of(context)).AllowAnonymous();
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.First()) });
    }

    private static async Task<string> AddressSeenAsync(HttpClient client, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/address");
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task By_default_no_sender_is_trusted_not_even_loopback()
    {
        using var tokens = new TestTokens();
        var (app, client) = await StartAsync([], tokens);
        await using var _ = app;
        using var __ = client;

        Assert.Equal("127.0.0.1", await AddressSeenAsync(client, "203.0.113.5"));
        Assert.Equal("127.0.0.1", await AddressSeenAsync(client, "198.51.100.9"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]
    public async Task A_configured_proxy_is_believed_for_its_last_hop_only(string trusted)
    {
        using var tokens = new TestTokens();
        var (app, client) = await StartAsync(new() { ["Http:TrustedNetworks:0"] = trusted }, tokens);
        await using var _ = app;
        using var __ = client;

        Assert.Equal("203.0.113.5", await AddressSeenAsync(client, "203.0.113.5"));
        // Entries before the last hop are whatever the client wrote: rotating them changes nothing.
        Assert.Equal("203.0.113.5", await AddressSeenAsync(client, "10.9.8.7, 203.0.113.5"));
        Assert.Equal("203.0.113.5", await AddressSeenAsync(client, "10.1.1.1, 203.0.113.5"));
    }

    [Fact]
    public async Task A_proxy_outside_the_trusted_networks_is_ignored()
    {
        using var tokens = new TestTokens();
        var (app, client) = await StartAsync(new() { ["Http:TrustedNetworks:0"] = "10.0.0.0/8" }, tokens);
        await using var _ = app;
        using var __ = client;

        Assert.Equal("127.0.0.1", await AddressSeenAsync(client, "203.0.113.5"));
    }

    [Fact]
    public async Task Refused_tokens_are_limited_per_address()
    {
        using var tokens = new TestTokens();
        var (app, client) = await StartAsync(
            new()
            {
                ["Http:TrustedNetworks:0"] = "127.0.0.1",
                ["RateLimits:InvalidTokens:PermitLimit"] = "2",
                ["RateLimits:InvalidTokens:WindowSeconds"] = "3600",
            },
            tokens
        );
        await using var _ = app;
        using var __ = client;

        Task<HttpResponseMessage> Send(string token, string from)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/address");
            request.Headers.Add("Authorization", "Bearer " + token);
            request.Headers.Add("X-Forwarded-For", from);
            return client.SendAsync(request);
        }

        var forged = tokens.Issue(subject: "not-a-user-id");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(forged, "203.0.113.5")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(forged, "203.0.113.5")).StatusCode);

        var refused = await Send(forged, "203.0.113.5");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);

        // Another address has its own budget; a valid token is never counted.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(forged, "198.51.100.9")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(tokens.Issue(Guid.NewGuid()), "203.0.113.5")).StatusCode);
    }

    [Theory]
    [InlineData("203.0.113.5", "203.0.113.5")]
    [InlineData("::ffff:203.0.113.5", "203.0.113.5")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::1")]
    public void An_ipv6_caller_is_keyed_by_its_64_so_rotating_within_it_changes_nothing(string ip, string key) =>
        Assert.Equal(key, ClientAddress.Key(IPAddress.Parse(ip)));

    [Theory]
    [InlineData("203.0.113.5", "203.0.113.0/24")]
    [InlineData("203.0.113.250", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.5", "203.0.113.0/24")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1::/48")]
    [InlineData("2001:db8:1:ff00::1", "2001:db8:1::/48")]
    [InlineData("2001:db8:2::1", "2001:db8:2::/48")]
    [InlineData("::1", "::1")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public void A_callers_network_is_the_24_of_an_ipv4_address_and_the_48_of_an_ipv6_one(string ip, string network) =>
        Assert.Equal(network, ClientAddress.Network(IPAddress.Parse(ip)));
}
