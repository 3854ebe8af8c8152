using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Community.LocalInfrastructure.Internal;

namespace Community.LocalInfrastructure;

/// <summary>
/// A RabbitMQ broker for local runs and tests: the broker named by <c>COMMUNITY_RABBITMQ</c>
/// (vhosts created through its management API) when set, otherwise a private node started
/// from the installed <c>rabbitmq-server</c> with its files in <c>&lt;DataFolder&gt;/rabbitmq</c>,
/// on free loopback ports and under a node name of its own. Disposal stops a private node.
/// </summary>
/// <remarks>
/// The private node runs as the current user (root included) through the scripts in
/// <c>/usr/lib/rabbitmq/bin</c>, not Debian's <c>/usr/sbin</c> wrappers (those switch to the
/// <c>rabbitmq</c> user and refuse anyone else). <c>HOME</c> points into the data folder, so the
/// node and <c>rabbitmqctl</c> share a private Erlang cookie and never touch /var/lib/rabbitmq.
/// </remarks>
public sealed class RabbitMqServer : IAsyncDisposable
{
    /// <summary>Environment variable holding the amqp:// URI of a broker to use instead of a private node.</summary>
    public const string EnvironmentVariable = "COMMUNITY_RABBITMQ";

    /// <summary>
    /// Environment variable holding that broker's management API base URI with credentials
    /// (e.g. http://guest:guest@127.0.0.1:15672); defaults to port 15672 of the amqp host.
    /// </summary>
    public const string ManagementEnvironmentVariable = "COMMUNITY_RABBITMQ_MANAGEMENT";

    /// <summary>Where the RabbitMQ scripts are installed (Debian/Ubuntu layout).</summary>
    public const string ScriptDirectory = "/usr/lib/rabbitmq/bin";

    private const string SubFolder = "rabbitmq";
    private const string PrivateUser = "guest";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CtlTimeout = TimeSpan.FromSeconds(60);

    private readonly LocalInfrastructureOptions? _options;
    private readonly Uri? _managementUri;
    private readonly string _user;
    private readonly string _password;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly PrivateNode? _node;
    private EventHandler? _processExitHandler;
    private int _disposed;
    private string _scheme = "amqp";

    private RabbitMqServer(string host, int port, string user, string password, Uri? managementUri, LocalInfrastructureOptions? options, PrivateNode? node)
    {
        Host = host;
        Port = port;
        _user = user;
        _password = password;
        _managementUri = managementUri;
        _options = options;
        _node = node;
    }

    /// <summary>Host of the AMQP listener (127.0.0.1 for a private node).</summary>
    public string Host { get; }

    /// <summary>Port of the AMQP listener.</summary>
    public int Port { get; }

    /// <summary>True when this object started the node (and may stop, start and dispose of it).</summary>
    public bool IsOwned => _node is not null;

    /// <summary>The Erlang node name of a private node (e.g. <c>community-1a2b3c4d5e@localhost</c>); null otherwise.</summary>
    public string? NodeName => _node?.Name;

    /// <summary>True while the broker runs (always true for an external broker).</summary>
    public bool IsRunning => _node is null || _node.Running;

    /// <summary>
    /// Uses <c>COMMUNITY_RABBITMQ</c> when set; otherwise starts a private node in
    /// <c>&lt;DataFolder&gt;/rabbitmq</c> (about 5 s) and waits until it accepts connections.
    /// </summary>
    public static async Task<RabbitMqServer> StartAsync(LocalInfrastructureOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return UseExternal(external, options);
        }
        var script = Path.Combine(ScriptDirectory, "rabbitmq-server");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not installed ({script} is missing). Run 'bash scripts/setup.sh', " +
                $"or set {EnvironmentVariable} to the amqp:// URI of an existing broker.");
        }

        options = options with { DataFolder = Path.GetFullPath(options.DataFolder) };
        var node = PrivateNode.Prepare(options);
        try
        {
            await node.StopLeftoverAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                var ports = FreePorts.Take(2);
                node.NodePort = ports[0];
                node.DistributionPort = ports[1];
                try
                {
                    await node.StartAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (PortInUseException) when (attempt < 3)
                {
                    options.Log?.Invoke("rabbitmq: a chosen port was taken meanwhile; retrying with other ports");
                }
            }
        }
        catch when (!options.KeepData)
        {
            node.KillProcess(Posix.SigKill);
            DeleteFolders(options);
            throw;
        }
        var server = new RabbitMqServer("127.0.0.1", node.NodePort, PrivateUser, PrivateUser, null, options, node);
        server._processExitHandler = (_, _) => server.StopOnProcessExit();
        AppDomain.CurrentDomain.ProcessExit += server._processExitHandler;
        options.Log?.Invoke($"rabbitmq: node {node.Name} listening on 127.0.0.1:{node.NodePort}");
        return server;
    }

    /// <summary>The amqp:// URI of <paramref name="virtualHost"/> on this broker, with credentials.</summary>
    public string UriFor(string virtualHost) =>
        $"{_scheme}://{Uri.EscapeDataString(_user)}:{Uri.EscapeDataString(_password)}@{Host}:{Port}/{Uri.EscapeDataString(virtualHost)}";

    /// <summary>
    /// Creates <paramref name="name"/> (idempotent), grants the broker user full permissions on
    /// it and returns its amqp:// URI, e.g. <c>amqp://guest:guest@127.0.0.1:PORT/NAME</c>.
    /// </summary>
    public async Task<string> CreateVhostAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateVhost(name);
        if (_node is not null)
        {
            await _node.CtlAsync(["add_vhost", name], cancellationToken).ConfigureAwait(false);
            await _node.CtlAsync(["set_permissions", "-p", name, _user, ".*", ".*", ".*"], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ManagementAsync(HttpMethod.Put, $"api/vhosts/{Uri.EscapeDataString(name)}", "{}", cancellationToken).ConfigureAwait(false);
            await ManagementAsync(HttpMethod.Put, $"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(_user)}",
                """{"configure":".*","write":".*","read":".*"}""", cancellationToken).ConfigureAwait(false);
        }
        return UriFor(name);
    }

    /// <summary>Every queue of <paramref name="virtualHost"/> with its ready + unacknowledged message count (rabbitmqctl, or the management API of an external broker).</summary>
    public async Task<IReadOnlyList<(string Queue, long Messages)>> ListQueuesAsync(string virtualHost, CancellationToken cancellationToken = default)
    {
        ValidateVhost(virtualHost);
        var queues = new List<(string, long)>();
        if (_node is not null)
        {
            var result = await _node.CtlRawAsync(["list_queues", "-p", virtualHost, "--no-table-headers", "name", "messages"], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"rabbitmqctl list_queues failed (exit code {result.ExitCode}): {result.Output}");
            }
            foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (line.Split('\t') is [var name, var count] && long.TryParse(count, System.Globalization.CultureInfo.InvariantCulture, out var messages))
                {
                    queues.Add((name, messages));
                }
            }
            return queues;
        }
        var json = await ManagementGetAsync($"api/queues/{Uri.EscapeDataString(virtualHost)}?columns=name,messages", cancellationToken).ConfigureAwait(false);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        foreach (var queue in document.RootElement.EnumerateArray())
        {
            queues.Add((queue.GetProperty("name").GetString() ?? "", queue.TryGetProperty("messages", out var m) && m.TryGetInt64(out var n) ? n : 0));
        }
        return queues;
    }

    /// <summary>Deletes <paramref name="name"/> and everything in it; no error if it does not exist.</summary>
    public async Task DeleteVhostAsync(string name, CancellationToken cancellationToken = default)
    {
        ValidateVhost(name);
        if (_node is not null)
        {
            var result = await _node.CtlRawAsync(["delete_vhost", name], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && !result.Output.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
                && !result.Output.Contains("no_such_vhost", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"rabbitmqctl delete_vhost {name} failed:{Environment.NewLine}{result.Output}");
            }
        }
        else
        {
            await ManagementAsync(HttpMethod.Delete, $"api/vhosts/{Uri.EscapeDataString(name)}", null, cancellationToken, allowNotFound: true)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Stops the private node, keeping its data, ports and name (for fault tests). No-op if stopped.</summary>
    /// <exception cref="InvalidOperationException">The broker is external (<c>COMMUNITY_RABBITMQ</c>).</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var node = _node ?? throw new InvalidOperationException($"Only a private node can be stopped; this broker comes from {EnvironmentVariable}.");
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (node.Running)
            {
                _options?.Log?.Invoke($"rabbitmq: stopping node {node.Name}");
                await node.StopAsync(graceful: true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts the private node again after <see cref="StopAsync"/>, on the same ports and data. No-op if running.</summary>
    /// <exception cref="InvalidOperationException">The broker is external, or the node did not come up.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var node = _node ?? throw new InvalidOperationException($"Only a private node can be started; this broker comes from {EnvironmentVariable}.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!node.Running)
            {
                _options?.Log?.Invoke($"rabbitmq: starting node {node.Name} again");
                try
                {
                    await node.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PortInUseException e)
                {
                    throw new InvalidOperationException(e.Message, e);
                }
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops a private node; unless data is kept it is killed outright and its folder deleted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (_processExitHandler is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= _processExitHandler;
        }
        if (_node is null || _options is null)
        {
            if (_options is { KeepData: false })
            {
                DataFolders.DeleteIfEmpty(_options.DataFolder);
            }
            return;
        }
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            _options.Log?.Invoke($"rabbitmq: stopping node {_node.Name}");
            await _node.StopAsync(graceful: _options.KeepData, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
            DeleteUnlessKept();
        }
    }

    private void StopOnProcessExit()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || _node is null)
        {
            return;
        }
        try
        {
            _node.KillProcess(_options?.KeepData == true ? Posix.SigTerm : Posix.SigKill);
            DeleteUnlessKept();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the process is exiting; the next test run sweeps the folder
        }
    }

    private void DeleteUnlessKept()
    {
        if (_options is { KeepData: false })
        {
            DeleteFolders(_options);
        }
    }

    private static void DeleteFolders(LocalInfrastructureOptions options)
    {
        DataFolders.DeleteTree(Path.Combine(options.DataFolder, SubFolder));
        DataFolders.DeleteIfEmpty(options.DataFolder);
    }

    /// <summary>Kills a node left running in an abandoned test folder (owner process gone).</summary>
    internal static void KillAbandoned(string folder)
    {
        var home = Path.Combine(folder, SubFolder);
        var pid = Posix.ReadPidFile(Path.Combine(home, "node.pid"));
        if (Posix.IsAlive(pid) && Posix.CommandLine(pid).Contains(home + "/", StringComparison.Ordinal))
        {
            Posix.TerminateAsync(pid, Posix.SigKill, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
    }

    private static RabbitMqServer UseExternal(string amqpUri, LocalInfrastructureOptions options)
    {
        if (!Uri.TryCreate(amqpUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new InvalidOperationException($"{EnvironmentVariable} must be an amqp:// URI, got '{amqpUri}'.");
        }
        var (user, password) = Credentials(uri, PrivateUser, PrivateUser);
        var management = Environment.GetEnvironmentVariable(ManagementEnvironmentVariable);
        var managementUri = string.IsNullOrWhiteSpace(management)
            ? new Uri($"http://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@{uri.Host}:15672/")
            : new Uri(management.EndsWith('/') ? management : management + "/");
        options.Log?.Invoke($"rabbitmq: using {EnvironmentVariable} ({uri.Host}:{uri.Port}), management API {managementUri.GetLeftPart(UriPartial.Authority).Replace(managementUri.UserInfo + "@", "", StringComparison.Ordinal)}");
        var port = uri.Port > 0 ? uri.Port : uri.Scheme == "amqps" ? 5671 : 5672;
        return new RabbitMqServer(uri.Host, port, user, password, managementUri, options, null) { _scheme = uri.Scheme };
    }

    private static (string User, string Password) Credentials(Uri uri, string defaultUser, string defaultPassword)
    {
        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return (defaultUser, defaultPassword);
        }
        var parts = uri.UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : defaultPassword);
    }

    private async Task<string> ManagementGetAsync(string path, CancellationToken cancellationToken)
    {
        var baseUri = _managementUri!;
        var (user, password) = Credentials(baseUri, _user, _password);
        using var http = new HttpClient { BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Path)), Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"RabbitMQ management API GET {path} answered {(int)response.StatusCode}: {body}");
    }

    private async Task ManagementAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        var baseUri = _managementUri!;
        var (user, password) = Credentials(baseUri, _user, _password);
        using var http = new HttpClient { BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Path)), Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && !(allowNotFound && response.StatusCode == System.Net.HttpStatusCode.NotFound))
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"RabbitMQ management API {method} {path} answered {(int)response.StatusCode}: {body}");
        }
    }

    private static void ValidateVhost(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 255 || name.Any(char.IsControl))
        {
            throw new ArgumentException($"'{name}' is not a valid virtual host name.", nameof(name));
        }
    }

    private sealed class PortInUseException(string message) : Exception(message);

    /// <summary>The files, environment and process of one private node.</summary>
    private sealed class PrivateNode
    {
        private readonly LocalInfrastructureOptions _options;
        private readonly string _home;
        private readonly string _pidFile;
        private readonly string _startupLog;

        private PrivateNode(LocalInfrastructureOptions options, string home, string name)
        {
            _options = options;
            _home = home;
            Name = name;
            _pidFile = Path.Combine(home, "node.pid");
            _startupLog = Path.Combine(home, "startup.log");
        }

        public string Name { get; }
        public int NodePort { get; set; }
        public int DistributionPort { get; set; }
        public bool Running { get; private set; }

        private bool _watched;

        private string NodeLog => Path.Combine(_home, "log", Name + ".log");

        private string CrashDump => Path.Combine(_home, "erl_crash.dump");

        /// <summary>Writes config, plugin list and cookie; a kept folder keeps its node name (its data is per name).</summary>
        public static PrivateNode Prepare(LocalInfrastructureOptions options)
        {
            var home = Path.Combine(Path.GetFullPath(options.DataFolder), SubFolder);
            Directory.CreateDirectory(Path.Combine(home, "mnesia"));
            Directory.CreateDirectory(Path.Combine(home, "log"));
            Directory.CreateDirectory(Path.Combine(home, "home"));

            var nameFile = Path.Combine(home, "nodename");
            var name = options.KeepData && File.Exists(nameFile) ? File.ReadAllText(nameFile).Trim() : "";
            if (name.Length == 0)
            {
                name = $"community-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}@localhost";
                File.WriteAllText(nameFile, name + "\n");
            }

            File.WriteAllText(Path.Combine(home, "rabbitmq.conf"),
                """
                # written by Community.LocalInfrastructure for a private node
                log.console = false
                log.file.level = info
                loopback_users.guest = true
                disk_free_limit.absolute = 50MB
                """ + "\n");
            File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[].\n");
            // an empty rabbitmq-env.conf of ours, so /etc/rabbitmq/rabbitmq-env.conf cannot interfere
            File.WriteAllText(Path.Combine(home, "rabbitmq-env.conf"), "");

            var cookie = Path.Combine(home, "home", ".erlang.cookie");
            if (!File.Exists(cookie))
            {
                var value = string.Concat(RandomNumberGenerator.GetItems<char>("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 20));
                File.WriteAllText(cookie, value);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(cookie, UnixFileMode.UserRead); // Erlang refuses a cookie others can read
            }
            return new PrivateNode(options, home, name);
        }

        /// <summary>A node of this folder still running from an earlier run (a killed AppHost) is stopped first.</summary>
        public async Task StopLeftoverAsync(CancellationToken cancellationToken)
        {
            var pid = Posix.ReadPidFile(_pidFile);
            if (Posix.IsAlive(pid) && Posix.CommandLine(pid).Contains(_home + "/", StringComparison.Ordinal))
            {
                _options.Log?.Invoke($"rabbitmq: node {Name} left running by an earlier run; stopping it");
                await Posix.TerminateAsync(pid, Posix.SigTerm, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var logOffset = LogFiles.Length(NodeLog);
            File.Delete(_pidFile);
            File.Delete(CrashDump);
            var environment = ServerEnvironment();
            // -detached forks the VM (and maybe epmd): send their output to a file, never our pipes
            var start = await ProcessRunner.RunAsync("/bin/sh",
                ["-c", "exec \"$0\" \"$@\" >>\"$STARTUP_LOG\" 2>&1 </dev/null", Path.Combine(ScriptDirectory, "rabbitmq-server"), "-detached"],
                environment, _home, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (!start.Succeeded)
            {
                throw new InvalidOperationException($"rabbitmq-server -detached failed (exit code {start.ExitCode}).{Environment.NewLine}{LogTail(logOffset)}");
            }

            var began = DateTime.UtcNow;
            var status = new ProcessResult(-1, "(not asked yet: the AMQP port never opened)");
            while (true)
            {
                // the AMQP listener opens last; only then ask rabbitmqctl (each call boots an Erlang VM)
                if (await FreePorts.AcceptsConnectionsAsync(NodePort, cancellationToken).ConfigureAwait(false))
                {
                    status = await CtlRawAsync(["status"], cancellationToken).ConfigureAwait(false);
                    if (status.Succeeded)
                    {
                        Running = true;
                        if (!_options.KeepData && !_watched)
                        {
                            await StartWatchdogAsync(cancellationToken).ConfigureAwait(false);
                        }
                        return;
                    }
                }
                var elapsed = DateTime.UtcNow - began;
                var log = ReadNodeLog(logOffset);
                var died = elapsed > TimeSpan.FromSeconds(3) && FindNodeProcess() == 0;
                if (died || elapsed > StartTimeout)
                {
                    KillProcess(Posix.SigKill);
                    if (log.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new PortInUseException($"RabbitMQ node {Name} could not listen on port {NodePort} or {DistributionPort}: in use.");
                    }
                    throw new InvalidOperationException(
                        (died ? $"RabbitMQ node {Name} exited while starting." : $"RabbitMQ node {Name} was not ready after {StartTimeout.TotalSeconds:0} s.")
                        + $"{Environment.NewLine}Last rabbitmqctl status:{Environment.NewLine}{LogFiles.Tail(status.Output, 10)}{Environment.NewLine}{LogTail(logOffset)}");
                }
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// A throw-away node must not outlive its owner: vstest kills the test host about 100 ms after
        /// the run, often before the ProcessExit handlers reach this node, and a -detached VM is no
        /// child of ours. A shell in a session of its own polls the owner and SIGKILLs the node once it is gone.
        /// </summary>
        private async Task StartWatchdogAsync(CancellationToken cancellationToken)
        {
            const string watchdog = """
                while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
                pid=$(head -n 1 "$2/node.pid" 2>/dev/null)
                case "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" in *"$2/"*) kill -9 "$pid" ;; esac
                """;
            var result = await ProcessRunner.RunAsync("/bin/sh",
                ["-c", "setsid /bin/sh -c \"$0\" watchdog \"$1\" \"$2\" >/dev/null 2>&1 </dev/null &", watchdog,
                    Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), _home],
                null, _home, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            _watched = result.Succeeded;
            if (!result.Succeeded)
            {
                _options.Log?.Invoke($"rabbitmq: could not start the watchdog of node {Name} (exit code {result.ExitCode}): {result.Output}");
            }
        }

        /// <summary>Graceful: <c>rabbitmqctl stop</c> (waits for the VM to exit). Otherwise SIGKILL.</summary>
        public async Task StopAsync(bool graceful, CancellationToken cancellationToken)
        {
            var pid = FindNodeProcess();
            if (pid == 0)
            {
                Running = false;
                return;
            }
            if (graceful)
            {
                await CtlRawAsync(["stop", _pidFile], cancellationToken).ConfigureAwait(false);
            }
            if (Posix.IsAlive(pid) && Posix.CommandLine(pid).Contains(_home + "/", StringComparison.Ordinal))
            {
                await Posix.TerminateAsync(pid, Posix.SigKill, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            Running = false;
        }

        /// <summary>The pid of this node's VM (found by its command line, which names our folder); 0 if none.</summary>
        private int FindNodeProcess()
        {
            var pid = Posix.ReadPidFile(_pidFile);
            if (Posix.IsAlive(pid) && Posix.CommandLine(pid).Contains(_home + "/", StringComparison.Ordinal))
            {
                return pid;
            }
            foreach (var entry in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(entry), out pid) && Posix.CommandLine(pid) is var commandLine
                    && commandLine.Contains("beam", StringComparison.Ordinal) && commandLine.Contains(_home + "/", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            return 0;
        }

        public void KillProcess(int signal)
        {
            Posix.Signal(FindNodeProcess(), signal);
            Running = false;
        }

        public async Task CtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var result = await CtlRawAsync(arguments, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(
                    $"rabbitmqctl {string.Join(' ', arguments)} failed (exit code {result.ExitCode}):{Environment.NewLine}{result.Output}");
            }
        }

        public Task<ProcessResult> CtlRawAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
            ProcessRunner.RunAsync(Path.Combine(ScriptDirectory, "rabbitmqctl"), ["-n", Name, "-q", .. arguments],
                CtlEnvironment(), _home, CtlTimeout, cancellationToken);

        private Dictionary<string, string?> CtlEnvironment()
        {
            // RABBITMQ_* settings of the calling environment must not leak into a private node
            var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
                .Where(k => k.StartsWith("RABBITMQ_", StringComparison.Ordinal))
                .ToDictionary(k => k, _ => (string?)null);
            environment["HOME"] = Path.Combine(_home, "home");
            environment["LC_ALL"] = "C.UTF-8";
            environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_home, "rabbitmq-env.conf");
            // any free port for the CLI's own Erlang node, instead of the shared 35672-35682 range
            environment["RABBITMQ_CTL_DIST_PORT_MIN"] = "0";
            environment["RABBITMQ_CTL_DIST_PORT_MAX"] = "0";
            return environment;
        }

        private Dictionary<string, string?> ServerEnvironment()
        {
            var environment = CtlEnvironment();
            environment["RABBITMQ_NODENAME"] = Name;
            environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
            environment["RABBITMQ_NODE_PORT"] = NodePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_home, "mnesia");
            environment["RABBITMQ_LOG_BASE"] = Path.Combine(_home, "log");
            environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_home, "rabbitmq.conf");
            environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_home, "enabled_plugins");
            environment["RABBITMQ_PID_FILE"] = _pidFile;
            environment["STARTUP_LOG"] = _startupLog;
            environment["ERL_CRASH_DUMP"] = CrashDump;
            return environment;
        }

        private string ReadNodeLog(long offset) => LogFiles.ReadFrom(NodeLog, offset);

        private string LogTail(long offset)
        {
            var startup = File.Exists(_startupLog) ? File.ReadAllText(_startupLog) : "";
            // a VM that dies before its log is set up says why only in the crash dump's "Slogan:" line
            var slogan = File.Exists(CrashDump)
                ? File.ReadLines(CrashDump).Take(5).FirstOrDefault(l => l.StartsWith("Slogan:", StringComparison.Ordinal))
                : null;
            return (slogan is null ? "" : $"--- {CrashDump} ---{Environment.NewLine}{slogan}{Environment.NewLine}") +
                $"--- {_startupLog} ---{Environment.NewLine}{LogFiles.Tail(startup, 15)}{Environment.NewLine}" +
                $"--- {NodeLog} ---{Environment.NewLine}{LogFiles.Tail(ReadNodeLog(offset), 40)}";
        }
    }
}
