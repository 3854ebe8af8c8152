using Community.Contracts;

namespace Community.Social.Bench;

/// <summary>
/// The seeded population: deterministic ids, regions and interests, so a --keep run finds the same people.
/// </summary>
public sealed class Population
{
    public const int Callers = 200;
    public const int BigFollowerFollows = 1_000;

    /// <summary>Public events the seeded RSVPs are to.</summary>
    public const int FeedEvents = 20_000;

    /// <summary>Activity rows of each person the big follower follows (a busy year), and of everyone else.</summary>
    public const int BusyActivities = 30;
    public const int QuietActivities = 3;

    public static readonly string[] Regions =
    [
        "Dubai Marina",
        "Downtown Dubai",
        "Jumeirah",
        "Deira",
        "Business Bay",
        "Al Barsha",
        "JLT",
        "Bur Dubai",
        "Sharjah",
        "Abu Dhabi",
        "Ajman",
        "Al Ain",
        "Mirdif",
        "Silicon Oasis",
        "Sports City",
        "Motor City",
        "Arabian Ranches",
        "Palm Jumeirah",
        "Karama",
        "Satwa",
        "London",
        "Paris",
        "Berlin",
        "Madrid",
        "Rome",
        "Amsterdam",
        "Lisbon",
        "Vienna",
        "Prague",
        "Warsaw",
        "New York",
        "Toronto",
        "Chicago",
        "Austin",
        "Seattle",
        "Mumbai",
        "Delhi",
        "Singapore",
        "Tokyo",
        "Sydney",
    ];

    public static readonly string[] Interests =
    [
        "fitness",
        "travel",
        "technology",
        "music",
        "food",
        "photography",
        "hiking",
        "running",
        "yoga",
        "football",
        "reading",
        "art",
        "film",
        "cooking",
        "coffee",
        "dance",
        "gaming",
        "startups",
        "design",
        "languages",
        "cycling",
        "swimming",
        "tennis",
        "chess",
        "board-games",
        "jazz",
        "wine",
        "volunteering",
        "pets",
        "gardening",
        "meditation",
        "finance",
        "crypto",
        "careers",
        "parenting",
        "history",
        "writing",
        "sustainability",
        "fashion",
        "cars",
    ];

    public int Count { get; }
    public int Seed { get; }

    /// <summary>Profile indices whose discovery, paths and suggestions are measured.</summary>
    public int[] CallerIndices { get; }

    /// <summary>The profile that follows <see cref="BigFollowerFollows"/> people.</summary>
    public int BigFollower => Count - 1;

    public Population(int count, int seed)
    {
        Count = count;
        Seed = seed;
        var random = new Random(seed);
        CallerIndices = Enumerable.Range(0, Callers).Select(_ => random.Next(count - 1)).Distinct().ToArray();
    }

    /// <summary>Seeded event e's id (the high half marks it apart from profile ids).</summary>
    public static Guid EventId(int e)
    {
        var bytes = Id(e).ToByteArray();
        bytes[15] ^= 0xEE;
        return new Guid(bytes);
    }

    /// <summary>
    /// Profile i's id: a 64-bit mix of i (so ids do not follow regions), with the UUID version 4 bits.
    /// </summary>
    public static Guid Id(int i)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), Mix((ulong)i + 1));
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), (ulong)i);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    /// <summary>Profile i's generated fields, the same on every call (its own random stream).</summary>
    public ProfileFields Fields(int i)
    {
        var r = new Random(unchecked(Seed * 1_000_003 + i));
        var region = Regions[Pick(r, RegionWeights)];
        var count = 1 + r.Next(5);
        var interests = new List<string>(count);
        while (interests.Count < count)
        {
            var interest = Interests[Pick(r, InterestWeights)];
            if (!interests.Contains(interest))
                interests.Add(interest);
        }
        var gender = r.NextDouble() switch
        {
            < 0.47 => "female",
            < 0.94 => "male",
            < 0.97 => "non_binary",
            < 0.985 => "other",
            _ => "prefer_not_to_say",
        };
        var age = 18 + (int)Math.Min(52, Math.Abs(NextGaussian(r) * 12) + r.Next(12));
        var tier = r.NextDouble() switch
        {
            < 0.80 => Tiers.Free,
            < 0.95 => Tiers.Premium,
            _ => Tiers.Elite,
        };
        var boost = r.NextDouble() switch
        {
            < 0.005 => 1 + r.Next(7),
            < 0.02 => -1 - r.Next(60),
            _ => 0,
        };
        return new(region, interests.ToArray(), gender, age, r.Next(365), tier, boost, r.NextDouble() < 0.3);
    }

    public sealed record ProfileFields(
        string Region,
        string[] Interests,
        string Gender,
        int Age,
        int BirthdayOffset,
        string Tier,
        int BoostDays,
        bool Verified
    );

    // Cumulative weights 1/(k+1)^s: a few regions and interests are popular, most are not.
    private static readonly double[] RegionWeights = Cumulative(Regions.Length, 0.8);
    private static readonly double[] InterestWeights = Cumulative(Interests.Length, 0.7);

    private static double[] Cumulative(int n, double s)
    {
        var sums = new double[n];
        var total = 0.0;
        for (var k = 0; k < n; k++)
            sums[k] = total += 1 / Math.Pow(k + 1, s);
        return sums;
    }

    private static int Pick(Random r, double[] cumulative)
    {
        var index = Array.BinarySearch(cumulative, r.NextDouble() * cumulative[^1]);
        return index >= 0 ? index : Math.Min(~index, cumulative.Length - 1);
    }

    private static double NextGaussian(Random r) =>
        Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
