using System.Globalization;
using StackExchange.Redis;

namespace Community.Messaging.Bench;

/// <summary>
/// Redis's own count of the commands it ran, by command (INFO commandstats), from a moment on the sending schedule to
/// now: what a message costs Redis (backplane publishes, the per-user call limit's and presence's scripts), the
/// connections' background work of those seconds included.
/// </summary>
public sealed class RedisCommands
{
    private readonly string _connectionString;
    private readonly Task<Dictionary<string, long>?> _start;

    private RedisCommands(string connectionString, Task<Dictionary<string, long>?> start) =>
        (_connectionString, _start) = (connectionString, start);

    /// <summary>Counts at <paramref name="timestamp"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp, now or
    /// later).</summary>
    public static RedisCommands From(string connectionString, long timestamp) =>
        new(
            connectionString,
            Task.Run(async () =>
            {
                var wait = System.Diagnostics.Stopwatch.GetElapsedTime(
                    System.Diagnostics.Stopwatch.GetTimestamp(),
                    timestamp
                );
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait);
                return await ReadAsync(connectionString);
            })
        );

    /// <summary>The line of the report: commands a message, the largest kinds first.</summary>
    public async Task<string> DescribeUntilNowAsync(int messages)
    {
        var end = await ReadAsync(_connectionString);
        if (await _start is not { } start || end is null)
            return "Redis commands: INFO commandstats not readable";
        var used = end.Select(e => (Command: e.Key, Calls: e.Value - start.GetValueOrDefault(e.Key)))
            .Where(e => e.Calls > 0 && e.Command is not ("info" or "client" or "hello" or "config"))
            .OrderByDescending(e => e.Calls)
            .ToList();
        string Per(long calls) => ((double)calls / Math.Max(messages, 1)).ToString("0.0", CultureInfo.InvariantCulture);
        return $"Redis commands over the timed sends: {Per(used.Sum(u => u.Calls))} a message; by command: "
            + string.Join(", ", used.Take(8).Select(u => $"{u.Command} {Per(u.Calls)}"));
    }

    private static async Task<Dictionary<string, long>?> ReadAsync(string connectionString)
    {
        try
        {
            var options = ConfigurationOptions.Parse(connectionString);
            options.AllowAdmin = true; // INFO
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            var counts = new Dictionary<string, long>();
            foreach (var group in await redis.GetServers()[0].InfoAsync("commandstats"))
            foreach (var pair in group)
                if (pair.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
                    counts[pair.Key["cmdstat_".Length..]] = Calls(pair.Value);
            return counts;
        }
        catch (Exception e) when (e is RedisException or RedisCommandException)
        {
            return null;
        }
    }

    // "calls=123,usec=456,usec_per_call=3.71,..."
    private static long Calls(string stats) =>
        long.Parse(
            stats.Split(',').First(s => s.StartsWith("calls=", StringComparison.Ordinal))["calls=".Length..],
            CultureInfo.InvariantCulture
        );
}
