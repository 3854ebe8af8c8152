using System.Globalization;

namespace Community.TicketDrop.Bench;

/// <summary>
/// Where a burst's CPU went, read from Linux's /proc: this process (the clients and both events
/// instances), the PostgreSQL server's processes, the broker's and the whole machine. Tells whether
/// a burst is bound by the services, the database or the machine, which latency alone cannot.
/// </summary>
public sealed record CpuShare(
    double ThisProcessMs,
    double PostgresMs,
    double BrokerMs,
    double MachineBusyMs,
    double MachineMs
)
{
    private static readonly double TicksPerMs = 100 / 1000.0; // USER_HZ is 100 on Linux

    public static CpuShare Read()
    {
        if (!OperatingSystem.IsLinux())
            return new CpuShare(0, 0, 0, 0, 0);
        double postgres = 0,
            broker = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
                continue;
            var (name, ms) = ProcessCpu(Path.Combine(dir, "stat"));
            if (name == "postgres")
                postgres += ms;
            else if (name is "beam.smp" or "erl_child_setup" or "epmd")
                broker += ms;
        }
        var (_, self) = ProcessCpu("/proc/self/stat");
        var machine = File.ReadLines("/proc/stat")
            .First()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(x => double.Parse(x, CultureInfo.InvariantCulture))
            .ToArray();
        // user nice system idle iowait irq softirq steal ...
        var idle = machine[3] + machine[4];
        var all = machine.Take(8).Sum();
        return new CpuShare(self, postgres, broker, (all - idle) / TicksPerMs, all / TicksPerMs);
    }

    /// <summary>The one-minute load average, for a report's header (how busy the machine was around the run).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public CpuShare Since(CpuShare start) =>
        new(
            ThisProcessMs - start.ThisProcessMs,
            PostgresMs - start.PostgresMs,
            BrokerMs - start.BrokerMs,
            MachineBusyMs - start.MachineBusyMs,
            MachineMs - start.MachineMs
        );

    public CpuShare Plus(CpuShare other) =>
        new(
            ThisProcessMs + other.ThisProcessMs,
            PostgresMs + other.PostgresMs,
            BrokerMs + other.BrokerMs,
            MachineBusyMs + other.MachineBusyMs,
            MachineMs + other.MachineMs
        );

    /// <summary>CPU microseconds per request, by whom, and how busy the machine was.</summary>
    public string PerRequest(int requests) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"CPU per request: clients+services {ThisProcessMs * 1000 / requests:0} us, PostgreSQL "
                + $"{PostgresMs * 1000 / requests:0} us, broker {BrokerMs * 1000 / requests:0} us; machine busy "
                + $"{(MachineMs > 0 ? 100 * MachineBusyMs / MachineMs : 0):0}%"
        );

    private static (string Name, double Ms) ProcessCpu(string statPath)
    {
        try
        {
            var text = File.ReadAllText(statPath);
            var open = text.IndexOf('(');
            var close = text.LastIndexOf(')');
            var name = text[(open + 1)..close];
            var fields = text[(close + 2)..].Split(' ');
            // fields[0] is state (field 3); utime and stime are fields 14 and 15
            var ticks =
                double.Parse(fields[11], CultureInfo.InvariantCulture)
                + double.Parse(fields[12], CultureInfo.InvariantCulture);
            return (name, ticks / TicksPerMs);
        }
        catch (IOException)
        {
            return ("", 0); // the process ended meanwhile
        }
    }
}
