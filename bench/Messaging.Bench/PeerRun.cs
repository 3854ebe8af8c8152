namespace Community.Messaging.Bench;

/// <summary>
/// After our live run: the same load against a private ejabberd, started here (its database on the benchmark's
/// PostgreSQL) and stopped at the end, then the side-by-side table.
/// </summary>
public static class PeerRun
{
    public static async Task RunAsync(
        MessagingBenchOptions options,
        string repositoryRoot,
        string connectionString,
        LiveFigures ours,
        PeerProbe.OurSide ourSide,
        Action<string> line
    )
    {
        await using var peer = await XmppPeer.StartAsync(
            repositoryRoot,
            connectionString,
            options.Clients,
            options.Conversations,
            line
        );
        line("ejabberd's Erlang VM: pid " + await peer.ProcessIdAsync());
        var theirs = await XmppRun.RunAsync(options, peer, line);
        PeerComparison.Print(ours, theirs, !options.NoGateway, line);
        // The floors last, so neither run's figures include the other's probe.
        PeerProbe.Print(
            await PeerProbe.OursAsync(ourSide),
            await PeerProbe.EjabberdAsync(peer, options.Conversations),
            line
        );
    }
}
