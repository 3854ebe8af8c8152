using System.Diagnostics;

namespace Community.Events.Bench;

/// <summary>Latency figures of one query, in milliseconds (nearest-rank percentiles).</summary>
public sealed record LatencyStats(
    string Name,
    int Runs,
    double P50,
    double P95,
    double P99,
    double Mean,
    double Min,
    double Max
)
{
    public static LatencyStats From(string name, IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyStats(
            name,
            sorted.Length,
            Rank(0.50),
            Rank(0.95),
            Rank(0.99),
            sorted.Average(),
            sorted[0],
            sorted[^1]
        );
    }
}

/// <summary>Times a query end to end on the client (Stopwatch around the awaited call), after a warm-up.</summary>
public static class Latency
{
    private const int MinimumRuns = 20;

    public static async Task<LatencyStats> MeasureAsync(
        string name,
        int warmUp,
        int runs,
        TimeSpan budget,
        Func<int, Task> query,
        Action<string> log
    )
    {
        for (var i = 0; i < warmUp; i++)
            await query(i);
        var samples = new List<double>(runs);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
        {
            if (i >= MinimumRuns && total.Elapsed > budget)
                break;
            var one = Stopwatch.StartNew();
            await query(warmUp + i);
            samples.Add(one.Elapsed.TotalMilliseconds);
        }
        var stats = LatencyStats.From(name, samples);
        log($"measured {name}: {stats.Runs} runs, p50 {stats.P50:F2} ms, p95 {stats.P95:F2} ms");
        return stats;
    }
}
