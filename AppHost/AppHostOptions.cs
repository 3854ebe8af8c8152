using System.Globalization;
using System.Net;
using Community.Contracts;

namespace Community.AppHost;

/// <summary>Command-line options (<c>dotnet run --project AppHost -- --help</c>).</summary>
internal sealed record AppHostOptions
{
    public string GatewayUrl { get; init; } =
        Environment.GetEnvironmentVariable("COMMUNITY_GATEWAY_URL") ?? "http://localhost:8080";
    public string DashboardUrl { get; init; } =
        Environment.GetEnvironmentVariable("COMMUNITY_DASHBOARD_URL") ?? "http://localhost:8081";

    /// <summary>
    /// Serve the dashboard on an address other than loopback (<c>--dashboard-on-network</c>): it has no
    /// authentication, so by default only this machine may reach it.
    /// </summary>
    public bool DashboardOnNetwork { get; init; }

    public bool Build { get; init; } = true;
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(120);
    public bool Help { get; init; }

    /// <summary>How many instances of a service run (<c>--replicas messaging=2</c>); absent means one.</summary>
    public IReadOnlyDictionary<string, int> Replicas { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Browser origins the gateway allows (<c>--cors-origins</c>, env COMMUNITY_CORS_ORIGINS): by default the usual
    /// web dev servers' on this machine, so a page under development reaches the platform with no setting.
    /// </summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } =
        CorsOriginList(
            Environment.GetEnvironmentVariable("COMMUNITY_CORS_ORIGINS") ?? "default",
            "COMMUNITY_CORS_ORIGINS"
        );

    /// <summary>
    /// Create React App and Next.js (3000), Vite's preview (4173), Angular (4200), Vite (5173), on both local names.
    /// Not 8081: the dashboard's own port.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultCorsOrigins =
    [
        .. from host in new[] { "localhost", "127.0.0.1" }
        from port in new[] { 3000, 4173, 4200, 5173 }
        select $"http://{host}:{port}",
    ];

    /// <summary>Most instances of one service a local run starts (each is a process on a shared machine).</summary>
    public const int MaxReplicas = 8;

    /// <summary>How many instances of <paramref name="service"/> to run.</summary>
    public int ReplicasOf(string service) => Replicas.GetValueOrDefault(service, 1);

    public const string Usage = """
        Runs the Community platform locally: PostgreSQL, RabbitMQ, every service and the gateway.

        Usage: dotnet run --project AppHost -- [options]     (or: bash scripts/run.sh [options])

        Options:
          --gateway-url <url>       Where the gateway listens (env COMMUNITY_GATEWAY_URL).
                                    Default: http://localhost:8080
          --dashboard-url <url>     Where the ops dashboard listens (env COMMUNITY_DASHBOARD_URL).
                                    Default: http://localhost:8081. Only localhost, 127.x.x.x
                                    or [::1] unless --dashboard-on-network is given.
          --dashboard-on-network    Allow a --dashboard-url other machines reach. The dashboard
                                    has no authentication: anyone who reaches it can stop,
                                    start and roll services, read their logs, traces and
                                    settings, and send it telemetry.
          --no-build                Run the existing Debug build output; skip 'dotnet build'.
          --health-timeout <secs>   How long each service may take to answer GET /health/ready
                                    with 200 before AppHost gives up. Default: 120
          --replicas <name>=<n>[,<name>=<n>...]
                                    Run n instances of a service, each on its own port, e.g.
                                    --replicas messaging=2,social=2. The gateway spreads their
                                    routes over them; /hubs stays pinned to one. gateway=n runs
                                    n gateways: the first on --gateway-url, the others on free
                                    ports of its host (printed at start; a load balancer in
                                    front spreads clients over them). Default: one of each.
                                    At most 8.
          --cors-origins <origin>[,<origin>...]
                                    Browser origins the gateway allows (credentials included),
                                    exact, like http://localhost:5173 (env COMMUNITY_CORS_ORIGINS).
                                    'default' stands for the defaults, 'none' for no origin:
                                    --cors-origins default,http://localhost:8000 adds one.
                                    Default: http://localhost and http://127.0.0.1 on ports
                                    3000, 4173, 4200 and 5173.
          -h, --help                Show this help.

        Infrastructure:
          PostgreSQL, RabbitMQ and Redis are private servers started from the installed binaries
          (bash scripts/setup.sh installs them) with their data in <repo>/.local/apphost/,
          kept between runs. To use existing servers instead set
            COMMUNITY_POSTGRES             an Npgsql admin connection string
            COMMUNITY_RABBITMQ             an amqp:// URI, e.g. amqp://guest:guest@127.0.0.1:5672/
            COMMUNITY_RABBITMQ_MANAGEMENT  its management API, e.g. http://guest:guest@127.0.0.1:15672
            COMMUNITY_REDIS                a Redis server's host:port, e.g. 127.0.0.1:6379
          Every service exports traces, logs and metrics to the dashboard (OTLP/HTTP protobuf on
          the dashboard's address). OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL),
          when set, sends them to that collector instead.

        Each service gets a free port on 127.0.0.1, its own database and the 'community' vhost,
        is restarted with back-off if it crashes, and prints its output prefixed by its name.
        Ctrl+C stops the services, then Redis, RabbitMQ and PostgreSQL.
        """;

    public static AppHostOptions Parse(IReadOnlyList<string> args) => Parse(args, new AppHostOptions());

    /// <summary>The options <paramref name="args"/> set over <paramref name="defaults"/>, the environment's.</summary>
    internal static AppHostOptions Parse(IReadOnlyList<string> args, AppHostOptions defaults)
    {
        var options = defaults;
        var dashboardUrlFrom = "COMMUNITY_DASHBOARD_URL";
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) =
                args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal)
                    ? (n, v)
                    : (args[i], null);
            if (name == "--dashboard-url")
                dashboardUrlFrom = name;
            string Value() =>
                inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value."));
            options = name switch
            {
                "-h" or "--help" or "-?" => options with { Help = true },
                "--gateway-url" => options with { GatewayUrl = Url(Value(), name) },
                "--dashboard-url" => options with { DashboardUrl = Url(Value(), name) },
                "--dashboard-on-network" => options with { DashboardOnNetwork = true },
                "--no-build" => options with { Build = false },
                "--health-timeout" => options with { HealthTimeout = Seconds(Value(), name) },
                "--replicas" => options with { Replicas = ReplicaCounts(Value(), options.Replicas) },
                "--cors-origins" => options with { CorsOrigins = CorsOriginList(Value(), name) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        return options with
        {
            GatewayUrl = Url(options.GatewayUrl, "COMMUNITY_GATEWAY_URL"),
            DashboardUrl = LoopbackUnlessAllowed(
                Url(options.DashboardUrl, dashboardUrlFrom),
                dashboardUrlFrom,
                options.DashboardOnNetwork
            ),
        };
    }

    // By name only localhost: another name may resolve to an address the network reaches.
    private static string LoopbackUnlessAllowed(string url, string option, bool allowed)
    {
        var uri = new Uri(url);
        var loopback =
            uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (
                uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                && IPAddress.TryParse(uri.DnsSafeHost, out var address)
                && IPAddress.IsLoopback(address)
            );
        if (loopback || allowed)
            return url;
        throw new ArgumentException(
            $"{option} {url} is not a loopback address (localhost, 127.x.x.x or [::1]). The dashboard has no "
                + "authentication: anyone who reaches it can stop, start and roll services, read their logs, traces "
                + "and settings, and send it telemetry. Pass --dashboard-on-network to serve it there anyway."
        );
    }

    private static string Url(string value, string option)
    {
        if (
            !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttp
            || uri.AbsolutePath != "/"
        )
        {
            throw new ArgumentException(
                $"{option} must be an http:// URL without a path, like http://localhost:8080; got '{value}'."
            );
        }
        return uri.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>
    /// <c>default,http://localhost:8000</c>: exact origins, <c>default</c> for the defaults, <c>none</c> for none.
    /// </summary>
    private static List<string> CorsOriginList(string value, string option)
    {
        var origins = new List<string>();
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item == "none")
                continue;
            if (item == "default")
            {
                origins.AddRange(DefaultCorsOrigins);
                continue;
            }
            if (
                !Uri.TryCreate(item, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || item.Contains('*')
                || !uri.GetLeftPart(UriPartial.Authority).Equals(item.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            )
            {
                throw new ArgumentException(
                    $"{option} takes exact origins like http://localhost:5173 (no wildcard, no path), "
                        + $"'default' or 'none'; got '{item}'."
                );
            }
            origins.Add(uri.GetLeftPart(UriPartial.Authority));
        }
        return origins.Distinct().ToList();
    }

    /// <summary>
    /// <c>messaging=2,social=3</c> on top of <paramref name="earlier"/> (the option may be repeated).
    /// </summary>
    private static Dictionary<string, int> ReplicaCounts(string value, IReadOnlyDictionary<string, int> earlier)
    {
        var counts = new Dictionary<string, int>(earlier);
        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (
                pair.Split('=', 2, StringSplitOptions.TrimEntries) is not [var service, var number]
                || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || count is < 1 or > MaxReplicas
            )
            {
                throw new ArgumentException(
                    $"--replicas takes <service>=<1..{MaxReplicas}>, comma-separated, like messaging=2; got '{pair}'."
                );
            }
            if (!ResourceNames.Services.Contains(service) && service != ResourceNames.Gateway)
            {
                throw new ArgumentException(
                    $"--replicas: no service '{service}'; one of {string.Join(", ", ResourceNames.Services)} or "
                        + $"{ResourceNames.Gateway}."
                );
            }
            counts[service] = count;
        }
        return counts;
    }

    private static TimeSpan Seconds(string value, string option) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{option} must be a whole number of seconds; got '{value}'.");
}
