using System.Diagnostics;
using Community.AppHost.Telemetry;
using Community.Contracts;
using Community.LocalInfrastructure;

namespace Community.AppHost;

/// <summary>
/// Starts PostgreSQL, RabbitMQ and Redis, builds what runs, runs every present service (gateway
/// last, each only once the previous answers /health/ready), serves the dashboard, and on
/// shutdown stops the services, then the infrastructure.
/// </summary>
internal sealed partial class Orchestrator(AppHostOptions options, ConsoleOutput console)
{
    private readonly Resource _postgres = new("postgres", "postgres");
    private readonly Resource _rabbitMq = new(ResourceNames.RabbitMq, "rabbitmq");
    private readonly Resource _redis = new(ResourceNames.Redis, "redis");
    private readonly List<ServiceRunner> _runners = [];
    private readonly TelemetryStore _telemetry = new();
    private PlatformProbes? _probes;
    private string _root = "";
    private bool _ownsDataFolder;

    private string ChildrenFile => Path.Combine(_root, ".local", "apphost", "children.pids");

    private string LocalAdminFile => Path.Combine(_root, ".local", "apphost", LocalAdmin.FileName);

    private string LockFile => Path.Combine(_root, ".local", "apphost", "apphost.pid");

    public async Task<int> RunAsync(CancellationToken stopping)
    {
        PostgresServer? postgres = null;
        RabbitMqServer? rabbitMq = null;
        RedisServer? redis = null;
        Dashboard? dashboard = null;
        using var http = new HttpClient();
        // Ctrl+C, or a failed start: from then on neither a dashboard action nor a rolling restart starts a service
        using var leaving = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var exitCode = 0;
        try
        {
            _root = RepositoryRoot.Find();
            var services = Resources.Present(_root);
            // names now, for the log prefixes; ports once the infrastructure has taken its own
            var names = Resources.Instances(services, options.ReplicasOf, _ => "").Select(i => i.Name).ToList();
            foreach (
                var name in new[] { "apphost", "build", _postgres.Name, _rabbitMq.Name, _redis.Name }.Concat(names)
            )
            {
                console.Register(name);
            }
            console.Host($"repository {_root}; services: {string.Join(", ", names)}");
            ClaimDataFolder();
            StopLeftoverChildren();

            var history = new MetricsHistory(_telemetry);
            _ = history.RunAsync(stopping);
            dashboard = new Dashboard(
                options.DashboardUrl,
                Snapshot,
                _telemetry,
                () => _probes,
                history,
                options.HealthTimeout
            );
            dashboard.Start(leaving.Token);
            var (otlpEndpoint, otlpProtocol) = ServiceEnvironment.OtlpTarget(
                dashboard.OtlpEndpoint,
                Environment.GetEnvironmentVariable
            );
            console.Host($"dashboard {dashboard.Url}; services export telemetry to {otlpEndpoint}");
            if (services.Any(s => s.IsGateway))
            {
                EnsureFree(options.GatewayUrl, "--gateway-url");
            }

            var infrastructure = LocalInfrastructureOptions.ForAppHost(_root) with
            {
                Log = InfrastructureLog,
                StartTimeout = options.HealthTimeout,
            };
            var postgresTask = PostgresServer.StartAsync(infrastructure, stopping);
            var rabbitMqTask = RabbitMqServer.StartAsync(infrastructure, stopping);
            var redisTask = RedisServer.StartAsync(infrastructure, stopping);
            var buildTask = options.Build
                ? new ProjectBuild(_root, console).RunAsync(services, stopping)
                : Task.FromResult(true);
            try
            {
                await Task.WhenAll(postgresTask, rabbitMqTask, redisTask, buildTask);
            }
            finally
            {
                postgres = postgresTask.IsCompletedSuccessfully ? postgresTask.Result : null;
                rabbitMq = rabbitMqTask.IsCompletedSuccessfully ? rabbitMqTask.Result : null;
                redis = redisTask.IsCompletedSuccessfully ? redisTask.Result : null;
            }
            if (!buildTask.Result)
            {
                console.Error("the build failed (output above); fix it or run with --no-build");
                return exitCode = 1;
            }
            _postgres.Endpoint = $"postgresql://{postgres!.Host}:{postgres.Port}";
            _rabbitMq.Endpoint = $"amqp://{rabbitMq!.Host}:{rabbitMq.Port}/{Resources.VirtualHost}";
            _redis.Endpoint = $"redis://{redis!.ConnectionString}";
            // until AppHost leaves (a failed start too): never while the servers are stopped at the end
            WatchInfrastructure(postgres, rabbitMq, redis, leaving.Token);

            var broker = await rabbitMq.CreateVhostAsync(Resources.VirtualHost, stopping);
            var ports = new Queue<int>(LoopbackPorts.Take(names.Count));
            var instances = Resources.Instances(
                services,
                options.ReplicasOf,
                (s, i) =>
                    s.IsGateway
                        ? Resources.GatewayUrl(options.GatewayUrl, i, ports.Dequeue)
                        : $"http://127.0.0.1:{ports.Dequeue()}"
            );
            var addresses = Resources.Addresses(instances);
            var databases = new Dictionary<string, string>();
            foreach (var service in services.Where(s => s.UsesDatabase))
            {
                databases[service.Name] = await postgres.CreateDatabaseAsync(
                    ResourceNames.DatabaseNameOf(service.Name),
                    stopping
                );
            }
            _probes = new PlatformProbes(databases, rabbitMq, Resources.VirtualHost);
            _ = SampleProbesAsync(_probes, history, stopping);
            var admin = LocalAdminFor(services);
            // The secret identity's revocation feed asks of the gateway and services: made for this run, never stored.
            var revocationFeedKey = Convert.ToBase64String(
                System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)
            );
            var platform = new PlatformEnvironment(
                options.GatewayUrl,
                addresses,
                databases,
                broker,
                otlpEndpoint,
                admin?.Admin,
                KeyRingPath: Path.Combine(_root, ".local", "data-protection"),
                RevocationFeedKey: revocationFeedKey,
                OtlpProtocol: otlpProtocol,
                Redis: redis.ConnectionString,
                CorsOrigins: options.CorsOrigins
            );
            foreach (var instance in instances)
            {
                var environment = ServiceEnvironment.For(instance, services, platform);
                if (instance.Service.IsGateway)
                {
                    // the reference web client, built by scripts/run.sh, at <gateway>/app/
                    // (gateway/Gateway/WebClient.cs)
                    environment["WebClient__Root"] = Path.Combine(_root, "clients", "web", "dist");
                }
                var projectFile = Path.Combine(_root, instance.Service.Project);
                var projectDirectory = Path.GetDirectoryName(projectFile)!;
                lock (_runners)
                {
                    _runners.Add(
                        new ServiceRunner(
                            instance,
                            ProjectBuild.AssemblyPath(projectFile),
                            projectDirectory,
                            environment,
                            console,
                            http,
                            leaving.Token,
                            // recorded at once: an AppHost killed before the timer's next write leaves none unknown
                            launched: WriteChildrenFile
                        )
                    );
                }
            }

            // a backstop to the writes at each launch: a child's exit is recorded here
            using var bookkeeping = new Timer(
                _ => WriteChildrenFile(),
                null,
                TimeSpan.FromSeconds(1),
                TimeSpan.FromSeconds(2)
            );
            // In waves: identity first (the others read its keys and revocations at start), then every other service
            // at once, then the gateway(s) in front of them.
            var waves = _runners
                .GroupBy(r =>
                    r.Service == ResourceNames.Identity ? 0
                    : r.Kind == "gateway" ? 2
                    : 1
                )
                .OrderBy(wave => wave.Key);
            foreach (var wave in waves)
            {
                foreach (var runner in wave)
                {
                    console.Host($"starting {runner.Name} on {runner.Url}");
                    runner.Start();
                }
                var healthy = await Task.WhenAll(
                    wave.Select(async runner =>
                    {
                        var ok = await runner.WaitUntilHealthyAsync(options.HealthTimeout, stopping);
                        if (ok)
                            console.Host($"{runner.Name} is healthy");
                        return (runner, ok);
                    })
                );
                if (healthy.FirstOrDefault(h => !h.ok).runner is { } failed)
                {
                    console.Error(
                        $"{failed.Name} did not answer 200 on {failed.Url}/health/ready within "
                            + $"{options.HealthTimeout.TotalSeconds:0} s "
                            + $"(last check: {failed.LastHealth ?? "none"}, state {failed.State}). Its last lines:"
                    );
                    foreach (var line in failed.Logs.Snapshot().TakeLast(20))
                    {
                        console.Line(failed.Name, line, error: true);
                    }
                    return exitCode = 1;
                }
            }

            var gateway = _runners.FirstOrDefault(r => r.Kind == "gateway");
            console.Host("everything is healthy:");
            console.Host($"  gateway    {gateway?.Url ?? "(no gateway project yet)"}");
            foreach (var other in _runners.Where(r => r.Kind == "gateway").Skip(1))
            {
                console.Host(
                    $"  {other.Name, -10} {other.Url}  (the same routes; clients or a load balancer pick one)"
                );
            }
            if (gateway is not null)
            {
                console.Host($"  web app    {gateway.Url.TrimEnd('/')}/app/  (clients/web)");
            }
            console.Host($"  dashboard  {dashboard.Url}");
            console.Host(
                options.CorsOrigins.Count == 0
                    ? "  browsers   no origin allowed (--cors-origins)"
                    : $"  browsers   pages on {string.Join(", ", options.CorsOrigins)} may call the gateway "
                        + "(--cors-origins to change)"
            );
            if (admin is { Admin: var account, Created: var created })
            {
                // the password is printed the one time it is made; later runs point at the file
                console.Host(
                    created
                        ? $"  admin      {account.Username} / {account.Password}  (generated once; kept in "
                            + $"{Path.GetRelativePath(_root, LocalAdminFile)})"
                        : $"  admin      {account.Username}  (password in "
                            + $"{Path.GetRelativePath(_root, LocalAdminFile)})"
                );
            }
            console.Host("press Ctrl+C to stop");
            await Task.Delay(Timeout.Infinite, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Ctrl+C / SIGTERM
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            console.Error(e is InvalidOperationException or TimeoutException ? e.Message : e.ToString());
            exitCode = 1;
        }
        finally
        {
            await leaving.CancelAsync();
            await StopAllAsync(postgres, rabbitMq, redis);
            dashboard?.Dispose();
        }
        return exitCode;
    }

    /// <summary>The generated local admin, unless there is no identity or admins come from the environment.</summary>
    private (LocalAdmin Admin, bool Created)? LocalAdminFor(IReadOnlyList<ServiceDefinition> services)
    {
        if (
            !services.Any(s => s.Name == ResourceNames.Identity)
            || Environment.GetEnvironmentVariable("Identity__Admins__0__Username") is { Length: > 0 }
        )
        {
            return null;
        }
        return LocalAdmin.LoadOrCreate(LocalAdminFile);
    }

    private IReadOnlyList<Resource> Snapshot()
    {
        lock (_runners)
        {
            return [_postgres, _rabbitMq, _redis, .. _runners];
        }
    }

    private void InfrastructureLog(string line)
    {
        var resource =
            line.StartsWith("postgres", StringComparison.Ordinal) ? _postgres
            : line.StartsWith("redis", StringComparison.Ordinal) ? _redis
            : _rabbitMq;
        var text = line[(line.IndexOf(':') + 1)..].TrimStart();
        resource.Logs.Add(text);
        console.Line(resource.Name, text);
    }

    /// <summary>
    /// Each row of the infrastructure shows what its server answers now (probed at once, then every few seconds).
    /// </summary>
    private void WatchInfrastructure(
        PostgresServer postgres,
        RabbitMqServer rabbitMq,
        RedisServer redis,
        CancellationToken stopping
    )
    {
        Watch(
            _postgres,
            t => InfrastructureHealth.PostgresAsync(postgres.AdminConnectionString, t),
            "answers SELECT 1"
        );
        Watch(
            _rabbitMq,
            t =>
                rabbitMq.IsRunning
                    ? InfrastructureHealth.AmqpAsync(rabbitMq.Host, rabbitMq.Port, t)
                    : Task.FromResult<string?>("the RabbitMQ node exited"),
            "takes connections on its AMQP port"
        );
        // meanwhile per-user hub limits are off and the gateway counts its rate limits in memory
        Watch(
            _redis,
            t =>
                redis.IsRunning
                    ? InfrastructureHealth.RedisAsync(redis.Host, redis.Port, t)
                    : Task.FromResult<string?>("redis-server exited; hub limits are off, the gateway limits in memory"),
            "answers PING"
        );

        void Watch(Resource resource, Func<CancellationToken, Task<string?>> probe, string healthy) =>
            _ = Task.Run(
                async () =>
                {
                    await InfrastructureHealth.CheckAsync(resource, probe, healthy, console, stopping);
                    await InfrastructureHealth.WatchAsync(resource, probe, healthy, console, stopping);
                },
                CancellationToken.None
            );
    }

    /// <summary>
    /// The outbox and queue charts get a point every 30 s even when no one watches (each reading boots rabbitmqctl's
    /// Erlang VM: not every 5 s); an open metrics view adds its own readings.
    /// </summary>
    private static async Task SampleProbesAsync(
        PlatformProbes probes,
        MetricsHistory history,
        CancellationToken stopping
    )
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var (outboxes, queues, _) = await probes.ReadAsync(stopping);
                history.RecordPlatform(outboxes, queues);
            }
        }
        catch (OperationCanceledException)
        {
            // AppHost is stopping
        }
    }

    private async Task StopAllAsync(PostgresServer? postgres, RabbitMqServer? rabbitMq, RedisServer? redis)
    {
        List<ServiceRunner> runners;
        lock (_runners)
        {
            runners = [.. _runners];
        }
        if (runners.Count > 0)
        {
            console.Host("stopping services");
            await Task.WhenAll(runners.Select(r => r.StopAsync()));
        }
        if (_ownsDataFolder)
        {
            TryDelete(ChildrenFile);
            TryDelete(LockFile);
        }
        foreach (
            var (resource, server) in new (Resource, IAsyncDisposable?)[]
            {
                (_redis, redis),
                (_rabbitMq, rabbitMq),
                (_postgres, postgres),
            }
        )
        {
            if (server is null)
            {
                continue;
            }
            try
            {
                await server.DisposeAsync();
                resource.State = ResourceState.Stopped;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
            {
                console.Error($"stopping {resource.Name} failed: {e.Message}");
            }
        }
        console.Host("stopped");
    }

    /// <summary>Stops services left running by an AppHost that was killed (they would hold the gateway port).</summary>
    private void StopLeftoverChildren()
    {
        if (!File.Exists(ChildrenFile))
        {
            return;
        }
        foreach (var line in File.ReadAllLines(ChildrenFile))
        {
            if (!int.TryParse(line.Trim(), out var pid))
            {
                continue;
            }
            try
            {
                using var process = Process.GetProcessById(pid);
                var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
                if (
                    commandLine.Contains(_root, StringComparison.Ordinal)
                    && commandLine.Contains("Community.", StringComparison.Ordinal)
                )
                {
                    console.Host($"stopping pid {pid} left running by an earlier AppHost");
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            {
                // gone already
            }
        }
        TryDelete(ChildrenFile);
    }
}
