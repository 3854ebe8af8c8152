using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests.RealTime;

public sealed class QuietStartTests : IAsyncLifetime
{
    private readonly LogCapture _logs = new();
    private readonly TestClock _clock = new();
    private IsolatedResources _resources = null!;
    private TestTokens _tokens = null!;

    public async Task InitializeAsync()
    {
        _tokens = new TestTokens(_clock);
        _resources = await TestInfrastructure.IsolateAsync(nameof(QuietStartTests));
    }

    public async Task DisposeAsync()
    {
        await _resources.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task A_healthy_start_with_the_Redis_backplane_and_a_client_using_it_logs_no_real_time_warning()
    {
        await using var host = await HubHost.StartAsync(
            _resources,
            _tokens,
            _clock,
            configure: builder =>
            {
                builder.Logging.AddProvider(_logs);
                builder.Logging.AddFilter<LogCapture>(null, LogLevel.Trace);
            }
        );
        await using var client = await host.ConnectAsync(_tokens.Issue(Guid.NewGuid()));
        var group = "g-" + Guid.NewGuid().ToString("N");

        await client.Connection.InvokeAsync("Join", group);
        await client.Connection.InvokeAsync("ToGroup", group, "hello", 1);
        await client.WaitForAsync("group", i => i.Argument<string>(0) == "hello");

        var backplane = typeof(RedisOptions).Namespace!;
        Assert.Contains(
            _logs.Entries,
            e => e.Category.StartsWith(backplane, StringComparison.Ordinal) && e.Message.Contains("Connected to Redis")
        );
        // SignalR (its Redis backplane included) and our real-time code; the test host's other settings are not a
        // service's.
        string[] realTime =
        [
            "Microsoft.AspNetCore.SignalR",
            "StackExchange.Redis",
            "Community.ServiceDefaults.RealTime",
        ];
        Assert.Empty(
            _logs
                .Entries.Where(e =>
                    e.Level >= LogLevel.Warning && realTime.Any(c => e.Category.StartsWith(c, StringComparison.Ordinal))
                )
                .Select(e => $"{e.Level} {e.Category}: {e.Message}")
        );
    }
}
