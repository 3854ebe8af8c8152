using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Community.Fleet.Bench;

/// <summary>What one load run measured: completed requests in the window, failures, and every latency.</summary>
/// <param name="Completed">Every answer, warm-up and tail included (what the servers' CPU time was spent on).</param>
/// <param name="ClientCpuMs">CPU time of the load tool's own process.</param>
public sealed record LoadResult(
    string Target,
    int Connections,
    double Seconds,
    long Requests,
    long Errors,
    string? FirstError,
    double[] LatenciesMs,
    long Completed,
    double ClientCpuMs
)
{
    public double Throughput => Requests / Seconds;
}

/// <summary>
/// A closed-loop HTTP/1.1 load generator: N connections kept alive, each sending the next GET as soon as the
/// previous answer is read, warm-up then a timed window. Runs as its own process (this binary's "load" mode) so
/// the direct, gateway and nginx targets are all driven by the same client, which competes with none of them for a
/// thread pool.
/// </summary>
public static class LoadTool
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var url = new Uri(args.Value("--url") ?? throw new ArgumentException("--url is required."));
        var token = args.Value("--token");
        var connections = args.Int("--connections", 32);
        var warmUp = TimeSpan.FromSeconds(args.Int("--warmup", 3, min: 0));
        var window = TimeSpan.FromSeconds(args.Int("--seconds", 10));

        using var client = new HttpClient(
            new SocketsHttpHandler
            {
                MaxConnectionsPerServer = connections,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                UseProxy = false,
                AllowAutoRedirect = false,
                UseCookies = false,
            }
        )
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        var clock = Stopwatch.StartNew();
        var measureFrom = warmUp;
        var measureTo = warmUp + window;
        var perWorker = new List<double>[connections];
        var errors = 0L;
        var completed = 0L;
        string? firstError = null;
        await Task.WhenAll(
            Enumerable
                .Range(0, connections)
                .Select(worker =>
                    Task.Run(async () =>
                    {
                        var samples = perWorker[worker] = new List<double>(16_384);
                        var buffer = new byte[16_384];
                        while (clock.Elapsed < measureTo)
                        {
                            var start = clock.Elapsed;
                            string? failure = null;
                            try
                            {
                                using var request = new HttpRequestMessage(HttpMethod.Get, url)
                                {
                                    Version = new Version(1, 1),
                                };
                                if (token is not null)
                                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                                using var response = await client.SendAsync(
                                    request,
                                    HttpCompletionOption.ResponseHeadersRead
                                );
                                await using var body = await response.Content.ReadAsStreamAsync();
                                while (await body.ReadAsync(buffer) > 0) { }
                                if ((int)response.StatusCode != 200)
                                    failure = $"HTTP {(int)response.StatusCode}";
                            }
                            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                            {
                                failure = e.GetType().Name + ": " + e.Message;
                            }
                            var end = clock.Elapsed;
                            Interlocked.Increment(ref completed);
                            // Only requests that started and finished inside the window count, so warm-up and the tail
                            // do not blur it.
                            if (start < measureFrom || end > measureTo)
                                continue;
                            if (failure is null)
                                samples.Add((end - start).TotalMilliseconds);
                            else
                            {
                                Interlocked.Increment(ref errors);
                                Interlocked.CompareExchange(ref firstError, failure, null);
                            }
                        }
                    })
                )
        );
        var all = perWorker.SelectMany(s => s).ToArray();
        var result = new LoadResult(
            url.ToString(),
            connections,
            window.TotalSeconds,
            all.Length,
            errors,
            firstError,
            all,
            completed,
            Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds
        );
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Runs the load tool as a child process of this same binary and reads its result.</summary>
    public static async Task<LoadResult> DriveAsync(
        string target,
        Uri url,
        string? token,
        int connections,
        int seconds,
        int warmUp
    )
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(LoadTool).Assembly.Location);
        foreach (
            var a in new[]
            {
                "load",
                "--url",
                url.ToString(),
                "--connections",
                connections.ToString(CultureInfo.InvariantCulture),
                "--seconds",
                seconds.ToString(CultureInfo.InvariantCulture),
                "--warmup",
                warmUp.ToString(CultureInfo.InvariantCulture),
            }
        )
            start.ArgumentList.Add(a);
        if (token is not null)
        {
            start.ArgumentList.Add("--token");
            start.ArgumentList.Add(token);
        }
        // The client is not what is measured: workstation GC keeps its footprint small beside the servers.
        start.Environment["DOTNET_gcServer"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"the load tool failed ({process.ExitCode}): {await stderr}");
        var result = JsonSerializer.Deserialize<LoadResult>((await stdout).Trim().Split('\n')[^1])!;
        return result with { Target = target };
    }
}
