using System.Diagnostics;
using Community.Events.Bench;
using Community.Testing;

namespace Community.Companion.Bench;

/// <summary>
/// One timed batch of streams (one after another, or all at once), each matched to the fake model's first chunk for it
/// by the tag its text carries; latency figures in ms count only the streams that ended well.
/// </summary>
public sealed record Batch(
    string Name,
    int Streams,
    IReadOnlyList<StreamResult> Results,
    TimeSpan Elapsed,
    int WarmFailures,
    int Unmatched,
    IReadOnlyList<double> Gaps,
    IReadOnlyList<double> ToFirstToken,
    IReadOnlyList<double> ToDone
)
{
    private const string Marker = "(bench stream ";

    public IReadOnlyList<string> Errors => [.. Results.Where(r => r.Error is not null).Select(r => r.Error!)];

    public static Batch Of(
        string name,
        int streams,
        IReadOnlyList<StreamResult> results,
        TimeSpan elapsed,
        int warmFailures,
        FakeOpenAiServer model
    )
    {
        // When the model wrote each stream's first text piece, by the tag in the user's text it answered.
        var firstPieces = new Dictionary<string, long>();
        foreach (var (request, sentAt) in model.FirstPieces)
            if (Tag(request) is { } tag)
                firstPieces[tag] = sentAt;
        var ok = results.Where(r => r.Error is null).ToList();
        var gaps = new List<double>();
        var unmatched = 0;
        foreach (var r in ok)
        {
            if (firstPieces.TryGetValue(r.Tag, out var modelAt) && r.FirstModelDeltaAt is { } clientAt)
                gaps.Add(Stopwatch.GetElapsedTime(modelAt, clientAt).TotalMilliseconds);
            else
                unmatched++;
        }
        return new Batch(
            name,
            streams,
            results,
            elapsed,
            warmFailures,
            unmatched,
            gaps,
            [.. ok.Select(r => r.Ms(r.SentAt, r.FirstModelDeltaAt)).OfType<double>()],
            [.. ok.Select(r => r.Ms(r.SentAt, r.DoneAt)).OfType<double>()]
        );
    }

    public string Summary()
    {
        string Figures(IReadOnlyList<double> samples)
        {
            if (samples.Count == 0)
                return "-";
            var s = LatencyStats.From(Name, samples);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"p50 {s.P50:0.0} / p95 {s.P95:0.0} / p99 {s.P99:0.0} / max {s.Max:0.0}"
            );
        }
        var errors =
            Errors.Count == 0
                ? "no error"
                : string.Join("; ", Errors.GroupBy(e => e).Select(g => $"{g.Key} x{g.Count()}"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Name}: {Streams} streams in {Elapsed.TotalSeconds:0.00} s, {errors}; model->client first token "
                + $"{Figures(Gaps)} ms; request->done {Figures(ToDone)} ms"
        );
    }

    // The tag is in the last user message the model was sent; a prompt that wraps the text still carries it.
    private static string? Tag(FakeChatRequest request)
    {
        var text = request.Chat.LastOrDefault(m => m.Role == "user").Content ?? "";
        var start = text.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
            return null;
        start += Marker.Length;
        var end = text.IndexOf(')', start);
        return end < 0 ? null : text[start..end];
    }
}
