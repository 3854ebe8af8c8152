using System.Globalization;
using Community.Events.Bench;

namespace Community.Messaging.Bench;

/// <summary>What one live run measured, for the side-by-side table of the peer comparison.</summary>
public sealed record LiveFigures(
    int Clients,
    int Rooms,
    int OfferedPerSecond,
    long Delivered,
    double DeliveredPerSecond,
    LatencyStats? SendToDelivery,
    LatencyStats? SenderRoundTrip,
    int CompleteClients,
    int Gaps,
    int Duplicates,
    int OutOfOrder,
    int SendErrors,
    double? CpuMsPerMessage
);

/// <summary>Our hub against ejabberd, same clients, rooms and schedule: table and ratios ours / ejabberd.</summary>
public static class PeerComparison
{
    public static void Print(LiveFigures ours, LiveFigures peer, bool throughGateway, Action<string> line)
    {
        static string Ms(LatencyStats? s, Func<LatencyStats, double> pick) =>
            s is null ? "-" : pick(s).ToString("0.0", CultureInfo.InvariantCulture) + " ms";
        static string Ratio(double a, double b) =>
            b <= 0 ? "-" : (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "x";
        static double Of(LatencyStats? s, Func<LatencyStats, double> pick) => s is null ? 0 : pick(s);
        string Row(string name, string a, string b, string ratio) =>
            $"| {name, -36} | {a, 16} | {b, 16} | {ratio, 10} |";
        string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

        line("");
        line(
            "Peer comparison: our hub "
                + (throughGateway ? "through the gateway" : "WITHOUT the gateway (--no-gateway)")
                + " vs ejabberd multi-user chat, same load, back to back"
        );
        line(Row("", "ours", "ejabberd", "ours/ejab"));
        line(Row(new string('-', 36), new string('-', 16), new string('-', 16), new string('-', 10)));
        line(Row("clients", Count(ours.Clients), Count(peer.Clients), ""));
        line(Row("rooms (conversations)", Count(ours.Rooms), Count(peer.Rooms), ""));
        line(Row("messages/s offered", Count(ours.OfferedPerSecond), Count(peer.OfferedPerSecond), ""));
        line(Row("deliveries to other members", Count(ours.Delivered), Count(peer.Delivered), ""));
        line(
            Row(
                "delivered/s",
                ours.DeliveredPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                peer.DeliveredPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                Ratio(ours.DeliveredPerSecond, peer.DeliveredPerSecond)
            )
        );
        foreach (
            var (name, pick) in new (string, Func<LatencyStats, double>)[]
            {
                ("send-to-delivery p50", s => s.P50),
                ("send-to-delivery p95", s => s.P95),
                ("send-to-delivery p99", s => s.P99),
                ("send-to-delivery max", s => s.Max),
            }
        )
            line(
                Row(
                    name,
                    Ms(ours.SendToDelivery, pick),
                    Ms(peer.SendToDelivery, pick),
                    Ratio(Of(ours.SendToDelivery, pick), Of(peer.SendToDelivery, pick))
                )
            );
        line(
            Row(
                "sender's round trip p99",
                Ms(ours.SenderRoundTrip, s => s.P99),
                Ms(peer.SenderRoundTrip, s => s.P99),
                Ratio(Of(ours.SenderRoundTrip, s => s.P99), Of(peer.SenderRoundTrip, s => s.P99))
            )
        );
        line(
            Row(
                "machine CPU a message (every process)",
                Cpu(ours.CpuMsPerMessage),
                Cpu(peer.CpuMsPerMessage),
                Ratio(ours.CpuMsPerMessage ?? 0, peer.CpuMsPerMessage ?? 0)
            )
        );
        line(Row("clients that saw everything once", Count(ours.CompleteClients), Count(peer.CompleteClients), ""));
        line(Row("gaps / duplicates / out of order", Gd(ours), Gd(peer), ""));
        line(Row("sends failed or unanswered", Count(ours.SendErrors), Count(peer.SendErrors), ""));
        var p99 = ours.SendToDelivery is { } a && peer.SendToDelivery is { } b && a.P99 <= b.P99;
        // Delivered/s follows the offered rate when both keep up: within 2% counts as equal throughput.
        var throughput = ours.DeliveredPerSecond >= peer.DeliveredPerSecond * 0.98;
        line(
            $"target (ours at least as fast as ejabberd): p99 {(p99 ? "MET" : "MISSED")}, "
                + $"throughput {(throughput ? "MET" : "MISSED")}"
        );

        static string Cpu(double? ms) => ms is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + " ms" : "-";

        static string Gd(LiveFigures f) =>
            string.Create(CultureInfo.InvariantCulture, $"{f.Gaps} / {f.Duplicates} / {f.OutOfOrder}");
    }
}
