extern alias GatewayApp;
extern alias MessagingApi;
using System.Diagnostics;
using Community.Contracts;
using Community.Events.Bench;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using GatewayProgram = GatewayApp::Program;
using MessagingProgram = MessagingApi::Program;

namespace Community.Fleet.Bench;

/// <summary>
/// Gateway overhead: one authenticated GET (messaging's unread count: token checked, one small query) sent by the
/// same load tool straight to the service, through our gateway (YARP: token check, rate limiter, request id,
/// forwarding) and through Debian's nginx proxying to the same service instance, in rounds that alternate the targets.
/// </summary>
public static class GatewayRun
{
    private const string Path = "/api/v1/messages/unread-count";
    public const double ThroughputTarget = 0.9;
    public const double CpuAgainstNginxTarget = 2.0;
    private const string InProcess = "gw: in this process";
    private const string BareYarpName = "yarp alone, in process";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var connections = args.Int("--connections", 32);
        var seconds = args.Int("--seconds", 15);
        var warmUp = args.Int("--warmup", 3, min: 0);
        var rounds = args.Int("--rounds", 3);
        var nginxWorkers = args.Int("--nginx-workers", Environment.ProcessorCount);
        var profile = args.Has("--profile");

        Report.ContentRoot("Community.Messaging", "services/messaging/Messaging.Api");
        Report.ContentRoot("Community.Gateway", "gateway/Gateway");
        var report = new Report("gateway");
        await using var resources = await TestInfrastructure.IsolateAsync("gatewaybench");
        var scratch = Directory.CreateTempSubdirectory("community-gateway-bench-");
        try
        {
            using var tokens = new TestTokens(TimeProvider.System);
            var keys = new ProductionKeys(tokens);
            void Shared(IServiceCollection services) => services.AddSingleton<ISigningKeySource>(keys);
            await using var service = new ServiceHost<MessagingProgram>(
                new Dictionary<string, string?>
                {
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = "Error",
                    ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
                    [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = resources.BrokerUri,
                    [$"ConnectionStrings:{ResourceNames.Redis}"] = resources.RedisConnectionString,
                    ["RealTime:RedisKeyPrefix"] = resources.RedisKeyPrefix,
                    [$"ConnectionStrings:{ResourceNames.DatabaseOf(ResourceNames.Messaging)}"] =
                        resources.DatabaseConnectionString,
                    ["DataProtection:KeyRingPath"] = System.IO.Path.Combine(scratch.FullName, "keys"),
                    ["Messaging:Attachments:LocalPath"] = System.IO.Path.Combine(scratch.FullName, "attachments"),
                },
                Shared
            ).Start();
            Dictionary<string, string?> GatewaySettings(string logLevel = "Warning") =>
                new()
                {
                    ["Logging:LogLevel:Default"] = logLevel,
                    ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = "Error",
                    ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
                    [$"Services:{ResourceNames.Messaging}"] = service.BaseAddress.ToString().TrimEnd('/'),
                    // One client address and one user: the limiter still runs on every request, with limits it never
                    // reaches.
                    ["RateLimits:PerIp:PermitLimit"] = "1000000000",
                    ["RateLimits:PerUser:PermitLimit"] = "1000000000",
                };
            await using var identity = await BenchIdentity.StartAsync(tokens.Kid, tokens.Key);
            await using var gateway = await GatewayProcess.StartAsync(
                Report.Root.FullName,
                service.BaseAddress,
                identity,
                // --windows-in-memory: the gateway without Redis (one instance's windows): what sharing them costs.
                args.Has("--windows-in-memory")
                    ? null
                    : resources.RedisConnectionString,
                resources.RedisKeyPrefix,
                // --gateway-env NAME=VALUE[,NAME=VALUE]: runtime settings tried on the gateway's process alone.
                args.Value("--gateway-env")?.Split(',')
                    ?? []
            );
            // --profile: the gateway in this process (settings as above, but the windows in memory and the keys
            // handed over), then the same with one part taken away (or the log level appsettings.json ships), to see
            // what each costs.
            var variants = new List<(string Name, ServiceHost<GatewayProgram> Host)>();
            if (profile)
            {
                variants.Add((InProcess, new ServiceHost<GatewayProgram>(GatewaySettings(), Shared).Start()));
                variants.Add(
                    (
                        "gw: no tracing",
                        new ServiceHost<GatewayProgram>(
                            GatewaySettings(),
                            services =>
                            {
                                Shared(services);
                                // A sampler that keeps nothing: the listener declines every activity, so none is
                                // created or recorded.
                                services.ConfigureOpenTelemetryTracerProvider(tracing =>
                                    tracing.SetSampler(new AlwaysOffSampler())
                                );
                            }
                        ).Start()
                    )
                );
                variants.Add(
                    (
                        "gw: no rate limiter",
                        new ServiceHost<GatewayProgram>(
                            GatewaySettings(),
                            services =>
                            {
                                Shared(services);
                                services.PostConfigure<RateLimiterOptions>(o => o.GlobalLimiter = null);
                            }
                        ).Start()
                    )
                );
                variants.Add(
                    (
                        "gw: Information logs",
                        new ServiceHost<GatewayProgram>(GatewaySettings("Information"), Shared).Start()
                    )
                );
            }
            await using var nginx = await Nginx.StartAsync(service.BaseAddress, nginxWorkers);
            // --profile: YARP alone too, the floor of any gateway built on it.
            await using var bare = profile ? await BareYarp.StartAsync(service.BaseAddress) : null;

            var token = tokens.Issue(Guid.NewGuid());
            // --only direct,gateway: a subset, e.g. to profile one target (the report's ratios need all three).
            var only = args.Value("--only")?.Split(',');
            (string Name, Uri Url)[] targets =
            [
                .. new (string Name, Uri Url)[]
                {
                    ("direct", new Uri(service.BaseAddress, Path)),
                    ("gateway (YARP)", new Uri(gateway.BaseAddress, Path)),
                    ("nginx", new Uri(nginx.BaseAddress, Path)),
                }
                    .Concat(variants.Select(v => (v.Name, new Uri(v.Host.BaseAddress, Path))))
                    .Concat(bare is null ? [] : [(BareYarpName, new Uri(bare.BaseAddress, Path))])
                    .Where(t => only is null || only.Any(o => t.Name.StartsWith(o, StringComparison.Ordinal))),
            ];
            // Each target must answer 200 with the token and refuse without one, or the figures measure an error path.
            using (var probe = new HttpClient())
            {
                foreach (var (name, url) in targets)
                {
                    var ok = await probe.Get(url.ToString(), token);
                    var refused = await probe.Get(url.ToString());
                    // YARP alone checks no token: the service behind it refuses.
                    if ((int)ok.StatusCode != 200 || (int)refused.StatusCode != 401)
                        throw new InvalidOperationException(
                            $"{name}: {(int)ok.StatusCode} with the token, {(int)refused.StatusCode} "
                                + "without (expected 200 and 401)"
                        );
                }
            }

            report.Line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Gateway overhead, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, "
                        + $"load average at the start {Report.LoadAverage()}"
                )
            );
            report.Line(
                $"GET {Path} with a bearer token (ES256), 200 with a small JSON body; messaging "
                    + "on Kestrel with its PostgreSQL"
            );
            report.Line(
                $"load tool: this binary's closed-loop client in its own process, {connections} "
                    + "keep-alive HTTP/1.1 connections, "
                    + $"{warmUp} s warm-up + {seconds} s measured per target, {rounds} round(s) alternating the targets"
            );
            report.Line(
                $"{Nginx.Version()}, {nginxWorkers} worker(s), keepalive to the upstream, no access log; the gateway "
                    + "and the service in this process (server GC)"
            );
            report.Line(new string('=', 110));

            // An untimed pass over every target first: JIT tiering and the pools of each path, so round 1 measures what
            // round 2 does.
            foreach (var (name, url) in targets)
                await LoadTool.DriveAsync(name, url, token, connections, 1, Math.Max(warmUp, 2));
            var results = targets.ToDictionary(t => t.Name, _ => new List<LoadResult>());
            var serverCpu = targets.ToDictionary(t => t.Name, _ => new List<double>());
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var (name, url) in targets)
                {
                    // Server CPU: this process (the service, and the gateway when used) plus nginx's master and
                    // workers.
                    var serviceBefore = ProcessCpu();
                    var proxyBefore = nginx.CpuTime() + gateway.CpuTime();
                    var result = await LoadTool.DriveAsync(name, url, token, connections, seconds, warmUp);
                    var perRequest = 1000.0 / Math.Max(1, result.Completed);
                    var serviceCpu = (ProcessCpu() - serviceBefore).TotalMilliseconds * perRequest;
                    var proxyCpu = (nginx.CpuTime() + gateway.CpuTime() - proxyBefore).TotalMilliseconds * perRequest;
                    var cpu = serviceCpu + proxyCpu;
                    results[name].Add(result);
                    serverCpu[name].Add(cpu);
                    report.Line(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"round {round} {name, -22} {result.Throughput, 7:0} req/s  p50 {P(result, 0.50), 6:0.00} "
                                + $"ms  p99 {P(result, 0.99), 6:0.00} ms  server CPU {cpu, 5:0} us/req "
                                + $"(this process {serviceCpu, 3:0}, proxy's {proxyCpu, 3:0})  "
                                + $"client CPU {result.ClientCpuMs * 1000 / Math.Max(1, result.Completed), 4:0} "
                                + $"us/req  errors {result.Errors}"
                                + $"{(result.FirstError is null ? "" : " (" + result.FirstError + ")")}"
                                + $"  load {Report.LoadAverage()}"
                        )
                    );
                }
            }

            report.Line(new string('-', 110));
            report.Line(
                $"{"target", -22} {"req/s best round", 17} {"mean", 7} {"p50 ms", 9} {"p99 ms", 9} "
                    + $"{"server CPU us/req (least)", 26} {"errors", 7}"
            );
            var summary = results.ToDictionary(r => r.Key, r => Summarise(r.Value, serverCpu[r.Key]));
            foreach (var (name, s) in summary)
                report.Line(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{name, -22} {s.Throughput, 17:0} {s.Mean, 7:0} {s.P50, 9:0.00} {s.P99, 9:0.00} "
                            + $"{s.CpuUs, 26:0} {s.Errors, 7}"
                    )
                );
            if (only is not null)
            {
                Console.WriteLine("--only: no ratios and no report file");
                return 0;
            }
            var direct = summary["direct"];
            var ours = summary["gateway (YARP)"];
            var theirs = summary["nginx"];
            var cpuAgainstNginx = (ours.CpuUs - direct.CpuUs) / Math.Max(1, theirs.CpuUs - direct.CpuUs);
            report.Line("");
            report.Line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"ratios: gateway/direct throughput {ours.Throughput / direct.Throughput:0.00}x "
                        + $"(target >= {ThroughputTarget}x: "
                        + $"{(ours.Throughput / direct.Throughput >= ThroughputTarget ? "met" : "NOT met")}); "
                        + $"nginx/gateway throughput {theirs.Throughput / ours.Throughput:0.00}x"
                )
            );
            report.Line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"        nginx/direct throughput {theirs.Throughput / direct.Throughput:0.00}x; p50 "
                        + $"gateway/direct {ours.P50 / direct.P50:0.00}x, gateway/nginx {ours.P50 / theirs.P50:0.00}x; "
                        + $"p99 gateway/direct {ours.P99 / direct.P99:0.00}x, gateway/nginx "
                        + $"{ours.P99 / theirs.P99:0.00}x"
                )
            );
            report.Line(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"added per request at p50: gateway {ours.P50 - direct.P50:0.00} ms, nginx "
                        + $"{theirs.P50 - direct.P50:0.00} ms; "
                        + $"server CPU added per request: gateway {ours.CpuUs - direct.CpuUs:0} us, nginx "
                        + $"{theirs.CpuUs - direct.CpuUs:0} us (gateway/nginx {cpuAgainstNginx:0.0}x, target <= "
                        + $"{CpuAgainstNginxTarget}x: {(cpuAgainstNginx <= CpuAgainstNginxTarget ? "met" : "NOT met")})"
                )
            );
            report.Line(
                "ratios use each target's best round; server CPU per request is the steadier figure on a busy machine, "
                    + "where throughput follows what other processes leave."
            );
            foreach (var (name, _) in variants.Skip(1))
                report.Line(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"profile: {name, -22} server CPU {summary[name].CpuUs - summary[InProcess].CpuUs, 6:+0;-0} "
                            + $"us/req against the full gateway in this process, throughput "
                            + $"{summary[name].Throughput / summary[InProcess].Throughput:0.00}x"
                    )
                );
            if (bare is not null)
            {
                var alone = summary[BareYarpName];
                report.Line(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"profile: {BareYarpName} server CPU added per request {alone.CpuUs - direct.CpuUs:0} us "
                            + $"(nginx {theirs.CpuUs - direct.CpuUs:0} us), throughput "
                            + $"{alone.Throughput / direct.Throughput:0.00}x direct; the full gateway in this "
                            + $"process adds {summary[InProcess].CpuUs - alone.CpuUs:+0;-0} us to it"
                    )
                );
            }
            if (profile)
            {
                var check = await TokenCheckMicrosecondsAsync(variants[0].Host, token);
                var verify = VerifyMicroseconds(tokens, token);
                report.Line(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"profile: one access-token check (the gateway's own JwtBearer handler and parameters, ES256) "
                            + $"{check:0} us, of which the ECDSA P-256 verification alone "
                            + $"{verify:0} us; in a loop on one thread"
                    )
                );
            }
            report.Line("load average at the end: " + Report.LoadAverage());
            foreach (var (_, host) in variants)
                await host.DisposeAsync();
            await report.WriteAsync();
            return summary.Values.Any(s => s.Errors > 0) ? 1 : 0;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A target over its rounds. Other load only ever slows a round down, so the best round's throughput and the least
    /// CPU per request are the estimates least disturbed by it (on a quiet machine they sit close to the mean).
    /// </summary>
    private sealed record Summary(double Throughput, double Mean, double P50, double P99, double CpuUs, long Errors);

    private static Summary Summarise(List<LoadResult> rounds, List<double> cpu)
    {
        var all = rounds.SelectMany(r => r.LatenciesMs).ToList();
        var stats = LatencyStats.From("all", all.Count == 0 ? [double.NaN] : all);
        return new Summary(
            rounds.Max(r => r.Throughput),
            rounds.Average(r => r.Throughput),
            stats.P50,
            stats.P99,
            cpu.Min(),
            rounds.Sum(r => r.Errors)
        );
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>
    /// The signature check alone, on the same key and token: what any proxy checking tokens must pay.
    /// </summary>
    private static double VerifyMicroseconds(TestTokens tokens, string token)
    {
        var parts = token.Split('.');
        var input = System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = TestTokens.FromB64(parts[2]);
        const int Runs = 3000;
        for (var i = 0; i < 200; i++)
            tokens.Key.VerifyData(input, signature, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Runs; i++)
            if (!tokens.Key.VerifyData(input, signature, System.Security.Cryptography.HashAlgorithmName.SHA256))
                throw new InvalidOperationException("the benchmark token's signature does not verify");
        return watch.Elapsed.TotalMilliseconds * 1000 / Runs;
    }

    /// <summary>
    /// Validates the token with exactly what the gateway's authentication uses, many times: the signature check's share
    /// of a request.
    /// </summary>
    private static async Task<double> TokenCheckMicrosecondsAsync(ServiceHost<GatewayProgram> gateway, string token)
    {
        var options = gateway
            .Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>()
            .Get(JwtBearerDefaults.AuthenticationScheme);
        var handler = options.TokenHandlers.Single();
        for (var i = 0; i < 200; i++)
            await handler.ValidateTokenAsync(token, options.TokenValidationParameters);
        const int Runs = 3000;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Runs; i++)
        {
            var result = await handler.ValidateTokenAsync(token, options.TokenValidationParameters);
            if (!result.IsValid)
                throw new InvalidOperationException(
                    "the gateway refused its own benchmark token: " + result.Exception?.Message
                );
        }
        return watch.Elapsed.TotalMilliseconds * 1000 / Runs;
    }

    private static double P(LoadResult result, double p)
    {
        var stats = LatencyStats.From("one", result.LatenciesMs.Length == 0 ? [double.NaN] : result.LatenciesMs);
        return p >= 0.99 ? stats.P99 : stats.P50;
    }
}
