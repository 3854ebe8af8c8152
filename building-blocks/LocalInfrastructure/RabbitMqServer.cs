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
public sealed partial class RabbitMqServer : IAsyncDisposable
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

    private const string PrivateUser = "guest";

    private readonly LocalInfrastructureOptions? _options;
    private readonly Uri? _managementUri;
    private readonly string _user;
    private readonly string _password;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly RabbitMqNode? _node;
    private EventHandler? _processExitHandler;
    private int _disposed;
    private string _scheme = "amqp";

    private RabbitMqServer(
        string host,
        int port,
        string user,
        string password,
        Uri? managementUri,
        LocalInfrastructureOptions? options,
        RabbitMqNode? node
    )
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

    /// <summary>
    /// The Erlang node name of a private node (e.g. <c>community-1a2b3c4d5e@localhost</c>); null otherwise.
    /// </summary>
    public string? NodeName => _node?.Name;

    /// <summary>The Erlang distribution port of a private node (0 for an external broker).</summary>
    internal int DistributionPort => _node?.DistributionPort ?? 0;

    /// <summary>True while the broker runs (always true for an external broker).</summary>
    public bool IsRunning => _node is null || _node.Running;

    /// <summary>
    /// Uses <c>COMMUNITY_RABBITMQ</c> when set; otherwise starts a private node in
    /// <c>&lt;DataFolder&gt;/rabbitmq</c> (about 5 s) and waits until it accepts connections.
    /// </summary>
    public static async Task<RabbitMqServer> StartAsync(
        LocalInfrastructureOptions options,
        CancellationToken cancellationToken = default
    )
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
                $"RabbitMQ is not installed ({script} is missing). Run 'bash scripts/setup.sh', "
                    + $"or set {EnvironmentVariable} to the amqp:// URI of an existing broker."
            );
        }

        options = options with { DataFolder = Path.GetFullPath(options.DataFolder) };
        var node = RabbitMqNode.Prepare(options);
        try
        {
            await node.StopLeftoverAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                var ports = options.RabbitMqPorts(attempt);
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
        $"{_scheme}://{Uri.EscapeDataString(_user)}:{Uri.EscapeDataString(_password)}@{Host}:{Port}/"
        + Uri.EscapeDataString(virtualHost);

    /// <summary>Stops the private node, keeping its data, ports and name (for fault tests). No-op if stopped.</summary>
    /// <exception cref="InvalidOperationException">The broker is external (<c>COMMUNITY_RABBITMQ</c>).</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var node =
            _node
            ?? throw new InvalidOperationException(
                $"Only a private node can be stopped; this broker comes from {EnvironmentVariable}."
            );
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

    /// <summary>
    /// Starts the private node again after <see cref="StopAsync"/>, on the same AMQP port and data (its distribution
    /// port, if another process took it meanwhile, on another). No-op if running.
    /// </summary>
    /// <exception cref="InvalidOperationException">The broker is external, or the node did not come up.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var node =
            _node
            ?? throw new InvalidOperationException(
                $"Only a private node can be started; this broker comes from {EnvironmentVariable}."
            );
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!node.Running)
            {
                _options?.Log?.Invoke($"rabbitmq: starting node {node.Name} again");
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await node.StartAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    // The clients know the AMQP port, so it stays; the distribution port may move.
                    catch (PortInUseException e) when (e.Distribution && attempt < 3)
                    {
                        _options?.Log?.Invoke("rabbitmq: the distribution port was taken meanwhile; another one");
                        node.DistributionPort = LoopbackPorts.Take();
                    }
                    catch (PortInUseException e)
                    {
                        throw new InvalidOperationException(e.Message, e);
                    }
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
        DataFolders.DeleteTree(Path.Combine(options.DataFolder, RabbitMqNode.SubFolder));
        DataFolders.DeleteIfEmpty(options.DataFolder);
    }

    /// <summary>Kills a node left running in an abandoned test folder (owner process gone).</summary>
    internal static void KillAbandoned(string folder)
    {
        var home = Path.Combine(folder, RabbitMqNode.SubFolder);
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
        options.Log?.Invoke(
            $"rabbitmq: using {EnvironmentVariable} ({uri.Host}:{uri.Port}), management API "
                + managementUri
                    .GetLeftPart(UriPartial.Authority)
                    .Replace(managementUri.UserInfo + "@", "", StringComparison.Ordinal)
        );
        var port =
            uri.Port > 0 ? uri.Port
            : uri.Scheme == "amqps" ? 5671
            : 5672;
        return new RabbitMqServer(uri.Host, port, user, password, managementUri, options, null)
        {
            _scheme = uri.Scheme,
        };
    }

    private static (string User, string Password) Credentials(Uri uri, string defaultUser, string defaultPassword)
    {
        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return (defaultUser, defaultPassword);
        }
        var parts = uri.UserInfo.Split(':', 2);
        return (
            Uri.UnescapeDataString(parts[0]),
            parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : defaultPassword
        );
    }
}
