using System.Globalization;

namespace Community.Messaging.Bench;

/// <summary>The benchmark's command line.</summary>
public sealed record MessagingBenchOptions
{
    public const string Usage = """
        Usage: bash bench/run-messaging.sh [options]
          --clients N          WebSocket clients through the gateway (default 1000)
          --conversations N    event chats they are spread over (default 100)
          --senders N          senders per conversation (default 1)
          --messages N         messages each sender sends (default 20)
          --rate N             messages per second over all senders (default 100)
          --warmup-seconds N   at least the first N seconds of the same schedule untimed (default 10), then until
                               this process's JIT is quiet (at most 50 methods compiled in 5 s: a young process
                               tiering its code up is not the steady state a server reaches), or
          --warmup-max-seconds N   at most that (default 120; as --warmup-seconds: a fixed warm-up)
          --reader-conversations N   conversations of the reader whose reads are timed (default 500)
          --history N          messages in each of them (default 200)
          --runs N             timed runs per read (default 300)
          --nodes N            run N nodes (a gateway and a messaging instance each) as processes of their own,
                               the clients spread over their gateways; 0 hosts two instances and one gateway in
                               this process (default 0; 10,000 clients need 2: a process may open 20,000 files)
          --send-seconds N     then N seconds of sends through the gateway, POST .../messages (default 20; 0: none)
          --send-concurrency N senders in a closed loop during those seconds (default 32)
          --skip-reads         no read run
          --keep               leave the database and vhost in place
          --peer               the live run only, then the same load against a private ejabberd (multi-user chat,
                               archived in PostgreSQL) and the comparison (bash bench/run-peer.sh)
          --no-gateway         (with --nodes 0) the clients connect to the two instances directly, half to each:
                               what the gateway's hop costs, not the deployed shape
        """;

    public int Clients { get; init; } = 1000;
    public int Conversations { get; init; } = 100;
    public int Senders { get; init; } = 1;
    public int Messages { get; init; } = 20;
    public int Rate { get; init; } = 100;
    public int WarmupSeconds { get; init; } = 10;
    public int WarmupMaxSeconds { get; init; } = 120;
    public int ReaderConversations { get; init; } = 500;
    public int History { get; init; } = 200;
    public int Runs { get; init; } = 300;
    public int Nodes { get; init; }
    public int SendSeconds { get; init; } = 20;
    public int SendConcurrency { get; init; } = 32;
    public bool SkipReads { get; init; }
    public bool Keep { get; init; }
    public bool Peer { get; init; }
    public bool NoGateway { get; init; }

    /// <summary>The options, or null after printing the usage (for --help or a bad option).</summary>
    public static MessagingBenchOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new MessagingBenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            int Number(int min)
            {
                var name = args[i];
                var text = i + 1 < args.Count ? args[++i] : "";
                return
                    int.TryParse(
                        text.Replace("_", "", StringComparison.Ordinal),
                        NumberStyles.Integer,
                        CultureInfo.InvariantCulture,
                        out var n
                    )
                    && n >= min
                    ? n
                    : throw new ArgumentException($"{name} must be a whole number of at least {min}, not '{text}'.");
            }
            try
            {
                options = args[i] switch
                {
                    "--clients" => options with { Clients = Number(2) },
                    "--conversations" => options with { Conversations = Number(1) },
                    "--senders" => options with { Senders = Number(1) },
                    "--messages" => options with { Messages = Number(1) },
                    "--rate" => options with { Rate = Number(1) },
                    "--warmup-seconds" => options with { WarmupSeconds = Number(0) },
                    "--warmup-max-seconds" => options with { WarmupMaxSeconds = Number(0) },
                    "--reader-conversations" => options with { ReaderConversations = Number(1) },
                    "--history" => options with { History = Number(1) },
                    "--runs" => options with { Runs = Number(20) },
                    "--nodes" => options with { Nodes = Number(0) },
                    "--send-seconds" => options with { SendSeconds = Number(0) },
                    "--send-concurrency" => options with { SendConcurrency = Number(1) },
                    "--skip-reads" => options with { SkipReads = true },
                    "--keep" => options with { Keep = true },
                    "--peer" => options with { Peer = true },
                    "--no-gateway" => options with { NoGateway = true },
                    "--help" or "-h" => null,
                    _ => throw new ArgumentException($"unknown option '{args[i]}'."),
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
        if (options.Clients < options.Conversations * (options.Senders + 1))
        {
            Console.Error.WriteLine("--clients must give every conversation its senders and at least one more member.");
            Console.WriteLine(Usage);
            return null;
        }
        if (options.Nodes == 1 || options.SendConcurrency > options.Clients || options.NoGateway && options.Nodes > 0)
        {
            Console.Error.WriteLine(
                "--nodes must be 0 or at least 2 (0 with --no-gateway); --send-concurrency at most --clients."
            );
            Console.WriteLine(Usage);
            return null;
        }
        return options;
    }

    /// <summary>The gap between two sends of one sender.</summary>
    public TimeSpan SendInterval => TimeSpan.FromSeconds((double)Conversations * Senders / Rate);
}
