using System.Diagnostics;
using System.Security.Cryptography;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.Fleet.Bench;

/// <summary>
/// The gateway as a deployment runs it: its own process started from its build (its own runtime settings), the
/// signing keys read from identity's JWKS, identity's revocation feed polled every second, the per-user and per-IP
/// windows counted in Redis, Production settings at Warning. Identity is <see cref="BenchIdentity"/>.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

    public Uri BaseAddress { get; }

    public static async Task<GatewayProcess> StartAsync(
        string root,
        Uri messaging,
        BenchIdentity identity,
        string? redis,
        string redisPrefix,
        IEnumerable<string> extraEnvironment
    )
    {
        var dll = Path.Combine(root, "gateway/Gateway/bin/Release/net10.0/Community.Gateway.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build bench/Fleet.Bench in Release first.");
        var port = ServiceHost<object>.FreePort();
        // The gateway's dll runs on the dotnet host (under `dotnet run` this process is the benchmark's executable).
        var host =
            Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (
            var (key, value) in new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
                [$"Services__{ResourceNames.Identity}"] = identity.BaseAddress.ToString().TrimEnd('/'),
                [$"Services__{ResourceNames.Messaging}"] = messaging.ToString().TrimEnd('/'),
                ["Revocations__FeedKey"] = BenchIdentity.FeedKey,
                [$"ConnectionStrings__{ResourceNames.Redis}"] = redis ?? "",
                ["RateLimits__RedisKeyPrefix"] = redisPrefix + "gateway:ratelimits:",
                // One client address and one user: the windows are still counted in Redis on every request, with
                // limits they never reach.
                ["RateLimits__PerIp__PermitLimit"] = "1000000000",
                ["RateLimits__PerUser__PermitLimit"] = "1000000000",
            }
        )
            start.Environment[key] = value;
        foreach (var pair in extraEnvironment)
            start.Environment[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=') + 1)..];
        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway did not start.");
        // Its output is drained (a full pipe would stop it) and shown: at Warning a healthy gateway writes nothing.
        process.OutputDataReceived += (_, e) => Echo(e.Data);
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new GatewayProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient();
        var ready = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(gateway.BaseAddress, "/health/ready"))).IsSuccessStatusCode)
                    return gateway;
            }
            catch (HttpRequestException) { }
            if (process.HasExited || ready.Elapsed > TimeSpan.FromMinutes(3))
            {
                var why = process.HasExited
                    ? $"exited with code {process.ExitCode}"
                    : $"was not ready after {ready.Elapsed.TotalSeconds:0} s";
                await gateway.DisposeAsync();
                throw new InvalidOperationException($"The gateway process {why} (its output is above).");
            }
            await Task.Delay(200);
        }

        static void Echo(string? line)
        {
            if (!string.IsNullOrEmpty(line))
                Console.WriteLine("[gateway] " + line);
        }
    }

    /// <summary>The process's CPU time (user and system) so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>
/// What the gateway reads from identity: the public key of the benchmark's issuer at /.well-known/jwks.json, and an
/// empty revocation feed (no session ends during the run) for the shared feed key.
/// </summary>
public sealed class BenchIdentity : FakeHttpServer<string>
{
    public const string FeedKey = "bench-feed-key";
    private readonly EcPublicJwk _key;

    private BenchIdentity(string kid, ECDsa key) => _key = EcPublicJwk.From(kid, key);

    public static async Task<BenchIdentity> StartAsync(string kid, ECDsa key)
    {
        var identity = new BenchIdentity(kid, key);
        await identity.StartServerAsync();
        return identity;
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet(
            "/.well-known/jwks.json",
            () => Results.Json(new JsonWebKeySetDocument([_key]), EcPublicJwk.SerializerOptions)
        );
        app.MapGet(
            RevocationFeedOptions.FeedPath,
            (HttpRequest request, long after) =>
                request.Headers[RevocationFeedOptions.KeyHeader] == FeedKey
                    ? Results.Json(new { items = Array.Empty<object>(), cursor = after })
                    : Results.StatusCode(StatusCodes.Status403Forbidden)
        );
    }
}
