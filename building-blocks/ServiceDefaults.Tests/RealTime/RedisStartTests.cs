using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests.RealTime;

/// <summary>
/// The real-time Redis connection at a service's start: a first attempt that gives up (a loaded machine) and a
/// connection made a moment later write no warning; a Redis down from the start is told once the start is over, and
/// one lost after it was reached at once.
/// </summary>
public sealed class RedisStartTests
{
    private static Task<bool> PingAsync(RedisFallback fallback, RealTimeRedisConnection connection) =>
        fallback.RunAsync(
            async () =>
            {
                await (await connection.DatabaseAsync()).PingAsync();
                return true;
            },
            false
        );

    [Fact]
    public async Task A_redis_reached_after_the_first_attempt_gave_up_is_no_outage_and_one_lost_later_is_told_at_once()
    {
        await using var redis = await TestInfrastructure.StartPrivateRedisAsync();
        await redis.StopAsync();
        using var logs = new LogCapture();
        await using var connection = new RealTimeRedisConnection(
            new RealTimeRedis(redis.ConnectionString, nameof(RedisStartTests)),
            TimeSpan.FromMinutes(5)
        );
        var fallback = new RedisFallback(
            logs.CreateLogger("redis"),
            "Redis is away",
            "Redis is back",
            () => connection.Starting
        );

        // The first attempt has given up: commands answer the fallback, and nothing is an outage yet.
        for (var i = 0; i < 3; i++)
            Assert.False(await PingAsync(fallback, connection));
        Assert.True(connection.Starting);

        await redis.StartAsync();
        await Eventually.TrueAsync(() => PingAsync(fallback, connection), "Redis was never reached once it started");
        Assert.False(connection.Starting);
        Assert.Empty(logs.AtLeast(LogLevel.Information));

        // Reached once: losing it now is an outage, told at once and once, and its end too.
        await redis.StopAsync();
        await Eventually.TrueAsync(
            async () => !await PingAsync(fallback, connection),
            "a command still succeeded with Redis stopped"
        );
        Assert.False(await PingAsync(fallback, connection));
        Assert.Single(logs.AtLeast(LogLevel.Warning), e => e.Message == "Redis is away");
        await redis.StartAsync();
        await Eventually.TrueAsync(() => PingAsync(fallback, connection), "Redis was never reached again");
        Assert.Single(logs.AtLeast(LogLevel.Information), e => e.Message == "Redis is back");
    }

    [Fact]
    public async Task A_redis_down_from_the_start_is_told_once_the_start_grace_is_over()
    {
        await using var redis = await TestInfrastructure.StartPrivateRedisAsync();
        await redis.StopAsync();
        using var logs = new LogCapture();
        await using var connection = new RealTimeRedisConnection(
            new RealTimeRedis(redis.ConnectionString, nameof(RedisStartTests)),
            TimeSpan.FromSeconds(1)
        );
        var fallback = new RedisFallback(
            logs.CreateLogger("redis"),
            "Redis is away",
            "Redis is back",
            () => connection.Starting
        );

        await Eventually.TrueAsync(
            async () =>
            {
                Assert.False(await PingAsync(fallback, connection));
                return !connection.Starting;
            },
            "the start never ended"
        );
        Assert.False(await PingAsync(fallback, connection));
        Assert.False(await PingAsync(fallback, connection));
        Assert.Single(logs.AtLeast(LogLevel.Warning), e => e.Message == "Redis is away");
    }

    /// <summary>
    /// A service whose start takes longer than the grace (a loaded machine: its migrations, the services starting
    /// beside it) made the connection long before its first command: the grace counts from that command.
    /// </summary>
    [Fact]
    public async Task A_first_command_long_after_the_connection_was_begun_still_has_the_start_grace()
    {
        await using var redis = await TestInfrastructure.StartPrivateRedisAsync();
        await redis.StopAsync();
        using var logs = new LogCapture();
        await using var connection = new RealTimeRedisConnection(
            new RealTimeRedis(redis.ConnectionString, nameof(RedisStartTests)),
            TimeSpan.FromSeconds(5)
        );
        var fallback = new RedisFallback(
            logs.CreateLogger("redis"),
            "Redis is away",
            "Redis is back",
            () => connection.Starting
        );
        await Task.Delay(TimeSpan.FromSeconds(6));

        Assert.False(await PingAsync(fallback, connection));

        Assert.True(connection.Starting);
        Assert.Empty(logs.AtLeast(LogLevel.Information));
    }
}
