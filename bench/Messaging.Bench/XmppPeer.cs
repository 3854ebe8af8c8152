using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Community.Messaging.Bench;

/// <summary>
/// A private ejabberd (Debian's package, run by ejabberdctl as its own user) for the peer comparison: its own config,
/// spool and logs under .local/bench/ejabberd, its own node name and ports, users and multi-user chat rooms stored in
/// a database of the benchmark's PostgreSQL, with message archiving (mod_mam) on every room.
/// </summary>
public sealed class XmppPeer : IAsyncDisposable
{
    public const string Domain = "bench.localhost";
    public const string RoomService = "conference." + Domain;
    public const string Password = "bench-password";
    private const string Node = "communitybench@localhost";
    private const string SchemaFile = "/usr/share/ejabberd/sql/pg.sql";

    private readonly string _home;
    private readonly NpgsqlDataSource _database;
    private bool _started;

    private XmppPeer(string home, NpgsqlDataSource database, int clientPort, int apiPort)
    {
        _home = home;
        _database = database;
        ClientPort = clientPort;
        ApiPort = apiPort;
    }

    public int ClientPort { get; }
    public int ApiPort { get; }

    public static string User(int client) => "u" + client.ToString(CultureInfo.InvariantCulture);

    public static string Room(int conversation) =>
        "r" + conversation.ToString(CultureInfo.InvariantCulture) + "@" + RoomService;

    /// <summary>Creates the schema, the users and the config, starts the server and creates the rooms.</summary>
    public static async Task<XmppPeer> StartAsync(
        string repositoryRoot,
        string connectionString,
        int clients,
        int rooms,
        Action<string> log
    )
    {
        if (!File.Exists("/usr/sbin/ejabberdctl") || !File.Exists(SchemaFile))
            throw new InvalidOperationException("ejabberd is not installed: run bench/run-peer.sh, which installs it.");
        var home = Path.Combine(repositoryRoot, ".local/bench/ejabberd");
        var database = NpgsqlDataSource.Create(connectionString);
        var peer = new XmppPeer(home, database, FreePort(), FreePort());
        try
        {
            await peer.StopStrayAsync();
            if (Directory.Exists(home))
                Directory.Delete(home, recursive: true);
            Directory.CreateDirectory(Path.Combine(home, "spool"));
            Directory.CreateDirectory(Path.Combine(home, "logs"));
            await using (var schema = database.CreateCommand(await File.ReadAllTextAsync(SchemaFile)))
                await schema.ExecuteNonQueryAsync();
            await peer.RegisterAsync(clients);
            await peer.WriteConfigAsync(new NpgsqlConnectionStringBuilder(connectionString));
            // ejabberdctl runs the server as the ejabberd user when started by root: it must own its folders.
            await RunAsync("chown", ["-R", "ejabberd", home]);
            await peer.CtlAsync("start");
            peer._started = true;
            await peer.CtlAsync("started");
            await peer.CreateRoomsAsync(rooms);
            log(
                $"ejabberd {await peer.VersionAsync()} up (node {Node}, c2s 127.0.0.1:{peer.ClientPort}, "
                    + $"{clients:N0} users, {rooms:N0} persistent rooms with mod_mam on PostgreSQL)"
            );
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Groupchat messages ejabberd archived (mod_mam, one row per message a room delivered).</summary>
    public async Task<long> ArchivedAsync()
    {
        await using var count = _database.CreateCommand("SELECT count(*) FROM archive WHERE kind = 'groupchat'");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Transactions committed in ejabberd's database so far (each of its SQL statements is one).</summary>
    public async Task<long> CommittedAsync()
    {
        await using var count = _database.CreateCommand(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        );
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>The operating system id of the server's Erlang VM (for a profile or a CPU reading).</summary>
    public async Task<string> ProcessIdAsync()
    {
        var (_, output) = await RunAsync("pgrep", ["-f", "-n", "-u", "ejabberd", Node]);
        return output.Trim();
    }

    private async Task RegisterAsync(int clients)
    {
        // Passwords stored plain (auth_password_format: plain), so SASL PLAIN costs a comparison, as our tokens do.
        await using var connection = await _database.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY users (username, password) FROM STDIN (FORMAT BINARY)"
        );
        for (var i = 0; i < clients; i++)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(User(i), NpgsqlDbType.Text);
            await writer.WriteAsync(Password, NpgsqlDbType.Text);
        }
        await writer.CompleteAsync();
    }

    private async Task CreateRoomsAsync(int rooms)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ApiPort}/api/") };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, rooms),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (c, ct) =>
            {
                // ejabberd_http reads no chunked body: serialized first, so the request carries its length.
                using var body = new StringContent(
                    JsonSerializer.Serialize(
                        new
                        {
                            name = "r" + c.ToString(CultureInfo.InvariantCulture),
                            service = RoomService,
                            host = Domain,
                            options = new[]
                            {
                                new { name = "persistent", value = "true" },
                                new { name = "mam", value = "true" },
                                new { name = "max_users", value = "1000" },
                            },
                        }
                    ),
                    Encoding.UTF8,
                    "application/json"
                );
                using var response = await http.PostAsync("create_room_with_opts", body, ct);
                var answer = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode != HttpStatusCode.OK || answer.Trim() != "0")
                    throw new InvalidOperationException($"ejabberd did not create room {c}: {answer}");
            }
        );
    }

    private async Task<string> VersionAsync()
    {
        var (_, output) = await RunAsync("dpkg-query", ["-W", "-f", "${Version}", "ejabberd"]);
        return output.Trim();
    }

    private Task WriteConfigAsync(NpgsqlConnectionStringBuilder postgres)
    {
        // Every limit that would throttle the load is lifted (shapers, per-user room count), as the gateway's are for
        // ours; history on join is off, so a join costs what ours does.
        var config = $$"""
            hosts:
              - {{Domain}}
            loglevel: warning
            log_rotate_count: 0
            sql_type: pgsql
            sql_server: "{{postgres.Host}}"
            sql_port: {{postgres.Port}}
            sql_database: "{{postgres.Database}}"
            sql_username: "{{postgres.Username}}"
            sql_password: "{{postgres.Password ?? ""}}"
            sql_pool_size: 10
            new_sql_schema: false
            default_db: sql
            auth_method: sql
            auth_password_format: plain
            listen:
              - port: {{ClientPort}}
                ip: "127.0.0.1"
                module: ejabberd_c2s
                max_stanza_size: 262144
                shaper: none
              - port: {{ApiPort}}
                ip: "127.0.0.1"
                module: ejabberd_http
                request_handlers:
                  /api: mod_http_api
            api_permissions:
              "benchmark setup":
                from: mod_http_api
                who:
                  ip: 127.0.0.1/8
                what: "*"
            shaper_rules:
              c2s_shaper: none
            modules:
              mod_mam:
                db_type: sql
                default: always
              mod_muc:
                db_type: sql
                access: all
                access_create: all
                access_persistent: all
                max_users: 1000
                max_user_conferences: 1000
                history_size: 0
                default_room_options:
                  mam: true
                  persistent: true
              mod_muc_admin: {}
              mod_disco: {}
            """;
        File.Copy("/etc/ejabberd/inetrc", Path.Combine(_home, "inetrc"));
        return Task.WhenAll(
            File.WriteAllTextAsync(Path.Combine(_home, "ejabberd.yml"), config),
            File.WriteAllTextAsync(Path.Combine(_home, "ejabberdctl.cfg"), $"ERLANG_NODE={Node}\n")
        );
    }

    private async Task CtlAsync(string command)
    {
        var (code, output) = await CtlRunAsync(command);
        if (code != 0)
        {
            var errors = Path.Combine(_home, "logs/error.log");
            var log = File.Exists(errors) ? string.Join('\n', File.ReadLines(errors).TakeLast(5)) : "";
            throw new InvalidOperationException($"ejabberdctl {command} failed ({code}): {output} {log}");
        }
    }

    /// <summary>
    /// ejabberdctl run as the ejabberd user by setpriv, not by its own su: su applies PAM's limits (1,024 open files, a
    /// thousand clients' worth), setpriv keeps this process's. HOME holds the node's own Erlang cookie.
    /// </summary>
    private Task<(int Code, string Output)> CtlRunAsync(string command) =>
        RunAsync(
            "/usr/bin/setpriv",
            [
                "--reuid=ejabberd",
                "--regid=ejabberd",
                "--init-groups",
                "/usr/sbin/ejabberdctl",
                "--config-dir",
                _home,
                "--spool",
                Path.Combine(_home, "spool"),
                "--logs",
                Path.Combine(_home, "logs"),
                command,
            ],
            new Dictionary<string, string> { ["HOME"] = _home }
        );

    /// <summary>A node left by an interrupted run holds the name: stopped before this run starts.</summary>
    private async Task StopStrayAsync()
    {
        if (File.Exists(Path.Combine(_home, "ejabberd.yml")) && (await CtlRunAsync("stop")).Code != 0)
            await KillAsync();
    }

    /// <summary>For a node too busy (or out of file descriptors) to answer ejabberdctl's RPC.</summary>
    private async Task KillAsync()
    {
        if (await ProcessIdAsync() is { Length: > 0 } pid)
            await RunAsync("kill", ["-9", pid]);
    }

    private static async Task<(int Code, string Output)> RunAsync(
        string file,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var (code, output) = await ChildProcess.RunAsync(
            Environment.CurrentDirectory,
            file,
            arguments,
            environment,
            TimeSpan.FromMinutes(3)
        );
        return (code, output);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            _started = false;
            try
            {
                await CtlAsync("stop");
                await CtlAsync("stopped");
            }
            catch (InvalidOperationException)
            {
                await KillAsync();
            }
        }
        await _database.DisposeAsync();
    }
}
