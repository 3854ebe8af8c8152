using Community.LocalInfrastructure;

namespace Community.Testing;

/// <summary>
/// One PostgreSQL server, one RabbitMQ node and one Redis server per test assembly (or the COMMUNITY_POSTGRES /
/// COMMUNITY_RABBITMQ / COMMUNITY_REDIS endpoints when set), started on first use and stopped when the test
/// process exits. Test classes never share data: each gets its own database, vhost and Redis key prefix.
/// </summary>
public static class TestInfrastructure
{
    private static readonly Lazy<Task<PostgresServer>> Postgres = new(() => StartAsync(PostgresServer.StartAsync));
    private static readonly Lazy<Task<RabbitMqServer>> RabbitMq = new(() => StartAsync(RabbitMqServer.StartAsync));
    private static readonly Lazy<Task<RedisServer>> Redis = new(() => StartAsync(RedisServer.StartAsync));
    private static int _counter;

    public static Task<PostgresServer> PostgresAsync() => Postgres.Value;

    public static Task<RabbitMqServer> RabbitMqAsync() => RabbitMq.Value;

    public static Task<RedisServer> RedisAsync() => Redis.Value;

    /// <summary>A database, a vhost and a Redis key prefix of the caller's own, named after it.</summary>
    public static async Task<IsolatedResources> IsolateAsync(string owner)
    {
        var name = $"t_{Sanitize(owner)}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        var postgres = await PostgresAsync();
        var rabbit = await RabbitMqAsync();
        var redis = await RedisAsync();
        var database = await postgres.CreateDatabaseAsync(name);
        var broker = await rabbit.CreateVhostAsync(name);
        return new IsolatedResources(name, database, broker, postgres, rabbit, redis);
    }

    /// <summary>A Redis server of the caller's own, for tests that stop and start it.</summary>
    public static Task<RedisServer> StartPrivateRedisAsync() =>
        RedisServer.StartAsync(LocalInfrastructureOptions.ForTests());

    /// <summary>A RabbitMQ node of the caller's own, for tests that stop and start the broker.</summary>
    public static Task<RabbitMqServer> StartPrivateRabbitMqAsync() =>
        RabbitMqServer.StartAsync(LocalInfrastructureOptions.ForTests());

    private static async Task<T> StartAsync<T>(Func<LocalInfrastructureOptions, CancellationToken, Task<T>> start)
        where T : IAsyncDisposable
    {
        var server = await start(LocalInfrastructureOptions.ForTests(), CancellationToken.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    private static string Sanitize(string owner) =>
        new string(owner.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray()) is var s && s.Length > 30
            ? s[..30]
            : s;
}

/// <summary>
/// A test class's own database, RabbitMQ vhost (both dropped on disposal) and Redis key prefix (its keys expire by
/// themselves).
/// </summary>
public sealed record IsolatedResources(
    string Name,
    string DatabaseConnectionString,
    string BrokerUri,
    PostgresServer Postgres,
    RabbitMqServer RabbitMq,
    RedisServer Redis
) : IAsyncDisposable
{
    /// <summary>The shared test Redis (ConnectionStrings:redis).</summary>
    public string RedisConnectionString => Redis.ConnectionString;

    /// <summary>This owner's keys in the shared test Redis (RealTime:RedisKeyPrefix).</summary>
    public string RedisKeyPrefix => $"{Name}:";

    private readonly List<string> _extraDatabases = [];
    private readonly List<string> _extraConnectionStrings = [];

    /// <summary>This owner's databases: the first one and those of <see cref="AddDatabaseAsync"/>.</summary>
    public IReadOnlyList<string> DatabaseConnectionStrings
    {
        get
        {
            lock (_extraDatabases)
                return [DatabaseConnectionString, .. _extraConnectionStrings];
        }
    }

    /// <summary>One more database of this owner (a second service on the same vhost); dropped with the rest.</summary>
    public async Task<string> AddDatabaseAsync(string suffix)
    {
        var name = $"{Name}_{suffix}";
        var connectionString = await Postgres.CreateDatabaseAsync(name);
        lock (_extraDatabases)
        {
            _extraDatabases.Add(name);
            _extraConnectionStrings.Add(connectionString);
        }
        return connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var extra in _extraDatabases)
            await Postgres.DropDatabaseAsync(extra);
        await Postgres.DropDatabaseAsync(Name);
        await RabbitMq.DeleteVhostAsync(Name);
    }
}
