using System.Diagnostics;
using System.Globalization;
using System.Text;
using Community.Contracts;
using Community.Messaging.Bench;
using Npgsql;

// Messaging under load: two messaging instances (real Kestrel, one PostgreSQL, the Redis backplane) behind the
// gateway, all in this process. (b) reads: history page, unread count and conversation list of a member of many
// conversations; (a) live: WebSocket clients through the gateway, send-to-delivery latency and order.
if (args is [Node.Mode])
    return await Node.RunAsync();
if (args is [TraceReport.Mode, var trace])
    return TraceReport.Run(trace, top: 30);
var options = MessagingBenchOptions.Parse(args);
if (options is null)
    return 2;

var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Community.sln")))
    root = root.Parent;
if (root is null)
    throw new InvalidOperationException("Run the benchmark from inside the repository.");

// In-process hosting needs each app's content root (where its appsettings.json lives).
Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_MESSAGING",
    Path.Combine(root.FullName, "services/messaging/Messaging.Api")
);
Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_GATEWAY",
    Path.Combine(root.FullName, "gateway/Gateway")
);

// A thousand receive loops wake at once on every fan-out; a warm pool keeps thread injection out of the latency.
ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 8), 64);

var started = Stopwatch.StartNew();
var resources = await TestInfrastructure.IsolateAsync("msgbench");
var scratch = Directory.CreateTempSubdirectory("community-messaging-bench-");
try
{
    var database = await resources.AddDatabaseAsync("messaging");
    // Its users exist as if identity had announced them (writes by unknown users are refused).
    using var tokens = new TestTokens(TimeProvider.System)
    {
        Issued = new KnownUsersRecorder(() => resources.DatabaseConnectionStrings).Record,
    };
    // Each host says once that it reads no revocation feed and keeps its keys unencrypted; true here, and noise in the
    // report.
    const string Quiet = "Error";
    Dictionary<string, string?> MessagingSettings() =>
        new()
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = Quiet,
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = Quiet,
            [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = resources.BrokerUri,
            [$"ConnectionStrings:{ResourceNames.Redis}"] = resources.RedisConnectionString,
            ["RealTime:RedisKeyPrefix"] = resources.RedisKeyPrefix,
            [$"ConnectionStrings:{ResourceNames.DatabaseOf(ResourceNames.Messaging)}"] = database,
            ["DataProtection:KeyRingPath"] = Path.Combine(scratch.FullName, "keys"),
            ["Messaging:Attachments:LocalPath"] = Path.Combine(scratch.FullName, "attachments"),
        };
    Dictionary<string, string?> GatewaySettings() =>
        new()
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = Quiet,
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = Quiet,
            // Every client of the benchmark comes from 127.0.0.1: the per-IP and per-user limits would measure
            // themselves.
            ["RateLimits:PerIp:PermitLimit"] = "10000000",
            ["RateLimits:PerUser:PermitLimit"] = "10000000",
        };
    await using var hosts =
        options.Nodes > 0
            ? await LiveHosts.NodesAsync(options.Nodes, MessagingSettings, GatewaySettings, tokens)
            : LiveHosts.InProcess(MessagingSettings, GatewaySettings, tokens, gateway: !options.NoGateway);
    Console.WriteLine($"PostgreSQL, RabbitMQ, Redis, {hosts.Layout} up in {started.Elapsed.TotalSeconds:0.0} s");

    await using var dataSource = NpgsqlDataSource.Create(database);
    var stamp = DateTime.UtcNow;
    var report = new StringBuilder();
    void Line(string text = "")
    {
        Console.WriteLine(text);
        report.AppendLine(text);
    }
    Line(
        string.Create(
            CultureInfo.InvariantCulture,
            $"Messaging benchmark, {stamp:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores; {hosts.Layout}"
        )
    );
    // The figures mean little without how busy the machine was: everything here shares its cores.
    Line("load average at the start: " + LoadAverage());
    Line(new string('=', 100));

    var seeder = new Seeder(dataSource, DateTimeOffset.UtcNow);
    var live = seeder.Live(options.Clients, options.Conversations);
    // The peer comparison is about live delivery only: no reader, no reads.
    var reader = options.Peer
        ? new ReaderWorld(Guid.Empty, [], 0)
        : seeder.Reader(options.ReaderConversations, options.History, new Random(42));
    var seeding = Stopwatch.StartNew();
    await seeder.WriteAsync();
    Line(
        string.Create(
            CultureInfo.InvariantCulture,
            $"seeded {options.Clients:N0} users in {options.Conversations} event chats, and a reader in "
                + $"{reader.Conversations.Length} conversations with {reader.Messages:N0} messages, in "
                + $"{seeding.Elapsed.TotalSeconds:0.0} s"
        )
    );

    // Reads first, on a quiet database; the live run then adds its messages.
    if (options.SkipReads || options.Peer || hosts.FirstInstance is null)
        Line(
            "\n(b) Reads: not run"
                + (
                    options.SkipReads ? " (--skip-reads)"
                    : options.Peer ? " (--peer)"
                    : " (they need an instance in this process)"
                )
        );
    else
        await ReadRun.RunAsync(
            options,
            reader,
            new HttpClient { BaseAddress = hosts.Gateways[0] },
            tokens,
            hosts.FirstInstance,
            dataSource,
            Line
        );
    var ours = await LiveRun.RunAsync(options, live, hosts, tokens, dataSource, resources.RedisConnectionString, Line);
    if (options.Peer)
        await PeerRun.RunAsync(
            options,
            root.FullName,
            await resources.AddDatabaseAsync("ejabberd"),
            ours,
            new PeerProbe.OurSide(live, hosts.Gateways[0], tokens, dataSource, ServersInProcess: options.Nodes == 0),
            Line
        );

    Line("");
    Line("load average at the end: " + LoadAverage());
    var results = Path.Combine(root.FullName, "bench/results");
    Directory.CreateDirectory(results);
    var kind = options.Peer ? "peer" : "messaging";
    await File.WriteAllTextAsync(Path.Combine(results, $"{kind}-{stamp:yyyyMMdd-HHmm}.txt"), report.ToString());
    await File.WriteAllTextAsync(Path.Combine(results, $"{kind}-latest.txt"), report.ToString());
    Console.WriteLine($"report written to bench/results/{kind}-{stamp:yyyyMMdd-HHmm}.txt and {kind}-latest.txt");
}
catch (Exception e)
{
    // Caught rather than left unhandled, so the process exits normally and the private PostgreSQL and RabbitMQ stop
    // with it.
    Console.Error.WriteLine(e);
    return 1;
}
finally
{
    if (options.Keep)
        Console.WriteLine(
            $"--keep: database and vhost '{resources.Name}' left in place (they outlive the run only on "
                + "COMMUNITY_POSTGRES / COMMUNITY_RABBITMQ)"
        );
    else
        await resources.DisposeAsync();
    scratch.Delete(recursive: true);
}
return 0;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
