using System.Text;
using Community.Events.Bench;

namespace Community.Fleet.Bench;

/// <summary>The command line of one benchmark: <c>--name value</c> pairs and bare flags.</summary>
public sealed class BenchArgs(IReadOnlyList<string> args)
{
    public bool Has(string flag) => args.Contains(flag);

    public int Int(string name, int fallback, int min = 1)
    {
        var text = Value(name);
        if (text is null)
            return fallback;
        return
            int.TryParse(
                text.Replace("_", "", StringComparison.Ordinal),
                NumberStyles.Integer,
                CultureInfo.InvariantCulture,
                out var n
            )
            && n >= min
            ? n
            : throw new ArgumentException($"{name} must be a whole number of at least {min}, not '{text}'.");
    }

    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback) =>
        Value(name) is { } text
            ? text.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList()
            : fallback;

    public string? Value(string name)
    {
        var index = args.ToList().IndexOf(name);
        return index >= 0 && index + 1 < args.Count ? args[index + 1] : null;
    }
}

/// <summary>
/// What every benchmark needs around it: the repository, the report (printed and written), the machine's load.
/// </summary>
public sealed class Report(string name)
{
    private readonly StringBuilder _text = new();

    public static DirectoryInfo Root { get; } = FindRoot();

    public void Line(string text = "")
    {
        Console.WriteLine(text);
        _text.AppendLine(text);
    }

    /// <summary>Writes bench/results/NAME-STAMP.txt and NAME-latest.txt (only the latter is kept in git).</summary>
    public async Task WriteAsync()
    {
        var results = Path.Combine(Root.FullName, "bench/results");
        Directory.CreateDirectory(results);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(results, $"{name}-{stamp}.txt"), _text.ToString());
        await File.WriteAllTextAsync(Path.Combine(results, $"{name}-latest.txt"), _text.ToString());
        Console.WriteLine($"report written to bench/results/{name}-{stamp}.txt and {name}-latest.txt");
    }

    /// <summary>The figures mean little without how busy the machine was: everything here shares its cores.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg")
            ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
            : "unknown";

    public static string Stats(string name, IReadOnlyList<double> ms, int width = 28)
    {
        if (ms.Count == 0)
            return $"{name.PadRight(width)} n=   0";
        var s = LatencyStats.From(name, ms);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name.PadRight(width)} n={s.Runs, 5}  p50 {s.P50, 8:0.0} ms  p95 {s.P95, 8:0.0} ms  p99 {s.P99, 8:0.0} "
                + $"ms  max {s.Max, 8:0.0} ms"
        );
    }

    /// <summary>In-process hosting needs each app's content root (where its appsettings.json lives).</summary>
    public static void ContentRoot(string assembly, string path) =>
        Environment.SetEnvironmentVariable(
            $"ASPNETCORE_TEST_CONTENTROOT_{assembly.Replace('.', '_').ToUpperInvariant()}",
            Path.Combine(Root.FullName, path)
        );

    private static DirectoryInfo FindRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Community.sln")))
            root = root.Parent;
        return root ?? throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }
}
