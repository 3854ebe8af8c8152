using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Gateway.Tests;

/// <summary>
/// A gateway started while identity's revocation feed cannot be read is not ready (it would pass tokens revoked in
/// the last minutes), and becomes ready once the feed answers.
/// </summary>
public sealed class RevocationReadinessTests
{
    private sealed class SwitchedSource : IRevocationSource
    {
        public volatile bool Answers;

        public Task<RevocationPage> ReadAsync(long after, CancellationToken cancellationToken) =>
            Answers
                ? Task.FromResult(new RevocationPage([], after))
                : throw new HttpRequestException("identity is not answering");
    }

    [Fact]
    public async Task The_gateway_is_ready_only_once_it_has_read_the_revocation_feed()
    {
        using var tokens = new TestTokens();
        await using var backend = await FakeBackend.StartAsync(tokens);
        var source = new SwitchedSource();
        await using var gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = backend.BaseAddress.ToString().TrimEnd('/'),
                // A failing feed is an outage the gateway reports once; this test means it.
                ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = "None",
            },
            services => services.AddSingleton<IRevocationSource>(source)
        );

        // Several polls fail meanwhile: still not ready.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/health/live")).StatusCode);

        source.Answers = true;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            status = (await gateway.Client.GetAsync("/health/ready")).StatusCode;
        } while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
