using System.Globalization;
using Community.LocalInfrastructure;

namespace Community.Events.Bench;

/// <summary>
/// Command-line options every seeded benchmark takes (events, social): how many rows to seed (its own
/// option name, e.g. --events), --keep, --runs, --budget, --database, --seed, --out, --help.
/// </summary>
public sealed record BenchOptions
{
    /// <summary>How many of the benchmark's main rows (events, profiles) to seed.</summary>
    public int Count { get; init; } = 1_000_000;
    public bool Keep { get; init; }
    public int Runs { get; init; } = 200;
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(60);
    public required string Database { get; init; }
    public int Seed { get; init; } = 42;
    public string? OutputFolder { get; init; }
    public bool Help { get; init; }

    /// <summary>
    /// The options in <paramref name="args"/> over <paramref name="defaults"/>, or null after printing
    /// <paramref name="usage"/> (<paramref name="exitCode"/> 0 for --help, 2 for a bad option).
    /// </summary>
    public static BenchOptions? Read(
        IReadOnlyList<string> args,
        string countOption,
        int minCount,
        BenchOptions defaults,
        string usage,
        out int exitCode
    )
    {
        exitCode = 0;
        BenchOptions options;
        try
        {
            options = Parse(args, countOption, minCount, defaults);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message + Environment.NewLine + usage);
            exitCode = 2;
            return null;
        }
        if (!options.Help)
            return options;
        Console.WriteLine(usage);
        return null;
    }

    public static BenchOptions Parse(
        IReadOnlyList<string> args,
        string countOption,
        int minCount,
        BenchOptions defaults
    )
    {
        var options = defaults;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number(int min)
            {
                var name = args[i];
                var text = Value();
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
            options = args[i] switch
            {
                _ when args[i] == countOption => options with { Count = Number(minCount) },
                "--keep" => options with { Keep = true },
                "--runs" => options with { Runs = Number(1) },
                "--budget" => options with { Budget = TimeSpan.FromSeconds(Number(1)) },
                "--database" => options with { Database = Value() },
                "--seed" => options with { Seed = Number(0) },
                "--out" => options with { OutputFolder = Value() },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"unknown option '{args[i]}'."),
            };
        }
        return options;
    }
}

/// <summary>
/// The seeded benchmarks' PostgreSQL: COMMUNITY_POSTGRES when set, else a private server in &lt;repo&gt;/.local/bench.
/// </summary>
public static class BenchPostgres
{
    /// <summary>Kept between runs so --keep can reuse a seeded database; fsync off only speeds up seeding.</summary>
    public static Task<PostgresServer> StartAsync(string repositoryRoot, Action<string> log) =>
        PostgresServer.StartAsync(
            new LocalInfrastructureOptions
            {
                DataFolder = Path.Combine(repositoryRoot, ".local", "bench"),
                KeepData = true,
                FastUnsafe = true,
                Log = log,
            }
        );
}
