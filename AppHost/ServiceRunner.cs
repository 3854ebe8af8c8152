using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Community.AppHost;

/// <summary>
/// Runs one service as a child process: streams its output, polls <c>/health/ready</c>,
/// restarts it with exponential back-off when it exits, and stops it on request.
/// </summary>
/// <remarks>
/// A service run as replicas has a runner per replica, each a resource (<c>messaging-1</c>...). Once
/// <paramref name="appHostStopping"/> is cancelled it starts nothing: AppHost's stop would not see the process.
/// <paramref name="launched"/> is called once each process started has its <see cref="Resource.Pid"/>.
/// </remarks>
internal sealed class ServiceRunner(
    ServiceInstance instance,
    string assemblyPath,
    string workingDirectory,
    IReadOnlyDictionary<string, string> environment,
    ConsoleOutput console,
    HttpClient http,
    CancellationToken appHostStopping = default,
    Action? launched = null
) : Resource(instance.Name, instance.Service.IsGateway ? "gateway" : "service")
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Healthy for this long before a crash means the back-off starts again from 1 s.</summary>
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(60);

    private readonly Uri _health = new(HealthBase(instance.Url), "/health/ready");

    // one operator action (stop, start, restart) at a time
    private readonly SemaphoreSlim _actions = new(1, 1);

    // Start and StopAsync see each other's supervision: a start racing AppHost's stop is either stopped or refused
    private readonly Lock _gate = new();
    private CancellationTokenSource _stop = new();
    private Process? _process;
    private Task _supervision = Task.CompletedTask;

    public string Url => instance.Url;

    /// <summary>The service this process is an instance of (<c>messaging</c> of <c>messaging-2</c>).</summary>
    public string Service => instance.Service.Name;

    /// <summary>The variables the process runs with, as given (the dashboard masks the secrets).</summary>
    public IReadOnlyDictionary<string, string> Environment => environment;

    /// <summary>
    /// Starts supervising: the process is (re)started until <see cref="StopAsync"/>; no-op while supervised.
    /// False, and nothing started, once AppHost is stopping.
    /// </summary>
    public bool Start()
    {
        lock (_gate)
        {
            if (appHostStopping.IsCancellationRequested)
            {
                Logs.Add("not started: AppHost is stopping");
                return false;
            }
            if (!_supervision.IsCompleted)
            {
                return true;
            }
            Endpoint = instance.Url;
            _stop = new CancellationTokenSource();
            var stop = _stop.Token;
            _supervision = Task.Run(() => SuperviseAsync(stop));
            return true;
        }
    }

    /// <summary>
    /// The dashboard's buttons: "stop", "start" or "restart"; false for an unknown action, or when AppHost began
    /// stopping and the service was not started.
    /// </summary>
    public async Task<bool> ActAsync(string action)
    {
        if (action is not ("stop" or "start" or "restart"))
        {
            return false;
        }
        await _actions.WaitAsync();
        try
        {
            return await PerformAsync(action);
        }
        finally
        {
            _actions.Release();
        }
    }

    /// <summary>
    /// A rolling restart's step: a restart, unless the service is stopped (a stopped service stays stopped until
    /// started); false when it was left stopped or AppHost began stopping.
    /// </summary>
    public async Task<bool> RestartUnlessStoppedAsync()
    {
        await _actions.WaitAsync();
        try
        {
            // checked once the operator's stop, if one came first, is done
            return State != ResourceState.Stopped && await PerformAsync("restart");
        }
        finally
        {
            _actions.Release();
        }
    }

    private async Task<bool> PerformAsync(string action)
    {
        console.Line(Name, $"{action} requested from the dashboard");
        Logs.Add($"{action} requested from the dashboard");
        if (action is "stop" or "restart")
        {
            await StopAsync();
        }
        return action is "stop" || Start();
    }

    /// <summary>Waits until the service answers 200 on /health/ready (across restarts); false on timeout.</summary>
    public async Task<bool> WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (State != ResourceState.Healthy)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(200, cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// Whether the last stop had to kill the service (it did not end by itself within 10 s of SIGTERM).
    /// </summary>
    public bool KilledOnStop { get; private set; }

    /// <summary>SIGTERM, then SIGKILL after 10 s; no restart afterwards.</summary>
    public async Task StopAsync()
    {
        CancellationTokenSource stop;
        Task supervision;
        lock (_gate)
        {
            (stop, supervision) = (_stop, _supervision);
        }
        await stop.CancelAsync();
        if (_process is { } process)
        {
            await TerminateAsync(process);
        }
        await supervision;
        State = ResourceState.Stopped;
    }

    /// <summary>SIGTERM, then SIGKILL to its whole tree after 10 s.</summary>
    private async Task TerminateAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                // this stop's outcome, not an earlier one's (a stop of nothing running leaves it as it was)
                KilledOnStop = false;
                SendSigterm(process.Id);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    console.Line(Name, "did not stop within 10 s; killing it", error: true);
                    Logs.Add("did not stop within 10 s; killed");
                    KilledOnStop = true;
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // not started or already reaped
        }
    }

    private async Task SuperviseAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var relaunch = false;
        while (!stop.IsCancellationRequested)
        {
            // Restarting until a relaunch after a crash answers healthy: Crashed showed through its back-off
            State = relaunch ? ResourceState.Restarting : ResourceState.Starting;
            relaunch = true;
            LastHealth = null;
            DateTime? healthySince = null;
            int exitCode;
            using (var process = Launch())
            {
                if (process is null)
                {
                    exitCode = -1;
                }
                else
                {
                    if (stop.IsCancellationRequested)
                    {
                        await TerminateAsync(process); // StopAsync ran while this one was being launched
                    }
                    using var running = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    var monitor = MonitorHealthAsync(() => healthySince ??= DateTime.UtcNow, running.Token);
                    await process.WaitForExitAsync(CancellationToken.None);
                    await running.CancelAsync();
                    await monitor;
                    exitCode = process.ExitCode;
                    Pid = null;
                }
            }
            if (stop.IsCancellationRequested)
            {
                break;
            }

            if (healthySince is not null && DateTime.UtcNow - healthySince >= StableAfter)
            {
                backoff = TimeSpan.FromSeconds(1);
            }
            State = ResourceState.Crashed;
            Restarts++;
            console.Line(
                Name,
                $"exited with code {exitCode}; restarting in {backoff.TotalSeconds:0} s (restart #{Restarts})",
                error: true
            );
            Logs.Add($"exited with code {exitCode}; restarting in {backoff.TotalSeconds:0} s");
            try
            {
                await Task.Delay(backoff, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
        State = ResourceState.Stopped;
    }

    private Process? Launch()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assemblyPath);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Output(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Output(e.Data, error: true);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            console.Line(Name, $"could not start: {e.Message}", error: true);
            Logs.Add($"could not start: {e.Message}");
            process.Dispose();
            return null;
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Pid = process.Id;
        launched?.Invoke();
        return process;
    }

    /// <summary>A line the operator must act on: on the console in red, and in the service's log.</summary>
    public void Warn(string line) => Output(line, error: true);

    private void Output(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }
        Logs.Add(line);
        console.Line(Name, line, error);
    }

    private async Task MonitorHealthAsync(Action onHealthy, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var healthy = await ProbeAsync(cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            if (healthy)
            {
                onHealthy();
                State = ResourceState.Healthy;
            }
            else if (State == ResourceState.Healthy)
            {
                State = ResourceState.Unhealthy;
            }
            try
            {
                // poll fast while starting, calmly afterwards
                await Task.Delay(
                    State is ResourceState.Starting or ResourceState.Restarting ? 500 : 5000,
                    cancellationToken
                );
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await http.GetAsync(_health, timeout.Token);
            LastHealth = $"{(int)response.StatusCode} {response.ReasonPhrase} at {DateTime.Now:HH:mm:ss}";
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException e)
        {
            LastHealth = $"{e.HttpRequestError} at {DateTime.Now:HH:mm:ss}";
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LastHealth = $"no answer within 3 s at {DateTime.Now:HH:mm:ss}";
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Health is probed on loopback when the service listens on every interface.</summary>
    private static Uri HealthBase(string url)
    {
        var builder = new UriBuilder(url);
        if (builder.Host is "0.0.0.0" or "[::]" or "::")
        {
            builder.Host = "127.0.0.1";
        }
        return builder.Uri;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static void SendSigterm(int pid) => _ = Kill(pid, 15);
}
