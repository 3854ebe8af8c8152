using System.Security.Cryptography;

namespace Community.LocalInfrastructure;

/// <summary>A port chosen free was taken before the node bound it; <see cref="Distribution"/> when it was the
/// Erlang distribution's (the node's own business, unlike the AMQP port its clients know).</summary>
internal sealed class PortInUseException(string message, bool distribution) : Exception(message)
{
    public bool Distribution { get; } = distribution;
}

/// <summary>
/// The files, environment and process of one private RabbitMQ node (<see cref="RabbitMqServer"/> owns one).
/// </summary>
internal sealed class RabbitMqNode
{
    public const string SubFolder = "rabbitmq";
    private readonly LocalInfrastructureOptions _options;
    private readonly string _home;
    private readonly string _pidFile;
    private readonly string _startupLog;

    private RabbitMqNode(LocalInfrastructureOptions options, string home, string name)
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

    /// <summary>
    /// Writes config, plugin list and cookie; a kept folder keeps its node name (its data is per name).
    /// </summary>
    public static RabbitMqNode Prepare(LocalInfrastructureOptions options)
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

        File.WriteAllText(
            Path.Combine(home, "rabbitmq.conf"),
            """
            # written by Community.LocalInfrastructure for a private node
            log.console = false
            log.file.level = info
            loopback_users.guest = true
            disk_free_limit.absolute = 50MB
            """ + "\n"
        );
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
        return new RabbitMqNode(options, home, name);
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
        var start = await ProcessRunner
            .RunAsync(
                "/bin/sh",
                [
                    "-c",
                    "exec \"$0\" \"$@\" >>\"$STARTUP_LOG\" 2>&1 </dev/null",
                    Path.Combine(RabbitMqServer.ScriptDirectory, "rabbitmq-server"),
                    "-detached",
                ],
                environment,
                _home,
                TimeSpan.FromSeconds(30),
                cancellationToken
            )
            .ConfigureAwait(false);
        if (!start.Succeeded)
        {
            throw new InvalidOperationException(
                "rabbitmq-server -detached failed (exit code "
                    + $"{start.ExitCode}).{Environment.NewLine}{LogTail(logOffset)}"
            );
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
            if (died || elapsed > _options.StartTimeout)
            {
                KillProcess(Posix.SigKill);
                var slogan = CrashSlogan();
                var distribution = slogan?.Contains("dist_port_already_used", StringComparison.Ordinal) == true;
                if (distribution || PortWasTaken(log, slogan))
                {
                    throw new PortInUseException(
                        $"RabbitMQ node {Name} could not listen on port {NodePort} or {DistributionPort}: in use.",
                        distribution
                    );
                }
                throw new InvalidOperationException(
                    (
                        died
                            ? $"RabbitMQ node {Name} exited while starting."
                            : $"RabbitMQ node {Name} was not ready after {_options.StartTimeout.TotalSeconds:0} s."
                    )
                        + $"{Environment.NewLine}Last rabbitmqctl status:{Environment.NewLine}"
                        + $"{LogFiles.Tail(status.Output, 10)}{Environment.NewLine}{LogTail(logOffset)}"
                );
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
        var result = await ProcessRunner
            .RunAsync(
                "/bin/sh",
                [
                    "-c",
                    "setsid /bin/sh -c \"$0\" watchdog \"$1\" \"$2\" >/dev/null 2>&1 </dev/null &",
                    watchdog,
                    Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _home,
                ],
                null,
                _home,
                TimeSpan.FromSeconds(10),
                cancellationToken
            )
            .ConfigureAwait(false);
        _watched = result.Succeeded;
        if (!result.Succeeded)
        {
            _options.Log?.Invoke(
                $"rabbitmq: could not start the watchdog of node {Name} (exit code {result.ExitCode}): {result.Output}"
            );
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
            if (
                int.TryParse(Path.GetFileName(entry), out pid)
                && Posix.CommandLine(pid) is var commandLine
                && commandLine.Contains("beam", StringComparison.Ordinal)
                && commandLine.Contains(_home + "/", StringComparison.Ordinal)
            )
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
                $"rabbitmqctl {string.Join(' ', arguments)} failed (exit code "
                    + $"{result.ExitCode}):{Environment.NewLine}{result.Output}"
            );
        }
    }

    public Task<ProcessResult> CtlRawAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(
            Path.Combine(RabbitMqServer.ScriptDirectory, "rabbitmqctl"),
            ["-n", Name, "-q", .. arguments],
            CtlEnvironment(),
            _home,
            _options.StartTimeout,
            cancellationToken
        );

    private Dictionary<string, string?> CtlEnvironment()
    {
        // RABBITMQ_* settings of the calling environment must not leak into a private node
        var environment = Environment
            .GetEnvironmentVariables()
            .Keys.Cast<string>()
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
        environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(
            System.Globalization.CultureInfo.InvariantCulture
        );
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

    // A port chosen free was taken before the node listened on it: the AMQP listener says so in the node's log, a
    // listener refused before the log is set up in the crash dump's slogan (the distribution port's own words,
    // dist_port_already_used, are read by the caller).
    private static bool PortWasTaken(string log, string? slogan) =>
        log.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase)
        || slogan?.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase) == true;

    // a VM that dies before its log is set up says why only in the crash dump's "Slogan:" line
    private string? CrashSlogan() =>
        File.Exists(CrashDump)
            ? File.ReadLines(CrashDump).Take(5).FirstOrDefault(l => l.StartsWith("Slogan:", StringComparison.Ordinal))
            : null;

    private string LogTail(long offset)
    {
        var startup = File.Exists(_startupLog) ? File.ReadAllText(_startupLog) : "";
        var slogan = CrashSlogan();
        return (slogan is null ? "" : $"--- {CrashDump} ---{Environment.NewLine}{slogan}{Environment.NewLine}")
            + $"--- {_startupLog} ---{Environment.NewLine}{LogFiles.Tail(startup, 15)}{Environment.NewLine}"
            + $"--- {NodeLog} ---{Environment.NewLine}{LogFiles.Tail(ReadNodeLog(offset), 40)}";
    }
}
