using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Community.Resilience.Bench;

// Usage: Community.Resilience.Bench [--workers 8] [--steady 30] [--replicas 2] [--services a,b] [--no-roll]
//   [--output bench/results/kill-latest.txt]
var options = KillOptions.Parse(args);
var root = FindRoot();
var apphost = Path.Combine(root, "AppHost", "bin", "Debug", "net10.0", "Community.AppHost.dll");
if (!File.Exists(apphost))
{
    Console.Error.WriteLine($"{apphost} is missing: bash bench/run-kill.sh builds it (and the services).");
    return 2;
}
var (gatewayPort, dashboardPort) = (FreePort(), FreePort());
var gatewayUrl = $"http://127.0.0.1:{gatewayPort}";
var dashboardUrl = $"http://127.0.0.1:{dashboardPort}";
var log = Path.Combine(root, ".local", "kill-apphost.log");
Directory.CreateDirectory(Path.GetDirectoryName(log)!);
var replicas = string.Join(',', options.Services.Select(s => $"{s}={options.Replicas}"));
var info = new ProcessStartInfo("dotnet")
{
    WorkingDirectory = root,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    UseShellExecute = false,
};
foreach (
    var argument in new[]
    {
        apphost,
        "--no-build",
        "--replicas",
        replicas,
        "--gateway-url",
        gatewayUrl,
        "--dashboard-url",
        dashboardUrl,
        "--health-timeout",
        "600",
    }
)
{
    info.ArgumentList.Add(argument);
}
Console.WriteLine($"kill: starting AppHost ({replicas}); its output in {Path.GetRelativePath(root, log)}");
await using var output = new StreamWriter(log) { AutoFlush = true };
using var process = Process.Start(info)!;
void Write(object _, DataReceivedEventArgs e)
{
    if (e.Data is not null)
        lock (output)
            output.WriteLine(e.Data);
}
process.OutputDataReceived += Write;
process.ErrorDataReceived += Write;
process.BeginOutputReadLine();
process.BeginErrorReadLine();
var started = Stopwatch.StartNew();
try
{
    await using var run = new KillRun(options, gatewayUrl, dashboardUrl);
    if (!await run.WaitUntilHealthyAsync(TimeSpan.FromMinutes(20), process))
    {
        Console.Error.WriteLine($"kill: the platform did not become healthy; see {log}");
        return 1;
    }
    Console.WriteLine($"kill: every instance healthy after {started.Elapsed.TotalSeconds:0} s");
    var report = await run.RunAsync();
    var file = Path.Combine(root, options.Output);
    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
    await File.WriteAllTextAsync(file, report);
    Console.WriteLine(report);
    Console.WriteLine($"kill: written to {options.Output}");
    return report.Contains("RESULT: PASS", StringComparison.Ordinal) ? 0 : 1;
}
finally
{
    if (!process.HasExited)
    {
        // SIGTERM: AppHost stops the services, then its servers
        Process.Start("kill", ["-TERM", $"{process.Id}"])?.WaitForExit();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            process.Kill(entireProcessTree: true);
    }
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Community.sln")))
            return dir.FullName;
    }
    throw new InvalidOperationException("run from the repository (no Community.sln above the bench)");
}

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}
