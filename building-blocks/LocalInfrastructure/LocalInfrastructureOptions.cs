namespace Community.LocalInfrastructure;

/// <summary>
/// Where and how <see cref="PostgresServer"/>, <see cref="RabbitMqServer"/> and <see cref="RedisServer"/> keep a
/// private server's files. Each server uses its own sub-folder (<c>postgres/</c>, <c>rabbitmq/</c>, <c>redis/</c>).
/// Ignored for a server given by environment variable (<c>COMMUNITY_POSTGRES</c>, <c>COMMUNITY_RABBITMQ</c>,
/// <c>COMMUNITY_REDIS</c>).
/// </summary>
public sealed record LocalInfrastructureOptions
{
    /// <summary>Folder for the private servers' data, logs and sockets; created when missing.</summary>
    public required string DataFolder { get; init; }

    /// <summary>
    /// Keep the data between runs (AppHost). When false the servers delete their sub-folders on
    /// disposal, and the data folder itself once nothing else is left in it.
    /// </summary>
    public bool KeepData { get; init; } = true;

    /// <summary>Trade durability for speed (fsync off, no initdb sync); for throw-away test data only.</summary>
    public bool FastUnsafe { get; init; }

    /// <summary>
    /// How long a private server may take to start and answer (and a node's control commands to finish): a slow or
    /// loaded machine needs more than a quiet one, so AppHost passes its --health-timeout.
    /// </summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Receives one line per notable step (starting, reusing, stopping); null for silence.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// A private RabbitMQ node's AMQP and distribution ports for each attempt to start it (1, 2, 3): free ones by
    /// default; a test hands out a taken one to see the node start again on others.
    /// </summary>
    internal Func<int, int[]> RabbitMqPorts { get; init; } = _ => LoopbackPorts.Take(2);

    /// <summary>
    /// Persistent data in <c>&lt;repositoryRoot&gt;/.local/apphost/</c>, as used by AppHost.
    /// </summary>
    public static LocalInfrastructureOptions ForAppHost(string repositoryRoot) =>
        new() { DataFolder = Path.Combine(repositoryRoot, ".local", "apphost"), KeepData = true };

    /// <summary>
    /// A fresh folder <c>&lt;root&gt;/.local/tests/&lt;unique&gt;/</c> (root found with
    /// <see cref="RepositoryRoot.TryFind"/>, else the temp folder), deleted on disposal, with
    /// fsync off. Also removes folders and servers left behind by test runs that were killed.
    /// </summary>
    public static LocalInfrastructureOptions ForTests(string? repositoryRoot = null)
    {
        var root = repositoryRoot ?? RepositoryRoot.TryFind();
        var testsFolder = root is null
            ? Path.Combine(Path.GetTempPath(), "community-tests")
            : Path.Combine(root, ".local", "tests");
        var folder = DataFolders.CreateOwned(testsFolder);
        DataFolders.SweepStale(testsFolder);
        return new LocalInfrastructureOptions
        {
            DataFolder = folder,
            KeepData = false,
            FastUnsafe = true,
        };
    }
}
