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
}
