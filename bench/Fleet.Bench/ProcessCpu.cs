namespace Community.Fleet.Bench;

/// <summary>
/// CPU time (user + system, from /proc) of this process and of the servers it started (the private PostgreSQL and
/// RabbitMQ, found by their data folder under .local/, with their child processes): work done per event, which a busy
/// machine inflates far less than it inflates wall time.
/// </summary>
public static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Seconds of CPU so far, by "bench" (this process), "postgres", "rabbitmq"; empty off Linux.</summary>
    public static Dictionary<string, double> Snapshot()
    {
        var result = new Dictionary<string, double>();
        var processes = Read();
        if (processes.Count == 0)
            return result;
        var marker = $"-{Environment.ProcessId}-";
        if (processes.TryGetValue(Environment.ProcessId, out var self))
            result["bench"] = self.Ticks / TicksPerSecond;
        foreach (var (pid, process) in processes)
        {
            if (!process.CommandLine.Contains(".local", StringComparison.Ordinal))
                continue;
            if (!process.CommandLine.Contains(marker, StringComparison.Ordinal))
                continue;
            if (process.Name == "postgres" && process.CommandLine.Contains(" -D ", StringComparison.Ordinal))
                result["postgres"] = result.GetValueOrDefault("postgres") + TreeSeconds(processes, pid);
            else if (process.Name.StartsWith("beam", StringComparison.Ordinal))
                result["rabbitmq"] = result.GetValueOrDefault("rabbitmq") + TreeSeconds(processes, pid);
        }
        return result;
    }

    /// <summary>Seconds of CPU so far of <paramref name="root"/> and every process under it (0 off Linux).</summary>
    public static double TreeSeconds(int root) => TreeSeconds(Read(), root);

    private static double TreeSeconds(Dictionary<int, ProcessStat> processes, int root)
    {
        var children = processes.ToLookup(p => p.Value.Parent, p => p.Key);
        var seconds = 0.0;
        var stack = new Stack<int>([root]);
        while (stack.TryPop(out var pid))
        {
            if (!processes.TryGetValue(pid, out var process))
                continue;
            seconds += process.Ticks / TicksPerSecond;
            foreach (var child in children[pid])
                stack.Push(child);
        }
        return seconds;
    }

    private readonly record struct ProcessStat(int Parent, string Name, long Ticks, string CommandLine);

    // Every process's parent, name, utime + stime and command line, from /proc; empty off Linux.
    private static Dictionary<int, ProcessStat> Read()
    {
        var processes = new Dictionary<int, ProcessStat>();
        if (!Directory.Exists("/proc/self"))
            return processes;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var ticks =
                    long.Parse(fields[11], CultureInfo.InvariantCulture)
                    + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                processes[pid] = new(int.Parse(fields[1], CultureInfo.InvariantCulture), name, ticks, commandLine);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // gone meanwhile, or not ours to read
            }
        }
        return processes;
    }

    /// <summary>Milliseconds of CPU per event between two snapshots, by group, and their total.</summary>
    public static string PerEvent(Dictionary<string, double> before, Dictionary<string, double> after, int events)
    {
        var parts = new List<string>();
        var total = 0.0;
        foreach (var group in new[] { "bench", "postgres", "rabbitmq" })
        {
            if (!after.TryGetValue(group, out var end))
                continue;
            var spent = end - before.GetValueOrDefault(group);
            total += spent;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{group} {spent * 1e6 / events:0} us"));
        }
        return parts.Count == 0
            ? "CPU per event: not measured (no /proc)"
            : string.Create(CultureInfo.InvariantCulture, $"CPU per event: {total * 1e6 / events:0} us (")
                + string.Join(", ", parts)
                + string.Create(CultureInfo.InvariantCulture, $"; {total:0.0} CPU-s in all)");
    }
}
