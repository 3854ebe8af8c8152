using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Community.Resilience.Bench;

internal sealed record KillOptions(
    int Workers,
    int SteadySeconds,
    int Replicas,
    IReadOnlyList<string> Services,
    bool Roll,
    string Output
)
{
    public static readonly string[] All = ["identity", "social", "messaging", "events", "payments", "ai-companion"];

    public static KillOptions Parse(string[] args)
    {
        var options = new KillOptions(8, 30, 2, All, true, "bench/results/kill-latest.txt");
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--workers" => options with { Workers = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--steady" => options with { SteadySeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--replicas" => options with { Replicas = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--services" => options with { Services = Next().Split(',') },
                "--no-roll" => options with { Roll = false },
                "--output" => options with { Output = Next() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }
}

/// <summary>One request as a client saw it: its phase, what it was, its status (0: no answer) and latency.</summary>
internal sealed record Outcome(string Phase, string Operation, int Status, double Ms, string? Error);

/// <summary>
/// Steady load through the gateway (reads of every service, a profile merge patch and group creations with an
/// Idempotency-Key, each worker its own member, paced under the per-user rate limit) while one instance of each
/// service is SIGKILLed in turn and, then, each service is rolled from the dashboard.
/// </summary>
internal sealed class KillRun(KillOptions options, string gatewayUrl, string dashboardUrl) : IAsyncDisposable
{
    private const string Password = "kill-test-password-42";
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(250);
    private readonly HttpClient _gateway = new()
    {
        BaseAddress = new Uri(gatewayUrl),
        Timeout = TimeSpan.FromSeconds(60),
    };
    private readonly HttpClient _dashboard = new() { BaseAddress = new Uri(dashboardUrl) };
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly ConcurrentDictionary<string, int> _groups = new(); // created id -> worker
    private readonly List<string> _events = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile string _phase = "warm-up";

    public async Task<bool> WaitUntilHealthyAsync(TimeSpan timeout, Process apphost)
    {
        var expected = options.Services.Count * options.Replicas + 1;
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(2000))
        {
            if (apphost.HasExited)
                return false;
            try
            {
                var resources = await ServicesAsync();
                if (resources.Count >= expected && resources.All(r => r.State == "Healthy"))
                    return true;
            }
            catch (HttpRequestException)
            {
                // the dashboard is not up yet
            }
        }
        return false;
    }

    public async Task<string> RunAsync()
    {
        var members = new List<(string Username, string Token)>();
        var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        for (var i = 0; i < options.Workers; i++)
        {
            var username = $"kill{run}w{i}";
            members.Add((username, await RegisterAsync(username)));
        }
        using var stop = new CancellationTokenSource();
        var workers = members.Select((m, i) => Task.Run(() => WorkAsync(i, m.Username, m.Token, stop.Token))).ToList();
        await Task.Delay(TimeSpan.FromSeconds(5));

        _phase = "steady";
        Note("steady load");
        await Task.Delay(TimeSpan.FromSeconds(options.SteadySeconds));
        foreach (var service in options.Services)
        {
            _phase = $"kill {service}";
            await KillOneAsync(service);
        }
        if (options.Roll)
        {
            foreach (var service in options.Services)
            {
                _phase = $"roll {service}";
                await RollAsync(service);
            }
        }
        _phase = "steady after";
        Note("steady load again");
        await Task.Delay(TimeSpan.FromSeconds(options.SteadySeconds));
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        var tokens = new List<string>();
        foreach (var (username, token) in members)
            tokens.Add(await SignInAsync(username, token));
        var writes = await CheckGroupsAsync(tokens);
        return Report(writes);
    }

    private async Task KillOneAsync(string service)
    {
        var victim = (await ServicesAsync()).First(r => r.Name == $"{service}-1");
        if (victim.Pid is not { } pid)
        {
            Note($"{victim.Name} has no pid; not killed");
            return;
        }
        var started = _clock.Elapsed;
        Process.GetProcessById(pid).Kill(); // SIGKILL: no graceful stop, connections drop mid-request
        Note($"SIGKILL {victim.Name} (pid {pid})");
        var back = await WaitAsync(r => r.Name == victim.Name && r.Restarts > victim.Restarts && r.State == "Healthy");
        Note(
            back
                ? $"{victim.Name} restarted by AppHost and healthy after {Since(started):0.0} s"
                : $"{victim.Name} NOT back within 5 minutes"
        );
        await Task.Delay(TimeSpan.FromSeconds(5));
    }

    private async Task RollAsync(string service)
    {
        var before = (await ServicesAsync()).Where(r => r.Service == service).ToDictionary(r => r.Name, r => r.Pid);
        var started = _clock.Elapsed;
        using var response = await _dashboard.PostAsync(
            $"/api/services/{service}/rolling-restart",
            new ByteArrayContent([])
        );
        Note($"rolling restart of {service}: {(int)response.StatusCode}");
        var rolled = await WaitAsync(
            r => r.Service == service && r.State == "Healthy" && r.Pid != before.GetValueOrDefault(r.Name),
            all: before.Count
        );
        Note(
            rolled
                ? $"{service} rolled ({before.Count} instances, each new pid) in {Since(started):0.0} s"
                : $"{service} NOT rolled within 5 minutes"
        );
        await Task.Delay(TimeSpan.FromSeconds(3));
    }

    private double Since(TimeSpan started) => (_clock.Elapsed - started).TotalSeconds;

    private async Task<bool> WaitAsync(Func<ServiceResource, bool> done, int all = 1)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(5); DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            if ((await ServicesAsync()).Count(done) >= all)
                return true;
        }
        return false;
    }

    private async Task<string> RegisterAsync(string username)
    {
        using var response = await _gateway.PostAsJsonAsync(
            "/api/v1/auth/register",
            new
            {
                username,
                email = $"{username}@example.com",
                password = Password,
                full_name = "Kill Test",
                role = "member",
            }
        );
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"registering {username}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    private async Task<string> SignInAsync(string username, string current)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                using var response = await _gateway.PostAsJsonAsync(
                    "/api/v1/auth/login",
                    new { identifier = username, password = Password }
                );
                if (response.IsSuccessStatusCode)
                    return (await response.Content.ReadFromJsonAsync<JsonObject>())![
                        "access_token"
                    ]!.GetValue<string>();
            }
            catch (HttpRequestException)
            {
                // tried again below
            }
            await Task.Delay(1000);
        }
        return current;
    }

    private static HttpRequestMessage PatchProfile(int worker)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/users/me")
        {
            Content = JsonContent.Create(new { bio = $"kill test worker {worker}" }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return request;
    }

    private async Task WorkAsync(int worker, string username, string token, CancellationToken stop)
    {
        var operations = new (string Name, Func<HttpRequestMessage> Request)[]
        {
            ("GET identity users/me", () => new(HttpMethod.Get, "/api/v1/users/me")),
            ("GET social groups/mine", () => new(HttpMethod.Get, "/api/v1/groups/mine?limit=5")),
            ("GET messaging conversations", () => new(HttpMethod.Get, "/api/v1/conversations?limit=5")),
            ("GET events", () => new(HttpMethod.Get, "/api/v1/events?limit=5")),
            ("GET payments", () => new(HttpMethod.Get, "/api/v1/payments?limit=5")),
            ("GET ai-companion conversation", () => new(HttpMethod.Get, "/api/v1/companion/conversation?limit=5")),
            // a merge patch is idempotent: the client says so with a key, and the gateway may retry it
            ("PATCH identity users/me (Idempotency-Key)", () => PatchProfile(worker)),
            (
                "PUT ai-companion settings",
                () =>
                    new(HttpMethod.Put, "/api/v1/companion/settings")
                    {
                        Content = JsonContent.Create(new { share_profile = worker % 2 == 0 }),
                    }
            ),
            ("POST social groups (Idempotency-Key)", () => CreateGroup(worker)),
        };
        var signedIn = Stopwatch.StartNew();
        for (var i = worker; !stop.IsCancellationRequested; i++)
        {
            if (signedIn.Elapsed > TimeSpan.FromMinutes(10))
            {
                // access tokens live 15 minutes; a new sign-in is not part of the measured load
                token = await SignInAsync(username, token);
                signedIn.Restart();
            }
            var (name, make) = operations[i % operations.Length];
            using var request = make();
            request.Headers.Authorization = new("Bearer", token);
            var phase = _phase;
            var watch = Stopwatch.StartNew();
            try
            {
                using var response = await _gateway.SendAsync(request, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                _outcomes.Enqueue(new(phase, name, (int)response.StatusCode, watch.Elapsed.TotalMilliseconds, null));
                if (
                    response.StatusCode == HttpStatusCode.Created
                    && name.StartsWith("POST social", StringComparison.Ordinal)
                )
                    _groups[JsonNode.Parse(body)!["id"]!.GetValue<string>()] = worker;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                _outcomes.Enqueue(new(phase, name, 0, watch.Elapsed.TotalMilliseconds, e.Message));
            }
            try
            {
                await Task.Delay(Pace, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static HttpRequestMessage CreateGroup(int worker)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/groups")
        {
            Content = JsonContent.Create(
                new
                {
                    name = $"Kill test {worker} {Guid.NewGuid():N}"[..40],
                    description = "Created under the kill test",
                    category = "sports",
                    tags = new[] { "running" },
                    region = "Dubai Marina",
                    interest = "fitness",
                    visibility = "public",
                    join_policy = "open",
                }
            ),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return request;
    }

    /// <summary>Every group a 201 named exists once: none lost, none doubled (each member's list, paged).</summary>
    private async Task<string> CheckGroupsAsync(IReadOnlyList<string> tokens)
    {
        var found = new List<string>();
        foreach (var token in tokens)
        {
            string? cursor = null;
            do
            {
                using var request = new HttpRequestMessage(
                    HttpMethod.Get,
                    "/api/v1/groups/mine?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))
                );
                request.Headers.Authorization = new("Bearer", token);
                using var response = await _gateway.SendAsync(request);
                var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                found.AddRange(page["items"]!.AsArray().Select(g => g!["id"]!.GetValue<string>()));
                cursor = page["next_cursor"]?.GetValue<string>();
            } while (cursor is not null);
        }
        var created = _groups.Keys.ToHashSet();
        var lost = created.Count(id => !found.Contains(id));
        var extra = found.Count - found.Distinct().Count() + found.Count(id => !created.Contains(id));
        return $"groups created (201): {created.Count}; listed afterwards: {found.Count}; lost: {lost}; "
            + $"doubled or unknown: {extra}";
    }

    private string Report(string writes)
    {
        var text = new StringBuilder();
        var all = _outcomes.ToList();
        var measured = all.Where(o => o.Phase != "warm-up").ToList();
        var failures = measured.Count(o => o.Status is < 200 or >= 300);
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Kill test, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {options.Replicas} instances of "
                + $"{string.Join(", ", options.Services)} behind one gateway (AppHost --replicas), {options.Workers} "
                + $"clients through the gateway, each a member pacing {Pace.TotalMilliseconds:0} ms between requests"
        );
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}"
        );
        text.AppendLine();
        text.AppendLine("phase                      requests  failed  p50 ms   p95 ms   max ms  failures by status");
        foreach (var phase in measured.Select(o => o.Phase).Distinct())
        {
            var outcomes = measured.Where(o => o.Phase == phase).ToList();
            var latencies = outcomes.Select(o => o.Ms).Order().ToList();
            var byStatus = outcomes
                .Where(o => o.Status is < 200 or >= 300)
                .GroupBy(o => o.Status == 0 ? "no answer" : $"{o.Status}")
                .Select(g => $"{g.Key}: {g.Count()}");
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"{phase, -26} {outcomes.Count, 8} {outcomes.Count(o => o.Status is < 200 or >= 300), 7} "
                    + $"{Percentile(latencies, 0.5), 7:0.0} {Percentile(latencies, 0.95), 8:0.0} "
                    + $"{latencies.LastOrDefault(), 8:0.0}  {string.Join(", ", byStatus)}"
            );
        }
        text.AppendLine();
        text.AppendLine("failed requests (first 20):");
        foreach (var o in measured.Where(o => o.Status is < 200 or >= 300).Take(20))
            text.AppendLine(CultureInfo.InvariantCulture, $"  [{o.Phase}] {o.Operation}: {o.Status} {o.Error}");
        text.AppendLine();
        text.AppendLine("what happened:");
        lock (_events)
            foreach (var line in _events)
                text.AppendLine("  " + line);
        text.AppendLine();
        text.AppendLine("writes: " + writes);
        var lostOrDoubled = !writes.EndsWith("lost: 0; doubled or unknown: 0", StringComparison.Ordinal);
        var notBack = _events.Any(e => e.Contains(" NOT ", StringComparison.Ordinal));
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"RESULT: {(failures == 0 && !lostOrDoubled && !notBack ? "PASS" : "FAIL")} ({measured.Count} requests, "
                + $"{failures} failed)"
        );
        return text.ToString();
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private void Note(string what)
    {
        var line = $"{_clock.Elapsed.TotalSeconds, 6:0.0} s  {what}";
        lock (_events)
            _events.Add(line);
        Console.WriteLine("kill: " + line);
    }

    private async Task<List<ServiceResource>> ServicesAsync()
    {
        var resources = (await _dashboard.GetFromJsonAsync<JsonArray>("/api/resources"))!;
        return resources
            .Where(r => r!["kind"]!.GetValue<string>() is "service" or "gateway")
            .Select(r => new ServiceResource(
                r!["name"]!.GetValue<string>(),
                r["service"]?.GetValue<string>() ?? "",
                r["state"]!.GetValue<string>(),
                r["pid"]?.GetValue<int>(),
                r["restarts"]!.GetValue<int>()
            ))
            .ToList();
    }

    public ValueTask DisposeAsync()
    {
        _gateway.Dispose();
        _dashboard.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal sealed record ServiceResource(string Name, string Service, string State, int? Pid, int Restarts);
