extern alias EventsApi;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Community.Events.Bench;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using Community.TicketDrop.Bench;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using EventsProgram = EventsApi::Program;
using JoinBatches = EventsApi::Community.Events.Registrations.JoinBatches;

// A ticket drop: N people press "register" for one event at the same moment, spread over TWO
// events instances (real Kestrel, one PostgreSQL). Reports request-to-answer latency and what
// the database says afterwards: seats taken against capacity, waitlisted, refused, errors.
var people = Arg("--people", 500);
var capacity = Arg("--capacity", 100);
var rounds = Arg("--rounds", 3);
var warmups = Arg("--warmups", 4);

// Connections per instance to PostgreSQL, as an operator sets Maximum Pool Size in the connection string; 0 keeps what
// the services ship with (DatabaseSetup.DefaultPoolSize, 20; 100 is Npgsql's own default).
var pool = Arg("--pool", 0);

// --connection "No Reset On Close=false": more Npgsql settings for the services' connection string (to compare one
// against the shipped defaults). A warm-up round that JIT-compiles no more than this many methods counts as settled.
const int SettledJit = 25;

// In-process hosting needs the service's content root (where its appsettings.json lives).
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Community.sln")))
    root = root.Parent;
if (root is null)
    throw new InvalidOperationException("Run the benchmark from inside the repository.");
Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_COMMUNITY_EVENTS",
    Path.Combine(root.FullName, "services/events/Events.Api")
);

var started = Stopwatch.StartNew();
await using var resources = await TestInfrastructure.IsolateAsync("dropbench");
var database =
    await resources.AddDatabaseAsync("events")
    + (pool > 0 ? $";Maximum Pool Size={pool}" : "")
    + (Text("--connection") is { } extra ? ";" + extra : "");

// Its users exist as if identity had announced them (writes by unknown users are refused).
using var tokens = new TestTokens(TimeProvider.System)
{
    Issued = new KnownUsersRecorder(() => resources.DatabaseConnectionStrings).Record,
};
void Shared(IServiceCollection services) => services.AddSingleton<ISigningKeySource>(tokens);
Dictionary<string, string?> Settings() =>
    new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["ConnectionStrings:rabbitmq"] = resources.BrokerUri,
        ["ConnectionStrings:events-db"] = database,
    };
await using var first = new ServiceHost<EventsProgram>(Settings(), Shared).Start();
await using var second = new ServiceHost<EventsProgram>(Settings(), Shared).Start();
using var firstClient = first.NewClient();
using var secondClient = second.NewClient();
HttpClient[] instances = [firstClient, secondClient];
Console.WriteLine($"infrastructure and two events instances up in {started.Elapsed.TotalSeconds:0.0} s");

// How many newcomers each batched registering statement settled (both instances), per case.
var batchSizes = new System.Collections.Concurrent.ConcurrentQueue<int>();
using var batchListener = new System.Diagnostics.Metrics.MeterListener
{
    InstrumentPublished = (instrument, listener) =>
    {
        if (instrument.Name == JoinBatches.SizeName)
            listener.EnableMeasurementEvents(instrument);
    },
};
batchListener.SetMeasurementEventCallback<int>((_, size, _, _) => batchSizes.Enqueue(size));
batchListener.Start();

var organizer = tokens.Issue(Guid.NewGuid(), "organizer");
var report = new StringBuilder();
report.AppendLine(
    $"Ticket drop: {people} people register for one event at once through two events instances "
        + $"({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average "
        + $"{CpuShare.LoadAverage()})"
);

// Warm-up, on events of its own: both connection pools (HTTP and PostgreSQL), every connection's prepared statements,
// and every path a drop takes run until the JIT has settled (tiered compilation has given the hot methods their
// optimised code), as in a service that has been up for a while: a drop lands on instances that have served traffic
// for hours, not on a cold start. At least --warmups rounds; then more, up to 40, while a round still compiles methods.
var warmupRounds = 0;
long compiledInRound;
do
{
    var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
    await DropAsync(await EventAsync(capacity, waitlist: true, paid: false), people);
    await DropAsync(await EventAsync(capacity, waitlist: false, paid: true), people);
    await BurstAsync(await EventAsync(capacity, waitlist: true, paid: false), people, read: true);
    await Task.Delay(TimeSpan.FromMilliseconds(500));
    compiledInRound = System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore;
    warmupRounds++;
    Console.WriteLine($"warm-up round {warmupRounds}: {compiledInRound} methods compiled");
} while (warmupRounds < warmups || (compiledInRound > SettledJit && warmupRounds < 40));
report.AppendLine(
    "PostgreSQL pool per instance: "
        + (
            pool > 0
                ? pool.ToString(CultureInfo.InvariantCulture)
                : $"as shipped ({Community.ServiceDefaults.Data.DatabaseSetup.DefaultPoolSize})"
        )
        + $"; {warmupRounds} warm-up rounds (the last compiled {compiledInRound} methods); "
        + $"server GC {System.Runtime.GCSettings.IsServerGC}"
);

// The floor: the same burst reading the event (auth, routing, one query), so the drop's cost is seen against what the
// machine does at all.
var floorEvent = await EventAsync(capacity, waitlist: true, paid: false);
var floor = new List<double>();
var floorCpu = new CpuShare(0, 0, 0, 0, 0);
for (var round = 0; round < rounds; round++)
{
    var burst = await BurstAsync(floorEvent, people, read: true);
    floor.AddRange(burst.Latencies);
    floorCpu = floorCpu.Plus(burst.Cpu);
}
report.AppendLine(Line($"floor: {people} reads of the event at once", floor));
report.AppendLine("  " + floorCpu.PerRequest(people * rounds));

foreach (
    var (name, waitlist, paid) in new[] { ("free, waiting list", true, false), ("paid, no waiting list", false, true) }
)
{
    var all = new List<double>();
    var lines = new List<string>();
    var caseCpu = new CpuShare(0, 0, 0, 0, 0);
    batchSizes.Clear();
    for (var round = 0; round < rounds; round++)
    {
        var eventId = await EventAsync(capacity, waitlist, paid);
        var (latencies, statuses, wall, cpu) = await DropAsync(eventId, people);
        all.AddRange(latencies);
        caseCpu = caseCpu.Plus(cpu);
        var books = await BooksAsync(eventId);
        var seated = statuses.Count(s => s is HttpStatusCode.Created or HttpStatusCode.PaymentRequired);
        var waitlisted = statuses.Count(s => s == HttpStatusCode.Accepted);
        var refused = statuses.Count(s => s == HttpStatusCode.Conflict);
        var errors = statuses.Length - seated - waitlisted - refused;
        lines.Add(
            string.Create(
                CultureInfo.InvariantCulture,
                $"  round {round + 1}: seats taken {books.SeatsTaken}/{capacity} (rows holding a seat "
                    + $"{books.Holding}), answered seated {seated}, waitlisted {waitlisted}, refused {refused}, errors "
                    + $"{errors}; wall {wall:0} ms"
            )
        );
        if (books.SeatsTaken != capacity || books.Holding != capacity || seated != capacity || errors != 0)
            lines.Add("  !! the books do not match the capacity or some requests failed");
    }
    report.AppendLine(Line($"{name} (capacity {capacity}, {rounds} rounds)", all));
    report.AppendLine("  " + caseCpu.PerRequest(people * rounds));
    var sizes = batchSizes.ToArray();
    report.AppendLine(
        sizes.Length == 0
            ? "  batched statements: none"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"  batched statements: {sizes.Length / (double)rounds:0.#} per round, "
                    + $"{sizes.Sum() / (double)rounds:0} newcomers in them; size mean "
                    + $"{sizes.Average():0.0}, largest {sizes.Max()}"
            )
    );
    foreach (var line in lines)
        report.AppendLine(line);
}
report.AppendLine(await HotUpdatesAsync());
Console.Write(report);
var results = Path.Combine(root.FullName, "bench/results");
Directory.CreateDirectory(results);
await File.WriteAllTextAsync(Path.Combine(results, "ticket-drop-latest.txt"), report.ToString());
return;

async Task<string> EventAsync(int seats, bool waitlist, bool paid)
{
    var starts = DateTimeOffset.UtcNow.AddDays(10);
    var created = await Json(
        await firstClient.PostJson(
            "/api/v1/events",
            new Dictionary<string, object?>
            {
                ["title"] = "Ticket drop " + Guid.NewGuid().ToString("N")[..6],
                ["event_type"] = "social",
                ["latitude"] = 52.52,
                ["longitude"] = 13.40,
                ["starts_at"] = starts,
                ["ends_at"] = starts.AddHours(3),
                ["time_zone"] = "Europe/Berlin",
                ["capacity"] = seats,
                ["waitlist_enabled"] = waitlist,
                ["price_cents"] = paid ? 2500 : 0,
                ["currency"] = paid ? "EUR" : null,
            },
            organizer
        )
    );
    var id = created.GetProperty("id").GetString()!;
    (await firstClient.PostJson($"/api/v1/events/{id}/publish", new { }, organizer)).EnsureSuccessStatusCode();
    return id;
}

// Everyone's token is made and every HTTP connection opened before the gate opens, so the clock measures the service.
Task<(List<double> Latencies, HttpStatusCode[] Statuses, double WallMs, CpuShare Cpu)> DropAsync(
    string eventId,
    int count
) => BurstAsync(eventId, count, read: false);

async Task<(List<double> Latencies, HttpStatusCode[] Statuses, double WallMs, CpuShare Cpu)> BurstAsync(
    string eventId,
    int count,
    bool read
)
{
    var buyers = Enumerable.Range(0, count).Select(_ => tokens.Issue(Guid.NewGuid())).ToList();
    await Task.WhenAll(Enumerable.Range(0, count).Select(i => instances[i % 2].GetAsync($"/api/v1/events/{eventId}")));
    var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var attempts = buyers
        .Select(
            async (token, i) =>
            {
                await gate.Task;
                var watch = Stopwatch.StartNew();
                using var response = read
                    ? await instances[i % 2].Get($"/api/v1/events/{eventId}", token)
                    : await instances[i % 2].PostJson($"/api/v1/events/{eventId}/registrations", new { }, token);
                await response.Content.LoadIntoBufferAsync();
                return (watch.Elapsed.TotalMilliseconds, response.StatusCode);
            }
        )
        .ToList();
    var cpu = CpuShare.Read();
    var wall = Stopwatch.StartNew();
    gate.SetResult();
    var outcomes = await Task.WhenAll(attempts);
    var elapsed = wall.Elapsed.TotalMilliseconds;
    return (
        outcomes.Select(o => o.TotalMilliseconds).ToList(),
        outcomes.Select(o => o.StatusCode).ToArray(),
        elapsed,
        CpuShare.Read().Since(cpu)
    );
}

async Task<(int SeatsTaken, long Holding)> BooksAsync(string eventId)
{
    await using var connection = new NpgsqlConnection(database);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(
        "SELECT e.seats_taken, (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status IN ('held', "
            + "'confirmed')) FROM community_events e WHERE e.id = @id",
        connection
    );
    command.Parameters.AddWithValue("id", Guid.Parse(eventId));
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    return (reader.GetInt32(0), reader.GetInt64(1));
}

// How the event rows' seat updates were written: a HOT update rewrites the row in its page and touches no index; any
// other writes a new version into every index of community_events (GiST, GIN included).
async Task<string> HotUpdatesAsync()
{
    await Task.Delay(TimeSpan.FromSeconds(1.5)); // statistics reach the collector within a second of the commit
    await using var connection = new NpgsqlConnection(database);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'community_events'",
        connection
    );
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    return string.Create(
        CultureInfo.InvariantCulture,
        $"event row updates (the whole run): {reader.GetInt64(0)}, of them HOT (no index written) {reader.GetInt64(1)}"
    );
}

static async Task<JsonElement> Json(HttpResponseMessage response)
{
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
        throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
    return JsonDocument.Parse(text).RootElement.Clone();
}

static string Line(string name, List<double> ms)
{
    var s = LatencyStats.From(name, ms);
    return string.Create(
        CultureInfo.InvariantCulture,
        $"{name, -44} n={s.Runs, 5}  p50 {s.P50, 7:0.0} ms  p95 {s.P95, 7:0.0} ms  p99 "
            + $"{s.P99, 7:0.0} ms  max {s.Max, 7:0.0} ms"
    );
}

string? Text(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
