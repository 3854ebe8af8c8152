using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// A Redis that cannot be reached is warned of at once and once; a late reply only when replies keep failing, so a
/// moment of a busy thread pool (a service's start on a loaded machine) writes no warning.
/// </summary>
public sealed class OutageWarningTests
{
    private static readonly RedisConnectionException Unreachable = new(
        ConnectionFailureType.UnableToConnect,
        "No connection is active/available to service this operation"
    );

    private static RedisTimeoutException Late() => new("Timeout awaiting response", CommandStatus.Sent);

    [Fact]
    public void An_unreachable_redis_is_an_outage_at_once_warned_once_and_its_end_told_once()
    {
        var outage = new RedisOutage();
        Assert.True(outage.Failed(Unreachable));
        Assert.False(outage.Failed(Unreachable));
        Assert.False(outage.Failed(Late()));
        Assert.True(outage.Answered());
        Assert.False(outage.Answered());
        Assert.True(outage.Failed(Unreachable));
    }

    [Fact]
    public void A_command_not_sent_because_redis_is_not_connected_is_an_outage_at_once()
    {
        var outage = new RedisOutage(TimeSpan.FromMinutes(1));
        Assert.True(outage.Failed(null));
        Assert.False(outage.Failed(null));
    }

    [Fact]
    public void A_late_reply_that_the_next_command_follows_is_no_outage()
    {
        var outage = new RedisOutage(TimeSpan.FromMinutes(1));
        Assert.False(outage.Failed(Late()));
        Assert.False(outage.Failed(Late()));
        Assert.False(outage.Answered());
        Assert.False(outage.Failed(Late()));
    }

    [Fact]
    public async Task Late_replies_that_go_on_for_the_slow_limit_are_an_outage()
    {
        var outage = new RedisOutage(TimeSpan.FromMilliseconds(50));
        Assert.False(outage.Failed(Late()));
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        Assert.True(outage.Failed(Late()));
        Assert.False(outage.Failed(Late()));
        Assert.True(outage.Answered());
        // Counted again from the next failure after an answer.
        Assert.False(outage.Failed(Late()));
    }

    [Fact]
    public async Task A_command_the_client_cancelled_falls_back_and_is_no_outage_until_replies_keep_failing()
    {
        using var logs = new LogCapture();
        var fallback = new RedisFallback(logs.CreateLogger("redis"), "Redis is away", "Redis is back");

        // As the client ends a command whose connection it tore down: cancelled, with no token.
        Assert.Equal(-1, await fallback.RunAsync<int>(() => throw new TaskCanceledException(), -1));
        Assert.Equal(7, await fallback.RunAsync(() => Task.FromResult(7), -1));

        Assert.Empty(logs.AtLeast(LogLevel.Information));
        var outage = new RedisOutage(TimeSpan.FromMilliseconds(50));
        Assert.False(outage.Failed(new TaskCanceledException()));
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        Assert.True(outage.Failed(new TaskCanceledException()));
    }

    [Fact]
    public async Task A_cancellation_of_the_callers_own_is_not_taken_for_redis_failing()
    {
        using var logs = new LogCapture();
        var fallback = new RedisFallback(logs.CreateLogger("redis"), "Redis is away", "Redis is back");
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            fallback.RunAsync<int>(() => throw new OperationCanceledException(stop.Token), -1)
        );
        Assert.Empty(logs.Entries);
    }
}
