using Npgsql;

namespace Community.LocalInfrastructure;

/// <summary>
/// A PostgreSQL server for local runs and tests: the server named by <c>COMMUNITY_POSTGRES</c>
/// when set, otherwise a private PostgreSQL 15 started from the installed binaries in
/// <c>&lt;DataFolder&gt;/postgres</c> on a free loopback port. Disposal stops a private server.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    /// <summary>
    /// Environment variable holding an Npgsql admin connection string to use instead of a private server.
    /// </summary>
    public const string EnvironmentVariable = "COMMUNITY_POSTGRES";

    /// <summary>
    /// The server binaries: <c>/usr/lib/postgresql/15/bin</c> (Debian/Ubuntu layout), or the
    /// newest other installed major version when 15 is absent.
    /// </summary>
    public static string BinDirectory { get; } = FindBinDirectory();

    private const string Superuser = "postgres";
    private const string SubFolder = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly LocalInfrastructureOptions? _options;
    private readonly string? _home;
    private readonly string? _dataDirectory;
    private readonly string _adminNoPooling;
    private EventHandler? _processExitHandler;
    private int _disposed;

    private PostgresServer(
        string adminConnectionString,
        LocalInfrastructureOptions? options,
        string? home,
        string? dataDirectory
    )
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString);
        AdminConnectionString = builder.ConnectionString;
        Host = builder.Host ?? "localhost";
        Port = builder.Port;
        builder.Pooling = false;
        _adminNoPooling = builder.ConnectionString;
        _options = options;
        _home = home;
        _dataDirectory = dataDirectory;
    }

    /// <summary>Connection string of the superuser to the <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Host the server listens on (127.0.0.1 for a private server).</summary>
    public string Host { get; }

    /// <summary>TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>
    /// True when this object started the server (and will stop it); false for <c>COMMUNITY_POSTGRES</c>.
    /// </summary>
    public bool IsOwned => _dataDirectory is not null;

    /// <summary>
    /// Uses <c>COMMUNITY_POSTGRES</c> when set; otherwise initialises (first time) and starts a
    /// private server in <c>&lt;DataFolder&gt;/postgres</c>, restarting one left running there.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(
        LocalInfrastructureOptions options,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(options);
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            options.Log?.Invoke($"postgres: using {EnvironmentVariable}");
            var server = new PostgresServer(external, options, null, null);
            await server.WaitUntilConnectableAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            return server;
        }

        if (!File.Exists(Path.Combine(BinDirectory, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not installed ({BinDirectory}/pg_ctl is missing). Run 'bash scripts/setup.sh', "
                    + $"or set {EnvironmentVariable} to the admin connection string of an existing server."
            );
        }

        options = options with { DataFolder = Path.GetFullPath(options.DataFolder) };
        string home,
            dataDirectory;
        int port;
        try
        {
            home = await PrepareHomeAsync(options, cancellationToken).ConfigureAwait(false);
            dataDirectory = Path.Combine(home, "data");
            if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            {
                await InitialiseAsync(options, home, dataDirectory, cancellationToken).ConfigureAwait(false);
            }
            else if (
                (
                    await RunToolAsync("pg_ctl", ["-D", dataDirectory, "status"], home, cancellationToken)
                        .ConfigureAwait(false)
                ).Succeeded
            )
            {
                options.Log?.Invoke("postgres: a server left running in the data folder; restarting it");
                await StopAsync(home, dataDirectory, "fast", cancellationToken).ConfigureAwait(false);
            }
            port = await StartServerAsync(options, home, dataDirectory, cancellationToken).ConfigureAwait(false);
        }
        catch when (!options.KeepData)
        {
            DeleteFolders(options);
            throw;
        }

        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = "postgres",
            Username = Superuser,
            Pooling = true,
        }.ConnectionString;
        var started = new PostgresServer(admin, options, home, dataDirectory);
        started._processExitHandler = (_, _) => started.StopOnProcessExit();
        AppDomain.CurrentDomain.ProcessExit += started._processExitHandler;
        try
        {
            await started.WaitUntilConnectableAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await started.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        options.Log?.Invoke($"postgres: listening on 127.0.0.1:{port} (data {dataDirectory})");
        return started;
    }

    /// <summary>Connection string for <paramref name="database"/> with the admin credentials and pooling on.</summary>
    public string ConnectionStringFor(string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, Pooling = true };
        return builder.ConnectionString;
    }

    /// <summary>Creates <paramref name="name"/> unless it exists; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var quoted = QuoteIdentifier(name);
        await using var connection = new NpgsqlConnection(_adminNoPooling);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = name });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return ConnectionStringFor(name);
            }
        }
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted} ENCODING 'UTF8'", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
            when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // created concurrently by someone else: fine
        }
        return ConnectionStringFor(name);
    }

    /// <summary>Drops <paramref name="name"/> if it exists, disconnecting its sessions (<c>WITH (FORCE)</c>).</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var quoted = QuoteIdentifier(name);
        using (var pooled = new NpgsqlConnection(ConnectionStringFor(name)))
        {
            NpgsqlConnection.ClearPool(pooled);
        }
        await using var connection = new NpgsqlConnection(_adminNoPooling);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops a private server (<c>pg_ctl stop -m fast</c>) and, unless data is kept, deletes its folder.
    /// </summary>
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
        if (_home is null || _dataDirectory is null || _options is null)
        {
            if (_options is { KeepData: false })
            {
                DataFolders.DeleteIfEmpty(_options.DataFolder);
            }
            return;
        }
        _options.Log?.Invoke("postgres: stopping");
        try
        {
            if (_options.KeepData)
            {
                await StopAsync(_home, _dataDirectory, "fast", CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await StopImmediatelyAsync(_dataDirectory).ConfigureAwait(false);
            }
        }
        finally
        {
            DeleteUnlessKept();
        }
    }

    private void StopOnProcessExit()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || _home is null || _dataDirectory is null)
        {
            return;
        }
        try
        {
            StopImmediatelyAsync(_dataDirectory).GetAwaiter().GetResult();
            DeleteUnlessKept();
        }
        catch (Exception e)
            when (e is InvalidOperationException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            // the process is exiting: nothing more we can do; the next test run sweeps the folder
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

    private async Task WaitUntilConnectableAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_adminNoPooling);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException(
                    $"Could not connect to PostgreSQL at {Host}:{Port}: {e.Message}",
                    e
                );
            }
        }
    }

    private static string QuoteIdentifier(string name)
    {
        if (
            string.IsNullOrWhiteSpace(name)
            || name.Length > 63
            || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        )
        {
            throw new ArgumentException(
                $"'{name}' is not a valid database name (letters, digits, '_' and '-', at most 63).",
                nameof(name)
            );
        }
        return "\"" + name + "\"";
    }
}
