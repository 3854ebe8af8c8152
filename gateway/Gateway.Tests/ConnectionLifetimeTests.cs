using Community.Contracts;
using Microsoft.Extensions.Configuration;

namespace Community.Gateway.Tests;

/// <summary>
/// One address for a service, as behind a Kubernetes Service: the gateway's connections to it take new requests for
/// <see cref="GatewayProxyConfig.ConnectionLifetimeKey"/> only, so that a new connection (and the pod it lands on) is
/// chosen again now and then.
/// </summary>
public sealed class ConnectionLifetimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    private readonly TestTokens _tokens = new();
    private FakeBackend _service = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeBackend.StartAsync(_tokens);
        var address = _service.BaseAddress.ToString().TrimEnd('/');
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = address,
                [$"Services:{ResourceNames.Messaging}"] = address,
                [GatewayProxyConfig.ConnectionLifetimeKey] = Lifetime.TotalSeconds.ToString(),
            }
        );
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _service.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task A_connection_to_a_service_is_reused_within_its_lifetime_and_replaced_after_it()
    {
        var token = _tokens.Issue();
        var first = await ConnectionOfAsync(token);
        Assert.Equal(first, await ConnectionOfAsync(token));

        await Task.Delay(Lifetime * 1.5);

        Assert.NotEqual(first, await ConnectionOfAsync(token));
    }

    [Fact]
    public void Connections_are_replaced_every_minute_unless_configured()
    {
        var configuration = new ConfigurationBuilder().Build();
        Assert.Equal(TimeSpan.FromMinutes(1), GatewayProxyConfig.ConnectionLifetime(configuration));
    }

    /// <summary>The id of the service's connection a GET through the gateway arrived on.</summary>
    private async Task<string> ConnectionOfAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>(FakeBackend.Json);
        return Assert.IsType<EchoedRequest>(echoed).Connection;
    }

    private const string Path = "/api/v1/messages/unread-count";
}
