using Community.LocalInfrastructure;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests.Auth;

/// <summary>With several identity instances listed, the feed is read from whichever answers.</summary>
public sealed class RevocationFeedFailoverTests
{
    private const string Key = "feed-key";

    private static async Task<WebApplication> FeedAsync(long cursor)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet(
            RevocationFeedOptions.FeedPath,
            (HttpRequest request) =>
                request.Headers[RevocationFeedOptions.KeyHeader] == Key
                    ? Results.Json(new { items = Array.Empty<object>(), cursor })
                    : Results.StatusCode(403)
        );
        await app.StartAsync();
        return app;
    }

    private static IRevocationSource Source(string identities)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
                new Dictionary<string, string?> { ["Services:identity"] = identities, ["Revocations:FeedKey"] = Key }
            )
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddRevocationFeed(TimeSpan.FromSeconds(1));
        return services.BuildServiceProvider().GetRequiredService<IRevocationSource>();
    }

    [Fact]
    public async Task A_dead_first_instance_is_passed_over_and_the_next_one_read()
    {
        await using var alive = await FeedAsync(cursor: 42);
        var source = Source($"http://127.0.0.1:{LoopbackPorts.Take()};{alive.Urls.First()}");
        Assert.Equal(42, (await source.ReadAsync(0, CancellationToken.None)).Cursor);
        // Read again: the instance that answered is asked first.
        Assert.Equal(42, (await source.ReadAsync(42, CancellationToken.None)).Cursor);
    }

    [Fact]
    public async Task With_every_instance_down_the_read_fails()
    {
        var source = Source($"http://127.0.0.1:{LoopbackPorts.Take()};http://127.0.0.1:{LoopbackPorts.Take()}");
        await Assert.ThrowsAsync<HttpRequestException>(() => source.ReadAsync(0, CancellationToken.None));
    }

    [Fact]
    public async Task With_the_platforms_http_defaults_a_dead_instance_is_asked_once_and_nothing_is_logged()
    {
        await using var alive = await FeedAsync(cursor: 7);
        await using var dead = new ResettingListener();
        var logs = new LogCapture();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["Services:identity"] = $"{dead.Address};{alive.Urls.First()}",
                ["Revocations:FeedKey"] = Key,
            }
        );
        builder.AddServiceDefaults();
        builder.Logging.AddProvider(logs);
        builder.Services.AddRevocationFeed(TimeSpan.FromSeconds(1));
        await using var app = builder.Build();

        var page = await app.Services.GetRequiredService<IRevocationSource>().ReadAsync(0, CancellationToken.None);

        Assert.Equal(7, page.Cursor);
        Assert.Equal(1, dead.Accepted);
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
    }
}
