using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Community.Messaging.Bench;

/// <summary>
/// The whole machine's CPU time (every process: clients, gateway, nodes or ejabberd, PostgreSQL, Redis, RabbitMQ) from
/// /proc/stat, from a moment on the sending schedule to now: what a message costs, whatever runs where. Steadier than
/// latency on a busy machine, and comparable between the two sides of the peer run.
/// </summary>
public sealed class MachineCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly Task<Reading?> _start;

    private sealed record Reading(
        long Busy,
        long All,
        Dictionary<int, (string Program, long Ticks)> ByProcess,
        long JitMethods,
        TimeSpan JitTime
    );

    private MachineCpu(Task<Reading?> start) => _start = start;

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

    /// <summary>What the CPU did between two readings: busy seconds, the machine's share busy (1.0: every core), the
    /// seconds of each program (by its process name; "this process" for the benchmark's own) that ran at both readings,
    /// and the methods this process's JIT compiled meanwhile (tiering up: a cost of a young process, not of a
    /// message).</summary>
    public sealed record Used(
        double Seconds,
        double Busy,
        IReadOnlyList<(string Program, double Seconds)> ByProgram,
        long JitMethods,
        TimeSpan JitTime
    );

    /// <summary>What the CPU did since the start reading, or null where /proc cannot be read.</summary>
    public async Task<Used?> UntilNowAsync()
    {
        var end = Read();
        if (await _start is not { } start || end is not { } now || now.All <= start.All)
            return null;
        // Per process alive at both readings (a kernel worker's name changes with its work: not compared).
        var byProgram = now
            .ByProcess.Where(p =>
                start.ByProcess.TryGetValue(p.Key, out var before) && before.Program == p.Value.Program
            )
            .GroupBy(p => p.Value.Program)
            .Select(g => (g.Key, g.Sum(p => p.Value.Ticks - start.ByProcess[p.Key].Ticks) / TicksPerSecond))
            .Where(p => p.Item2 >= 0.05)
            .OrderByDescending(p => p.Item2)
            .ToList();
        return new(
            (now.Busy - start.Busy) / TicksPerSecond,
            (double)(now.Busy - start.Busy) / (now.All - start.All),
            byProgram,
            now.JitMethods - start.JitMethods,
            now.JitTime - start.JitTime
        );
    }

    /// <summary>The line every run prints, and the figure per message.</summary>
    public static string Describe(Used? cpu, int messages, long deliveries) =>
        cpu is not { } c
            ? "machine CPU: /proc/stat not readable"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"machine CPU over the timed sends (every process): {c.Seconds:0.0} s, {c.Busy * 100:0}% of the cores "
                    + $"busy; {PerMessageMs(cpu, messages):0.00} ms a message, "
                    + $"{c.Seconds * 1e6 / Math.Max(deliveries, 1):0} us a delivery; by program: "
                    + $"{string.Join(", ", c.ByProgram.Take(6).Select(p => Seconds(p.Program, p.Seconds)))}; "
                    + $"this process's JIT compiled {c.JitMethods:N0} methods in {c.JitTime.TotalSeconds:0.0} s"
            );

    private static string Seconds(string program, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{program} {seconds:0.0} s");

    public static double? PerMessageMs(Used? cpu, int messages) =>
        cpu is { } c ? c.Seconds * 1000 / Math.Max(messages, 1) : null;

    // cpu  user nice system idle iowait irq softirq steal ...: busy is everything but idle, iowait and steal.
    private static Reading? Read()
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
            return new(
                all - fields[3] - fields[4] - fields[7],
                all,
                ByProcess(),
                JitInfo.GetCompiledMethodCount(),
                JitInfo.GetCompilationTime()
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    // /proc/<pid>/stat: "pid (comm) state ppid ... utime stime" (the 14th and 15th fields; comm may hold spaces).
    private static Dictionary<int, (string Program, long Ticks)> ByProcess()
    {
        var ticks = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var rest = stat[(close + 2)..].Split(' ');
                // This process by that name (the load tool, and the servers where they run in it); the nodes and any
                // other .NET process by their own.
                var program = pid == Environment.ProcessId ? "this process" : stat[(open + 1)..close];
                var used =
                    long.Parse(rest[11], CultureInfo.InvariantCulture)
                    + long.Parse(rest[12], CultureInfo.InvariantCulture);
                ticks[pid] = (program, used);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // a process that ended meanwhile
            }
        }
        return ticks;
    }
}
