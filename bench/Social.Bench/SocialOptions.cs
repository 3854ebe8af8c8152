using System.Globalization;

namespace Community.Social.Bench;

/// <summary>Command-line options of the social benchmark.</summary>
public sealed record SocialOptions
{
    public const string Usage = """
        usage: run-social.sh [options]
          --profiles N    profiles to seed (default 1000000)
          --keep          reuse the seeded database when it has profiles (new migrations are still applied)
          --runs N        measured runs per query (default 200; slow ones stop after --budget)
          --budget S      seconds one query may be measured for (default 60)
          --database NAME database to seed (default social_bench)
          --seed N        random seed of the generated data (default 42)
          --out DIR       where the report goes (default <repo>/bench/results)
          --help          this text
        Uses COMMUNITY_POSTGRES when set, otherwise a private PostgreSQL in <repo>/.local/bench (kept between runs).
        """;

    public int Profiles { get; init; } = 1_000_000;
    public bool Keep { get; init; }
    public int Runs { get; init; } = 200;
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(60);
    public string Database { get; init; } = "social_bench";
    public int Seed { get; init; } = 42;
    public string? OutputFolder { get; init; }
    public bool Help { get; init; }

    public static SocialOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SocialOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number(int min)
            {
                var name = args[i];
                var text = Value();
                return int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
                    ? n
                    : throw new ArgumentException($"{name} must be a whole number of at least {min}, not '{text}'.");
            }
            options = args[i] switch
            {
                // Fewer than this and the two-hop neighbourhoods of the seeded graph would overlap the whole table.
                "--profiles" => options with { Profiles = Number(10_000) },
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
