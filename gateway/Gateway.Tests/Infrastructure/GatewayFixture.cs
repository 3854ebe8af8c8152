using System.Net.Http.Headers;
using System.Text.Json;
using Community.Contracts;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>
/// One fake backend and one gateway per test class: identity, messaging and events point at the
/// backend, payments at a dead port, social and ai-companion have no address.
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public TestTokens Tokens { get; } = new();
    public FakeBackend Backend { get; private set; } = null!;
    public GatewayHost Gateway { get; private set; } = null!;
    public HttpClient Client => Gateway.Client;

    protected virtual void Configure(IDictionary<string, string?> settings) { }

    public async Task InitializeAsync()
    {
        Backend = await FakeBackend.StartAsync(Tokens);
        var backend = Backend.BaseAddress.ToString().TrimEnd('/');
        var settings = new Dictionary<string, string?>
        {
            [$"Services:{ResourceNames.Identity}"] = backend,
            [$"Services:{ResourceNames.Messaging}"] = backend,
            [$"Services:{ResourceNames.Events}"] = backend,
            [$"Services:{ResourceNames.Payments}"] = GatewayHost.DeadAddress(),
        };
        Configure(settings);
        Gateway = GatewayHost.Start(settings);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
        Tokens.Dispose();
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? token = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null) =>
        Client.SendAsync(Request(method, path, token));

    public static async Task<EchoedRequest> EchoOf(HttpResponseMessage response)
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EchoedRequest>(FakeBackend.Json))!;
    }

    /// <summary>Asserts an RFC 9457 problem with the given status and returns its JSON.</summary>
    public static async Task<JsonElement> ProblemOf(HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
