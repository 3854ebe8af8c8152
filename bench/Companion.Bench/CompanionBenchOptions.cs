namespace Community.Companion.Bench;

/// <summary>The benchmark's command line.</summary>
public sealed record CompanionBenchOptions
{
    public const string Usage = """
        Usage: bash bench/run-companion.sh [options]
          --singles N          streams one after another, for the first-token figure alone (default 50)
          --levels A,B,...     concurrent streams per level (default 50,100,200)
          --rounds N           rounds of each level (default 3)
          --first-chunk-ms N   the fake model's delay before its first streamed chunk (default 300)
          --chunk-ms N         its delay between two chunks (default 50)
          --timeout N          seconds a stream may take before it counts as an error (default 60)
          --short              a quick look: 10 singles, one round of each level
        """;

    public int Singles { get; init; } = 50;
    public IReadOnlyList<int> Levels { get; init; } = [50, 100, 200];
    public int Rounds { get; init; } = 3;
    public int FirstChunkMs { get; init; } = 300;
    public int ChunkMs { get; init; } = 50;
    public int TimeoutSeconds { get; init; } = 60;
    public bool Short { get; init; }

    /// <summary>The options, or null after printing the usage (for --help or a bad option).</summary>
    public static CompanionBenchOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new CompanionBenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : "";
            int Number(string name, string text, int min) =>
                int.TryParse(
                    text.Replace("_", "", StringComparison.Ordinal),
                    NumberStyles.Integer,
                    CultureInfo.InvariantCulture,
                    out var n
                )
                && n >= min
                    ? n
                    : throw new ArgumentException($"{name} must be a whole number of at least {min}, not '{text}'.");
            try
            {
                var name = args[i];
                options = name switch
                {
                    "--singles" => options with { Singles = Number(name, Value(), 1) },
                    "--levels" => options with
                    {
                        Levels =
                        [
                            .. Value()
                                .Split(',', StringSplitOptions.RemoveEmptyEntries)
                                .Select(t => Number(name, t, 1)),
                        ],
                    },
                    "--rounds" => options with { Rounds = Number(name, Value(), 1) },
                    "--first-chunk-ms" => options with { FirstChunkMs = Number(name, Value(), 0) },
                    "--chunk-ms" => options with { ChunkMs = Number(name, Value(), 0) },
                    "--timeout" => options with { TimeoutSeconds = Number(name, Value(), 1) },
                    "--short" => options with { Short = true, Singles = 10, Rounds = 1 },
                    "--help" or "-h" => null,
                    _ => throw new ArgumentException($"unknown option '{name}'."),
                };
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                options = null;
            }
            if (options is null)
            {
                Console.WriteLine(Usage);
                return null;
            }
        }
        if (options.Levels.Count == 0)
        {
            Console.Error.WriteLine("--levels needs at least one level.");
            Console.WriteLine(Usage);
            return null;
        }
        return options;
    }
}
