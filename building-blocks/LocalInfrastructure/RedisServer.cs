using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Community.LocalInfrastructure;

/// <summary>
/// A Redis server for local runs and tests: the server named by <c>COMMUNITY_REDIS</c> (host:port) when set,
/// otherwise a private <c>redis-server</c> started from the installed binary as a child process on a free
/// loopback port, with nothing saved to disk (it holds only ephemeral state). Disposal stops a private server.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Environment variable holding the host:port of a Redis server to use instead of a private one.</summary>
    public const string EnvironmentVariable = "COMMUNITY_REDIS";

    /// <summary>The server binary (Debian's <c>redis-server</c> package).</summary>
    public const string Binary = "/usr/bin/redis-server";

    private const string SubFolder = "redis";

    private readonly LocalInfrastructureOptions? _options;
    private readonly string? _home;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Process? _process;
    private EventHandler? _processExitHandler;
    private int _disposed;

    private RedisServer(string host, int port, LocalInfrastructureOptions? options, string? home)
    {
        Host = host;
        Port = port;
        _options = options;
        _home = home;
    }

    /// <summary>Host the server listens on (127.0.0.1 for a private server).</summary>
    public string Host { get; }

    /// <summary>TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server ("127.0.0.1:PORT").</summary>
    public string ConnectionString => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True when this object started the server (and may stop, start and dispose of it).</summary>
    public bool IsOwned => _home is not null;

    /// <summary>True while the server runs (always true for an external server).</summary>
    public bool IsRunning => _home is null || _process is { HasExited: false };

    /// <summary>
    /// Uses <c>COMMUNITY_REDIS</c> when set; otherwise starts a private server and waits until it answers PING.
    /// </summary>
    public static async Task<RedisServer> StartAsync(
        LocalInfrastructureOptions options,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(options);
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            options.Log?.Invoke($"redis: using {EnvironmentVariable}");
            var (host, port) = ParseEndpoint(external);
            var server = new RedisServer(host, port, options, null);
            await server.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                $"Redis is not installed ({Binary} is missing). Run 'bash scripts/setup.sh', "
                    + $"or set {EnvironmentVariable} to the host:port of an existing server."
            );
        }

        options = options with { DataFolder = Path.GetFullPath(options.DataFolder) };
        var home = Path.Combine(options.DataFolder, SubFolder);
        Directory.CreateDirectory(home);
        await StopLeftoverAsync(home, options).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var started = new RedisServer("127.0.0.1", LoopbackPorts.Take(), options, home);
            try
            {
                await started.StartProcessAsync(cancellationToken).ConfigureAwait(false);
                started._processExitHandler = (_, _) => started.KillProcess();
                AppDomain.CurrentDomain.ProcessExit += started._processExitHandler;
                options.Log?.Invoke($"redis: listening on {started.ConnectionString}");
                return started;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // most likely the port was taken between choosing and binding it
                started.KillProcess();
                options.Log?.Invoke("redis: the server did not come up; retrying on another port");
            }
            catch when (!options.KeepData)
            {
                started.KillProcess();
                DeleteFolders(options);
                throw;
            }
        }
    }

    /// <summary>
    /// Stops the private server (its data is gone: nothing is saved), keeping its port (for fault tests).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_home is null)
            throw new InvalidOperationException(
                $"Only a private server can be stopped; this one comes from {EnvironmentVariable}."
            );
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is { HasExited: false } process)
            {
                _options?.Log?.Invoke("redis: stopping");
                await Posix.TerminateAsync(process.Id, Posix.SigTerm, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Starts the private server again after <see cref="StopAsync"/>, on the same port, empty. No-op if running.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_home is null)
            throw new InvalidOperationException(
                $"Only a private server can be started; this one comes from {EnvironmentVariable}."
            );
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsRunning)
                await StartProcessAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops a private server and, unless data is kept, deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        if (_processExitHandler is not null)
            AppDomain.CurrentDomain.ProcessExit -= _processExitHandler;
        if (_process is { HasExited: false } process)
        {
            _options?.Log?.Invoke("redis: stopping");
            await Posix.TerminateAsync(process.Id, Posix.SigTerm, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        _process?.Dispose();
        if (_options is { KeepData: false })
            DeleteFolders(_options);
        _lifecycle.Dispose();
    }

    private string PidFile => Path.Combine(_home!, "redis.pid");

    private string LogFile => Path.Combine(_home!, "redis.log");

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var logOffset = LogFiles.Length(LogFile);
        File.Delete(PidFile);
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = _home };
        // exec, so the pid is the server's; its output goes to a file, never to our pipes
        foreach (
            var argument in (string[])
                [
                    "-c",
                    "exec \"$0\" \"$@\" >>\"$REDIS_LOG\" 2>&1 </dev/null",
                    Binary,
                    "--port",
                    Port.ToString(CultureInfo.InvariantCulture),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    _home!,
                    "--pidfile",
                    PidFile,
                    "--logfile",
                    "",
                ]
        )
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["REDIS_LOG"] = LogFile;
        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Binary}.");
        if (_options is { KeepData: false })
            await StartWatchdogAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"{e.Message}{Environment.NewLine}--- {LogFile} ---{Environment.NewLine}"
                    + LogFiles.Tail(LogFiles.ReadFrom(LogFile, logOffset), 20),
                e
            );
        }
    }

    /// <summary>
    /// A throw-away server must not outlive its owner: the test host can be killed before its exit handlers run.
    /// A shell in a session of its own polls the owner and SIGKILLs the server once the owner is gone.
    /// </summary>
    private async Task StartWatchdogAsync(CancellationToken cancellationToken)
    {
        const string watchdog = """
            while kill -0 "$1" 2>/dev/null && kill -0 "$3" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
            kill -0 "$1" 2>/dev/null || kill -9 "$3" 2>/dev/null
            """;
        var result = await ProcessRunner
            .RunAsync(
                "/bin/sh",
                [
                    "-c",
                    "setsid /bin/sh -c \"$0\" watchdog \"$1\" \"$2\" \"$3\" >/dev/null 2>&1 </dev/null &",
                    watchdog,
                    Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                    _home!,
                    _process!.Id.ToString(CultureInfo.InvariantCulture),
                ],
                null,
                _home,
                TimeSpan.FromSeconds(10),
                cancellationToken
            )
            .ConfigureAwait(false);
        if (!result.Succeeded)
            _options?.Log?.Invoke(
                $"redis: could not start the watchdog (exit code {result.ExitCode}): {result.Output}"
            );
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var startTimeout = _options?.StartTimeout ?? TimeSpan.FromSeconds(120);
        var deadline = DateTime.UtcNow + startTimeout;
        while (true)
        {
            if (await PingAsync(cancellationToken).ConfigureAwait(false))
                return;
            if (_process is { HasExited: true })
                throw new InvalidOperationException($"redis-server exited while starting (port {Port}).");
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException(
                    $"Redis at {ConnectionString} did not answer PING within {startTimeout.TotalSeconds:0} s."
                );
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when the server answers PING with PONG (a loading or refusing server does not).</summary>
    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host, Port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e)
            when (e is SocketException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            )
        {
            return false;
        }
    }

    /// <summary>
    /// A server of this folder left running by a killed earlier run is stopped first (its pid file names it).
    /// </summary>
    private static async Task StopLeftoverAsync(string home, LocalInfrastructureOptions options)
    {
        var pid = Posix.ReadPidFile(Path.Combine(home, "redis.pid"));
        if (Posix.IsAlive(pid) && Posix.CommandLine(pid).Contains("redis-server", StringComparison.Ordinal))
        {
            options.Log?.Invoke("redis: a server left running by an earlier run; stopping it");
            await Posix.TerminateAsync(pid, Posix.SigTerm, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    private void KillProcess()
    {
        try
        {
            if (_process is { HasExited: false } process)
                process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static void DeleteFolders(LocalInfrastructureOptions options)
    {
        DataFolders.DeleteTree(Path.Combine(options.DataFolder, SubFolder));
        DataFolders.DeleteIfEmpty(options.DataFolder);
    }

    private static (string Host, int Port) ParseEndpoint(string value)
    {
        var endpoint = value.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture, out var port)
            ? (endpoint[..colon], port)
            : (endpoint, 6379);
    }
}
