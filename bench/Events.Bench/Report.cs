using System.Globalization;
using System.Text;

namespace Community.Events.Bench;

/// <summary>The plain-text report: printed as it grows and written to a file at the end.</summary>
public sealed class Report
{
    private readonly StringBuilder _text = new();

    public void Line(string line = "")
    {
        _text.AppendLine(line);
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }

    public void Heading(string title)
    {
        Line();
        Line(title);
        Line(new string('-', title.Length));
    }

    public void Table(IEnumerable<LatencyStats> rows)
    {
        Line($"{"query", -52} {"runs", 5} {"p50", 9} {"p95", 9} {"p99", 9} {"mean", 9} {"max", 9}");
        foreach (var s in rows)
            Line(
                $"{s.Name, -52} {s.Runs, 5} {Ms(s.P50), 9} {Ms(s.P95), 9} {Ms(s.P99), 9} {Ms(s.Mean), 9} {Ms(s.Max), 9}"
            );
    }

    public static string Ms(double ms) => ms.ToString(ms >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture);

    public static string Ratio(double a, double b) =>
        b <= 0 ? "n/a" : (a / b).ToString("F1", CultureInfo.InvariantCulture) + "x";

    /// <summary>Writes the report as events-&lt;stamp&gt;.txt and events-latest.txt; returns the dated file.</summary>
    public string Save(string folder, DateTimeOffset stamp)
    {
        Directory.CreateDirectory(folder);
        var dated = Path.Combine(folder, $"events-{stamp:yyyyMMdd-HHmmss}.txt");
        File.WriteAllText(dated, _text.ToString());
        File.WriteAllText(Path.Combine(folder, "events-latest.txt"), _text.ToString());
        return dated;
    }
}
