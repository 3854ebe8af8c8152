extern alias CompanionApi;
extern alias GatewayApp;
using System.Diagnostics;
using System.Text;
using Community.Companion.Bench;
using Community.Contracts;
using Community.Contracts.Identity;
using Community.Events.Bench;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CompanionDisclosure = CompanionApi::Community.AiCompanion.Conversation.CompanionDisclosure;
using CompanionProgram = CompanionApi::Program;
using GatewayProgram = GatewayApp::Program;

// The companion's streaming under load: the ai-companion service (real Kestrel, its own PostgreSQL database and
// RabbitMQ vhost) behind the real gateway, the fake OpenAI-compatible server as its model (a delay before the first
// chunk and between chunks), all in this process so the model's first chunk and the client's first delta share one
// clock.
// (1) single streams one after another, (2) levels of concurrent streams; per stream: model first chunk -> client first
// delta.
var options = CompanionBenchOptions.Parse(args);
if (options is null)
    return 2;

const string Reply = "That sounds like a lot to carry. What would help most today?";
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Community.sln")))
    root = root.Parent;
if (root is null)
    throw new InvalidOperationException("Run the benchmark from inside the repository.");

// In-process hosting needs each app's content root (where its appsettings.json lives).
Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_AICOMPANION",
    Path.Combine(root.FullName, "services/ai-companion/AiCompanion.Api")
);
Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_GATEWAY",
    Path.Combine(root.FullName, "gateway/Gateway")
);

// Hundreds of streams wake at once when the model's chunks arrive; a warm pool keeps thread injection out of the
// latency.
ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 8), 64);

var started = Stopwatch.StartNew();
var resources = await TestInfrastructure.IsolateAsync("companionbench");
var scratch = Directory.CreateTempSubdirectory("community-companion-bench-");
var failed = false;
try
{
    var database = await resources.AddDatabaseAsync("companion");
    await using var model = await FakeOpenAiServer.StartAsync();
    model.DefaultReply = Reply;
    model.FirstChunkDelay = TimeSpan.FromMilliseconds(options.FirstChunkMs);
    model.ChunkDelay = TimeSpan.FromMilliseconds(options.ChunkMs);
    // Its users exist as if identity had announced them (writes by unknown users are refused).
    using var tokens = new TestTokens(TimeProvider.System)
    {
        Issued = new KnownUsersRecorder(() => resources.DatabaseConnectionStrings).Record,
    };
    void Shared(IServiceCollection services) => services.AddSingleton<ISigningKeySource>(tokens);
    // Each host says once that it reads no revocation feed and keeps its keys unencrypted; true here, and noise in the
    // report.
    const string Quiet = "Error";
    await using var companion = new ServiceHost<CompanionProgram>(
        new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = Quiet,
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = Quiet,
            [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = resources.BrokerUri,
            [$"ConnectionStrings:{ResourceNames.DatabaseOf(ResourceNames.AiCompanion)}"] = database,
            ["DataProtection:KeyRingPath"] = Path.Combine(scratch.FullName, "keys"),
            ["Companion:Model:Endpoint"] = model.Endpoint,
            ["Companion:Model:Model"] = "bench-model",
            ["Companion:Model:ApiKey"] = "sk-bench-not-a-secret",
        },
        Shared
    ).Start();
    await using var gateway = new ServiceHost<GatewayProgram>(
        new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = Quiet,
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = Quiet,
            [$"Services:{ResourceNames.AiCompanion}"] = companion.BaseAddress.ToString().TrimEnd('/'),
            // A stream cut at --timeout is logged per request as a Warning; the report counts those by kind.
            ["Logging:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder"] = Quiet,
            // Every client of the benchmark comes from 127.0.0.1: the per-IP limit would measure itself.
            ["RateLimits:PerIp:PermitLimit"] = "10000000",
            ["RateLimits:PerUser:PermitLimit"] = "10000000",
        },
        Shared
    ).Start();
    Console.WriteLine(
        "PostgreSQL, RabbitMQ, the fake model, the companion and the gateway up in "
            + $"{started.Elapsed.TotalSeconds:0.0} s"
    );

    var stamp = DateTime.UtcNow;
    var report = new StringBuilder();
    void Line(string text = "")
    {
        Console.WriteLine(text);
        report.AppendLine(text);
    }
    var pieces = FakeOpenAiServer.Pieces(Reply).Count;
    Line(
        string.Create(
            CultureInfo.InvariantCulture,
            $"Companion streaming benchmark, {stamp:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores; "
                + $"ai-companion behind the gateway, the fake model server, all in one "
                + $"process{(options.Short ? " (--short)" : "")}"
        )
    );
    // The figures mean little without how busy the machine was: everything here shares its cores.
    Line("load average at the start: " + LoadAverage());
    Line(
        string.Create(
            CultureInfo.InvariantCulture,
            $"fake model: first chunk after {options.FirstChunkMs} ms, then {pieces} text pieces {options.ChunkMs} ms "
                + $"apart (a stream cannot end before about "
                + $"{options.FirstChunkMs + (pieces - 1) * options.ChunkMs} ms); reply \"{Reply}\""
        )
    );
    Line(
        "each stream: a distinct elite-tier user (no daily limit), a new conversation (its first reply opens with the "
            + "AI disclosure), its own client_txn_id"
    );
    Line(new string('=', 120));

    // Every user the run needs, announced as identity would and projected before anything is timed.
    var warmUp = (Singles: 5, Concurrent: 20);
    var needed = warmUp.Singles + warmUp.Concurrent + options.Singles + options.Levels.Sum() * options.Rounds;
    var users = Enumerable.Range(0, needed).Select(_ => Guid.NewGuid()).ToList();
    var bus = companion.Services.GetRequiredService<IBus>();
    var registering = Stopwatch.StartNew();
    foreach (var id in users)
    {
        var registered = new UserRegistered(
            Guid.NewGuid(),
            DateTimeOffset.UtcNow,
            id,
            "b" + id.ToString("N")[..12],
            null,
            null,
            "Bench User",
            Roles.Member,
            "BENCH",
            null
        );
        await bus.Publish(registered, context => context.MessageId = registered.MessageId);
    }
    await using (var dataSource = NpgsqlDataSource.Create(database))
    {
        while (true)
        {
            await using var count = dataSource.CreateCommand("SELECT count(*) FROM users WHERE user_id = ANY(@ids)");
            count.Parameters.AddWithValue("ids", users.ToArray());
            if ((long)(await count.ExecuteScalarAsync())! == users.Count)
                break;
            if (registering.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException("The companion did not project every benchmark user within 2 minutes.");
            await Task.Delay(200);
        }
    }
    Line(
        string.Create(
            CultureInfo.InvariantCulture,
            $"{users.Count:N0} users registered and projected in {registering.Elapsed.TotalSeconds:0.0} s"
        )
    );
    var nextUser = 0;
    (Guid Id, string Token) NextUser()
    {
        var id = users[nextUser++];
        return (id, tokens.Issue(id, Roles.Member, Tiers.Elite));
    }

    var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
    using var handler = new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = int.MaxValue,
    };
    using var client = new HttpClient(handler)
    {
        BaseAddress = gateway.BaseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    Task<StreamResult> StreamAsync(string run, int i, string token)
    {
        var tag = $"{run}-{i}";
        return StreamClient.SendAsync(
            client,
            token,
            tag,
            $"Long week at work, I keep going over it. (bench stream {tag})",
            Reply,
            CompanionDisclosure.FirstReply,
            timeout
        );
    }

    async Task<Batch> SinglesAsync(string run, int count)
    {
        var results = new List<StreamResult>(count);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
            results.Add(await StreamAsync(run, i, NextUser().Token));
        return Batch.Of(run, count, results, clock.Elapsed, 0, model);
    }

    async Task<Batch> ConcurrentAsync(string run, int count)
    {
        var batch = Enumerable.Range(0, count).Select(_ => NextUser()).ToList();
        // Each user's usage read at once first, so the client's and the gateway's connections are open before the gate.
        var warm = await Task.WhenAll(
            batch.Select(async u =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/companion/usage");
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                    "Bearer",
                    u.Token
                );
                using var response = await client.SendAsync(request);
                return response.IsSuccessStatusCode;
            })
        );
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var streams = batch
            .Select(
                async (u, i) =>
                {
                    await gate.Task;
                    return await StreamAsync(run, i, u.Token);
                }
            )
            .ToList();
        var clock = Stopwatch.StartNew();
        gate.SetResult();
        var results = await Task.WhenAll(streams);
        return Batch.Of(run, count, results, clock.Elapsed, warm.Count(ok => !ok), model);
    }

    // Untimed: JIT, connection pools, the database's caches.
    var warmed = await SinglesAsync("warm-single", warmUp.Singles);
    var warmedConcurrent = await ConcurrentAsync("warm-concurrent", warmUp.Concurrent);
    Line(
        string.Create(
            CultureInfo.InvariantCulture,
            $"warm-up (not counted): {warmUp.Singles} single streams, {warmedConcurrent.Streams} at once; errors "
                + $"{warmed.Errors.Count + warmedConcurrent.Errors.Count}"
        )
    );
    Line();

    var batches = new List<Batch> { await SinglesAsync("single", options.Singles) };
    Line(batches[0].Summary());
    for (var round = 1; round <= options.Rounds; round++)
        foreach (var level in options.Levels)
        {
            var batch = await ConcurrentAsync($"c{level}r{round}", level);
            batches.Add(batch);
            Line(batch.Summary());
        }

    Line();
    Line("Pooled over rounds (ms; nearest-rank percentiles):");
    Line(
        $"{"streams", -22} {"n", 6} {"errors", 7} {"total s", 8}  {"model->client first token p50/p95/p99/max", -42} "
            + $"{"request->first token p50/p95/p99", -34} {"request->done p50/p95/p99", -30}"
    );
    var groups = new List<(string Name, List<Batch> Batches)> { ("single, one at a time", [batches[0]]) };
    groups.AddRange(
        options.Levels.Select(level =>
            ($"{level} at once", batches.Where(b => b.Name.StartsWith($"c{level}r", StringComparison.Ordinal)).ToList())
        )
    );
    foreach (var (name, group) in groups)
    {
        var all = group.SelectMany(b => b.Results).ToList();
        Line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{name, -22} {all.Count, 6} {group.Sum(b => b.Errors.Count), 7} "
                    + $"{group.Average(b => b.Elapsed.TotalSeconds), 8:0.00}  "
                    + $"{Stats(group.SelectMany(b => b.Gaps), withMax: true), -42} "
                    + $"{Stats(group.SelectMany(b => b.ToFirstToken)), -34} "
                    + $"{Stats(group.SelectMany(b => b.ToDone)), -30}"
            )
        );
    }
    Line("(total s: the mean of the rounds' wall time, first request sent to last done event)");

    Line();
    var errors = batches.SelectMany(b => b.Errors).GroupBy(e => e).OrderByDescending(g => g.Count()).ToList();
    Line(
        errors.Count == 0
            ? "errors: none (every stream ended with its done event and the model's text)"
            : "errors by kind: " + string.Join("; ", errors.Select(g => $"{g.Key} x{g.Count()}"))
    );
    var unmatched = batches.Sum(b => b.Unmatched);
    if (unmatched > 0)
        Line($"streams whose model first chunk was not found in the fake server's record: {unmatched}");
    var warmFailures = batches.Sum(b => b.WarmFailures);
    if (warmFailures > 0)
        Line($"usage reads before the gate that failed: {warmFailures}");

    // The issue's two bars, as figures: first token through the gateway within 100 ms of the model's; 200 at once
    // without errors.
    Line();
    foreach (var (name, group) in groups)
    {
        var gaps = group.SelectMany(b => b.Gaps).ToList();
        if (gaps.Count == 0)
            continue;
        var stats = LatencyStats.From(name, gaps);
        Line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"first token within 100 ms of the model's, {name}: p95 {stats.P95:0.0} ms, p99 {stats.P99:0.0} ms -> "
                    + $"{(stats.P99 <= 100 ? "met" : stats.P95 <= 100 ? "met at p95, not at p99" : "NOT met")}"
            )
        );
    }
    var top = options.Levels.Max();
    var topErrors = groups.Single(g => g.Name == $"{top} at once").Batches.Sum(b => b.Errors.Count);
    Line(
        top >= 200
            ? $"{top} concurrent streams without errors: {(topErrors == 0 ? "met" : $"NOT met ({topErrors} errors)")}"
            : $"{top} concurrent streams at most (the issue asks for 200): {topErrors} errors"
    );
    failed = errors.Count > 0;

    Line();
    Line("load average at the end: " + LoadAverage());
    var results = Path.Combine(root.FullName, "bench/results");
    Directory.CreateDirectory(results);
    await File.WriteAllTextAsync(Path.Combine(results, $"companion-{stamp:yyyyMMdd-HHmm}.txt"), report.ToString());
    await File.WriteAllTextAsync(Path.Combine(results, "companion-latest.txt"), report.ToString());
    Console.WriteLine($"report written to bench/results/companion-{stamp:yyyyMMdd-HHmm}.txt and companion-latest.txt");
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
    await resources.DisposeAsync();
    scratch.Delete(recursive: true);
}
return failed ? 1 : 0;

static string Stats(IEnumerable<double> samples, bool withMax = false)
{
    var list = samples.ToList();
    if (list.Count == 0)
        return "-";
    var s = LatencyStats.From("", list);
    return string.Create(
        CultureInfo.InvariantCulture,
        $"{s.P50:0.0} / {s.P95:0.0} / {s.P99:0.0}{(withMax ? $" / {s.Max:0.0}" : "")}"
    );
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
