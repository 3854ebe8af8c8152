using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Community.Messaging.Bench;

/// <summary>
/// Reads a dotnet-trace of the gc-verbose profile (run-peer.sh with PEER_TRACE_PROFILE=gc-verbose) and says what the
/// pauses are made of and who allocates: each blocking collection (start to end: its pause less the suspension) split
/// into the runtime's mark stages (roots on the stacks, the finalization queue, handles, the older generations'
/// references into the young ones, the rest), and the sampled allocations (one tick per ~100 KB, with its stack) by the
/// first frame outside the base library, so a library's or our own code's share shows instead of the <c>byte[]</c> it
/// allocated.
/// </summary>
public static class TraceReport
{
    public const string Mode = "--trace-report";

    // GCMarkWithType's kinds (the runtime's gc_root_kind); the others are summed as "other".
    private static readonly Dictionary<int, string> MarkStages = new()
    {
        [0] = "stacks",
        [1] = "finalization queue",
        [2] = "handles",
        [3] = "older generations' references (cards)",
    };

    public static int Run(string path, int top)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"{path}: no such trace.");
            return 2;
        }
        Pauses(path);
        Allocations(path, top);
        return 0;
    }

    private static void Pauses(string path)
    {
        using var source = new EventPipeEventSource(path);
        var collections = new List<Collection>();
        Collection? current = null;
        var background = 0;
        source.Clr.GCStart += e =>
        {
            // A background collection runs beside the program (no pause of its own): counted, not timed.
            if (e.Type == GCType.BackgroundGC)
            {
                background++;
                return;
            }
            current = new Collection(e.Depth, e.TimeStampRelativeMSec);
            collections.Add(current);
        };
        source.Clr.GCMarkWithType += e =>
        {
            if (current is null)
                return;
            var stage = MarkStages.GetValueOrDefault(e.Type, "other roots");
            current.Stages[stage] =
                current.Stages.GetValueOrDefault(stage) + (e.TimeStampRelativeMSec - current.LastMark);
            current.LastMark = e.TimeStampRelativeMSec;
        };
        source.Clr.GCStop += e =>
        {
            if (current is null)
                return;
            current.Stages["after marking (plan, relocate, compact)"] = e.TimeStampRelativeMSec - current.LastMark;
            current.Ms = e.TimeStampRelativeMSec - current.Start;
            current = null;
        };
        source.Process();
        var done = collections.Where(c => c.Ms > 0).ToList();
        if (done.Count == 0)
        {
            Console.WriteLine("collections: none in the trace");
            return;
        }
        var ms = done.Select(c => c.Ms).Order().ToList();
        var generations = done.GroupBy(c => c.Generation).OrderBy(g => g.Key).Select(g => $"gen{g.Key} {g.Count()}");
        Console.WriteLine(
            $"blocking collections: {done.Count} ({string.Join(", ", generations)}; background ones: {background}), "
                + $"start to end p50 {ms[ms.Count / 2]:F1} ms, max {ms[^1]:F1} ms, {ms.Sum():F0} ms in all; "
                + "the time by stage:"
        );
        var total = ms.Sum();
        foreach (
            var (stage, spent) in done.SelectMany(c => c.Stages)
                .GroupBy(s => s.Key)
                .Select(g => (g.Key, g.Sum(s => s.Value)))
                .OrderByDescending(s => s.Item2)
        )
            Console.WriteLine($"  {spent / total, 6:P0}  {spent / done.Count, 6:F1} ms a collection  {stage}");
    }

    private static void Allocations(string path, int top)
    {
        var etlx = TraceLog.CreateFromEventPipeDataFile(path);
        try
        {
            using var log = new TraceLog(etlx);
            var byFrame = new Dictionary<string, long>();
            var byType = new Dictionary<string, long>();
            long total = 0;
            foreach (var e in log.Events)
            {
                if (e is not GCAllocationTickTraceData tick)
                    continue;
                var amount = tick.AllocationAmount64;
                total += amount;
                var type = tick.TypeName ?? "?";
                byType[type] = byType.GetValueOrDefault(type) + amount;
                var frame = "(the base library only)";
                for (var s = e.CallStack(); s is not null; s = s.Caller)
                {
                    var name = s.CodeAddress.FullMethodName;
                    if (string.IsNullOrEmpty(name) || IsBaseLibrary(name))
                        continue;
                    frame = name.Split('(')[0];
                    break;
                }
                byFrame[frame] = byFrame.GetValueOrDefault(frame) + amount;
            }
            if (total == 0)
            {
                Console.WriteLine("allocations: no allocation ticks in the trace (profile gc-verbose has them)");
                return;
            }
            Console.WriteLine(
                $"allocations sampled: {total / (1024.0 * 1024):F0} MiB; by type: "
                    + string.Join(
                        ", ",
                        byType.OrderByDescending(t => t.Value).Take(6).Select(t => $"{t.Key} {Share(t.Value, total)}")
                    )
            );
            Console.WriteLine($"by the first frame outside the base library (top {top}):");
            foreach (var (frame, bytes) in byFrame.OrderByDescending(f => f.Value).Take(top))
                Console.WriteLine($"  {Share(bytes, total), 6}  {Shorten(frame)}");
        }
        finally
        {
            File.Delete(etlx);
        }
    }

    private static bool IsBaseLibrary(string frame) =>
        frame.StartsWith("System.", StringComparison.Ordinal)
        || frame.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
        || frame.StartsWith("dynamicClass", StringComparison.Ordinal);

    private static string Share(long part, long total) =>
        ((double)part / total).ToString("P1", CultureInfo.InvariantCulture);

    // Generic arguments and compiler-made names say little in a report line.
    private static string Shorten(string frame) => frame.Length <= 140 ? frame : frame[..137] + "...";

    private sealed class Collection(int generation, double start)
    {
        public int Generation { get; } = generation;
        public double Start { get; } = start;
        public double LastMark { get; set; } = start;
        public double Ms { get; set; }
        public Dictionary<string, double> Stages { get; } = [];
    }
}
