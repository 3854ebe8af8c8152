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
        PeerComparison.Print(ours, theirs, line);
    }
}
