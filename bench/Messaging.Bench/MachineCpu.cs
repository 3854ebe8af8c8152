using System.Diagnostics;
using System.Globalization;

namespace Community.Messaging.Bench;

/// <summary>
/// The whole machine's CPU time (every process: clients, gateway, nodes or ejabberd, PostgreSQL, Redis, RabbitMQ) from
/// /proc/stat, from a moment on the sending schedule to now: what a message costs, whatever runs where. Steadier than
/// latency on a busy machine, and comparable between the two sides of the peer run.
/// </summary>
public sealed class MachineCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly Task<(long Busy, long All)?> _start;

    private MachineCpu(Task<(long Busy, long All)?> start) => _start = start;

    /// <summary>Reads the counters at <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp, now or
    /// later).</summary>
    public static MachineCpu From(long timestamp) =>
        new(
            Task.Run(async () =>
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait);
                return Read();
            })
        );

    /// <summary>Busy CPU seconds since the start reading and the machine's share busy (1.0: every core), or null
    /// where /proc/stat cannot be read.</summary>
    public async Task<(double Seconds, double Busy)?> UntilNowAsync()
    {
        var end = Read();
        if (await _start is not { } start || end is not { } now || now.All <= start.All)
            return null;
        return ((now.Busy - start.Busy) / TicksPerSecond, (double)(now.Busy - start.Busy) / (now.All - start.All));
    }

    /// <summary>The line every run prints, and the figure per message.</summary>
    public static string Describe((double Seconds, double Busy)? cpu, int messages, long deliveries) =>
        cpu is not { } c
            ? "machine CPU: /proc/stat not readable"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"machine CPU over the timed sends (every process): {c.Seconds:0.0} s, {c.Busy * 100:0}% of the cores "
                    + $"busy; {PerMessageMs(cpu, messages):0.00} ms a message, "
                    + $"{c.Seconds * 1e6 / Math.Max(deliveries, 1):0} us a delivery"
            );

    public static double? PerMessageMs((double Seconds, double Busy)? cpu, int messages) =>
        cpu is { } c ? c.Seconds * 1000 / Math.Max(messages, 1) : null;

    // cpu  user nice system idle iowait irq softirq steal ...: busy is everything but idle, iowait and steal.
    private static (long Busy, long All)? Read()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat")
                .First()
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1)
                .Take(8)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture))
                .ToArray();
            var all = fields.Sum();
            return (all - fields[3] - fields[4] - fields[7], all);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
