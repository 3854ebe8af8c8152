using System.Threading.RateLimiting;
using Community.Contracts;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Community.Gateway;

/// <summary>A fixed window: at most <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/>.</summary>
public sealed class RateLimitWindow
{
    public int PermitLimit { get; set; }
    public int WindowSeconds { get; set; }

    public RateLimitWindow() { }

    public RateLimitWindow(int permitLimit, TimeSpan window) =>
        (PermitLimit, WindowSeconds) = (permitLimit, (int)window.TotalSeconds);

    internal FixedWindowRateLimiterOptions ToLimiterOptions(bool autoReplenishment = true) =>
        new()
        {
            PermitLimit = PermitLimit,
            Window = TimeSpan.FromSeconds(WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = autoReplenishment,
        };
}

/// <summary>The gateway's rate limits, bound from the "RateLimits" configuration section.</summary>
public sealed class GatewayRateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request of an anonymous caller, per client IP.</summary>
    public RateLimitWindow PerIp { get; set; } = new(300, TimeSpan.FromMinutes(1));

    /// <summary>
    /// The web client's pages and files (GETs of /app), per client IP, apart from <see cref="PerIp"/>: a first visit
    /// loads a dozen of them, and a campus or an office behind one address would otherwise spend the window every
    /// anonymous API call of theirs (signing in, signing up) needs.
    /// </summary>
    public RateLimitWindow WebClientFiles { get; set; } = new(3000, TimeSpan.FromMinutes(1));

    /// <summary>
    /// Stripe's webhook deliveries per sending address, apart from <see cref="PerIp"/>: Stripe sends from a few
    /// addresses, in bursts, and backs off on a 429 (a paid checkout could then be told after its seat hold ended).
    /// Generous, not unlimited; payments verifies each delivery's signature.
    /// </summary>
    public RateLimitWindow StripeWebhook { get; set; } = new(3000, TimeSpan.FromMinutes(1));

    /// <summary>Every request of an authenticated caller, per user (the token's sub), whatever their IP.</summary>
    public RateLimitWindow PerUser { get; set; } = new(600, TimeSpan.FromMinutes(1));

    /// <summary>Account registrations per client IP.</summary>
    public RateLimitWindow Registrations { get; set; } = new(100, TimeSpan.FromHours(1));

    /// <summary>Password-forgot and password-reset requests (together) per client IP.</summary>
    public RateLimitWindow Password { get; set; } = new(20, TimeSpan.FromMinutes(15));

    /// <summary>
    /// Waitlist requests that may mail the address they name (joining, and asking one's place by e-mail, together) per
    /// client IP: identity limits them per address only, so a script cycling made-up addresses would mail without end.
    /// </summary>
    public RateLimitWindow Waitlist { get; set; } = new(20, TimeSpan.FromHours(1));

    /// <summary>Login attempts per client IP (identity limits failed logins per account on its own).</summary>
    public RateLimitWindow Login { get; set; } = new(60, TimeSpan.FromMinutes(1));

    /// <summary>
    /// Uploads and other large bodies (event photos and covers, profile pictures, message attachments, and a course's
    /// creation or change, of up to 8 MiB, together) per user: each is decoded and checked by its service, which limits
    /// what one event, course or conversation holds, not how often one person sends.
    /// </summary>
    public RateLimitWindow Uploads { get; set; } = new(120, TimeSpan.FromHours(1));

    /// <summary>Registrations from all addresses together: a ceiling no address rotation steps around.</summary>
    public RateLimitWindow RegistrationsCeiling { get; set; } = new(1000, TimeSpan.FromHours(1));

    /// <summary>Login attempts from all addresses together.</summary>
    public RateLimitWindow LoginCeiling { get; set; } = new(1200, TimeSpan.FromMinutes(1));

    /// <summary>
    /// How many of an address's requests in its own login or registration window a spent ceiling still admits (they
    /// spend it all the same), up to as many again as the ceiling in its window. A ceiling is there to hold back a
    /// flood from many addresses; without this, the flood would also refuse everyone signing in once while it lasts
    /// (20 addresses at their own limit spend the login ceiling), which is the outage the flood is after. A flood
    /// rotating through more addresses than the ceiling allows spends the spares too, so the total stays bounded
    /// (twice the ceiling); each network has only its share of them (<see cref="CeilingSparesPerNetwork"/>).
    /// </summary>
    public int CeilingSpares { get; set; } = 5;

    /// <summary>
    /// How many of the spared requests (as many again as the ceiling, <see cref="CeilingSpares"/>) one network may
    /// have in a window as long as the ceiling's (in Redis, the ceiling's own; in memory, one per network from its
    /// first spared request): the /48 of an IPv6 caller, the /24 of an IPv4 one, so the addresses behind one carrier
    /// network share them. A home is given a /56, 256 /64s each keyed as an address of its own,
    /// and would otherwise spend every spare alone, refusing everyone's first request while its flood lasts.
    /// </summary>
    public int CeilingSparesPerNetwork { get; set; } = 20;

    /// <summary>Where the shared windows' keys start in Redis (tests give each class its own).</summary>
    public string RedisKeyPrefix { get; set; } = "gateway:ratelimits:";

    internal IEnumerable<(string Name, RateLimitWindow Window)> All() =>
        [
            (nameof(PerIp), PerIp),
            (nameof(PerUser), PerUser),
            (nameof(WebClientFiles), WebClientFiles),
            (nameof(StripeWebhook), StripeWebhook),
            (nameof(Registrations), Registrations),
            (nameof(Password), Password),
            (nameof(Waitlist), Waitlist),
            (nameof(Login), Login),
            (nameof(Uploads), Uploads),
            (nameof(RegistrationsCeiling), RegistrationsCeiling),
            (nameof(LoginCeiling), LoginCeiling),
        ];
}

/// <summary>
/// A global limiter partitioned by user (authenticated) or client IP (anonymous), plus the named
/// policies the route table puts on sensitive anonymous routes; login and registration also share
/// one ceiling across all addresses. The client IP is the peer's, or what a proxy listed in
/// Http:TrustedNetworks forwarded. Rejections are ServiceDefaults' 429 problem with Retry-After.
/// With ConnectionStrings:redis the windows live in Redis, shared by every gateway instance
/// (<see cref="SharedWindowLimiter"/>); without it (a single instance) each window is in memory.
/// </summary>
public static class GatewayRateLimits
{
    public const string Registrations = "registrations";
    public const string Password = "password";
    public const string Waitlist = "waitlist";
    public const string Login = "login";
    public const string Uploads = "uploads";
    public const string StripeWebhook = "stripe-webhook";

    public static IServiceCollection AddGatewayRateLimits(
        this IServiceCollection services,
        IConfiguration configuration
    )
    {
        services
            .AddOptions<GatewayRateLimitOptions>()
            .Bind(configuration.GetSection(GatewayRateLimitOptions.Section))
            .Validate(
                o => o.All().All(l => l.Window is { PermitLimit: > 0, WindowSeconds: > 0 }),
                $"Every {GatewayRateLimitOptions.Section} entry needs PermitLimit > 0 and WindowSeconds > 0."
            )
            .Validate(o => o.CeilingSpares >= 0, $"{GatewayRateLimitOptions.Section}:CeilingSpares must be >= 0.")
            .Validate(
                o => o.CeilingSparesPerNetwork >= 0,
                $"{GatewayRateLimitOptions.Section}:CeilingSparesPerNetwork must be >= 0."
            )
            .ValidateOnStart();

        services.AddSingleton<SharedCeilings>();
        if (configuration.GetConnectionString(ResourceNames.Redis) is { Length: > 0 } redis)
        {
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton(provider => new SharedRateLimitWindows(
                redis,
                provider.GetRequiredService<IOptions<GatewayRateLimitOptions>>().Value.RedisKeyPrefix,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<SharedRateLimitWindows>>()
            ));
            services.AddHostedService(provider => provider.GetRequiredService<SharedRateLimitWindows>());
        }

        services
            .AddOptions<RateLimiterOptions>()
            .Configure<IOptions<GatewayRateLimitOptions>, SharedCeilings, IServiceProvider>(
                (options, limits, ceilings, provider) =>
                    AddLimiters(options, limits.Value, ceilings, new(provider.GetService<SharedRateLimitWindows>()))
            );
        return services;
    }

    private static void AddLimiters(
        RateLimiterOptions options,
        GatewayRateLimitOptions limits,
        SharedCeilings ceilings,
        WindowPartitions windows
    )
    {
        options.GlobalLimiter = new OncePerRequestLimiter(
            PartitionedRateLimiter.Create<HttpContext, string>(context =>
                // Stripe's webhook has its own window (its policy), not a share of the anonymous callers' one.
                context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == StripeWebhook
                    ? RateLimitPartition.GetNoLimiter(StripeWebhook)
                : context.User.FindFirst(ClaimNames.Subject)?.Value is { } user
                    ? windows.Of("user:" + user, limits.PerUser)
                : WebClient.IsFileRequest(context.Request)
                    ? windows.Of("app:" + ClientIp(context), limits.WebClientFiles)
                : windows.Of(ClientIp(context), limits.PerIp)
            )
        );

        options.AddPolicy(
            Registrations,
            context =>
                windows.Of(
                    Registrations,
                    ClientIp(context),
                    limits.Registrations,
                    (ceilings.Registrations, ClientAddress.NetworkOf(context))
                )
        );
        options.AddPolicy(Password, context => windows.Of(Password, ClientIp(context), limits.Password));
        options.AddPolicy(Waitlist, context => windows.Of(Waitlist, ClientIp(context), limits.Waitlist));
        options.AddPolicy(
            Login,
            context =>
                windows.Of(Login, ClientIp(context), limits.Login, (ceilings.Login, ClientAddress.NetworkOf(context)))
        );
        options.AddPolicy(StripeWebhook, context => windows.Of(StripeWebhook, ClientIp(context), limits.StripeWebhook));
        // The upload routes need a token, so a caller is a user; the address is only there to never share one window.
        options.AddPolicy(
            Uploads,
            context =>
                windows.Of(
                    Uploads,
                    context.User.FindFirst(ClaimNames.Subject)?.Value is { } user ? "user:" + user : ClientIp(context),
                    limits.Uploads
                )
        );
    }

    /// <summary>The caller's address, as the per-address policies' windows name it.</summary>
    private static string ClientIp(HttpContext context) => "ip:" + ClientAddress.Of(context);

    /// <summary>The partitions of each limit: windows in Redis when it is configured, in memory otherwise.</summary>
    private sealed class WindowPartitions(SharedRateLimitWindows? shared)
    {
        /// <summary>A window of the global limiter, keyed by who calls.</summary>
        public RateLimitPartition<string> Of(string key, RateLimitWindow window) =>
            shared is null
                ? RateLimitPartition.GetFixedWindowLimiter(key, _ => window.ToLimiterOptions())
                : RateLimitPartition.Get(key, _ => new SharedWindowLimiter(shared, new SharedWindow(key, window)));

        /// <summary>
        /// A policy's window per caller ("ip:" and an address, or "user:" and an id), under the policy's ceiling when
        /// it has one (with the network of the caller's address, whose share of the spares it draws on).
        /// </summary>
        public RateLimitPartition<string> Of(
            string policy,
            string caller,
            RateLimitWindow window,
            (LocalCeiling Local, string Network)? ceiling = null
        )
        {
            if (shared is null)
            {
                return ceiling is { } c
                    ? RateLimitPartition.Get(
                        caller,
                        _ => new UnderCeilingLimiter(
                            new FixedWindowRateLimiter(window.ToLimiterOptions()),
                            window.PermitLimit,
                            c.Local,
                            c.Network
                        )
                    )
                    : RateLimitPartition.GetFixedWindowLimiter(caller, _ => window.ToLimiterOptions());
            }
            // With a ceiling, one hash tag per policy: a caller's window and the ceiling share a slot on a Redis
            // cluster. Without one, each caller's window is a tag of its own, spread over the slots.
            var own = new SharedWindow(ceiling is null ? $"{{{policy}:{caller}}}" : $"{{{policy}}}:{caller}", window);
            return RateLimitPartition.Get(
                caller,
                _ => new SharedWindowLimiter(
                    shared,
                    own,
                    ceiling is { } c
                        ? (
                            new SharedWindow($"{{{policy}}}:all", c.Local.Window),
                            new SharedWindow($"{{{policy}}}:net:{c.Network}:spared", c.Local.SparedPerNetworkWindow),
                            c.Local,
                            c.Network
                        )
                        : null
                )
            );
        }
    }
}

/// <summary>
/// The all-addresses limiters of login and registration in memory, one per gateway instance
/// (without Redis, or while it is unreachable).
/// </summary>
internal sealed class SharedCeilings(IOptions<GatewayRateLimitOptions> limits) : IDisposable
{
    public LocalCeiling Registrations { get; } = new(limits.Value.RegistrationsCeiling, limits.Value);
    public LocalCeiling Login { get; } = new(limits.Value.LoginCeiling, limits.Value);

    public void Dispose()
    {
        Registrations.Dispose();
        Login.Dispose();
    }
}

/// <summary>
/// One policy's ceiling in memory: its window across all addresses, what a spent one may still admit in its window
/// (as many again, first requests only), and each network's share of that.
/// </summary>
internal sealed class LocalCeiling : IDisposable
{
    private readonly FixedWindowRateLimiter _spared;
    private readonly PartitionedRateLimiter<string> _sparedPerNetwork;

    public LocalCeiling(RateLimitWindow window, GatewayRateLimitOptions limits)
    {
        Window = window;
        Spares = limits.CeilingSpares;
        SparedPerNetworkWindow = new(limits.CeilingSparesPerNetwork, TimeSpan.FromSeconds(window.WindowSeconds));
        All = new FixedWindowRateLimiter(window.ToLimiterOptions());
        _spared = new FixedWindowRateLimiter(window.ToLimiterOptions());
        _sparedPerNetwork = PartitionedRateLimiter.Create<string, string>(network =>
            RateLimitPartition.GetFixedWindowLimiter(network, _ => SparedPerNetworkWindow.ToLimiterOptions())
        );
    }

    /// <summary>The ceiling's limit and window.</summary>
    public RateLimitWindow Window { get; }

    /// <summary>The ceiling's count across all addresses.</summary>
    public RateLimiter All { get; }

    /// <summary>How many of an address's first requests in its own window a spent ceiling still admits.</summary>
    public int Spares { get; }

    /// <summary>How many spared requests one network may have in the ceiling's window.</summary>
    public RateLimitWindow SparedPerNetworkWindow { get; }

    /// <summary>
    /// A spared admission for a request of <paramref name="network"/>, or null when the network has had its share
    /// or the spares are spent. The network's share is counted first, so a network past it spends nothing of the
    /// spares every other network's first requests need.
    /// </summary>
    public RateLimitLease? TakeSpared(string network, int permitCount)
    {
        // A fixed window cannot be made with no permits: a share of none admits nothing.
        if (SparedPerNetworkWindow.PermitLimit == 0)
            return null;
        using var networkLease = _sparedPerNetwork.AttemptAcquire(network, permitCount);
        if (!networkLease.IsAcquired)
            return null;
        var sparedLease = _spared.AttemptAcquire(permitCount);
        if (sparedLease.IsAcquired)
            return sparedLease;
        sparedLease.Dispose();
        return null;
    }

    public void Dispose()
    {
        All.Dispose();
        _spared.Dispose();
        _sparedPerNetwork.Dispose();
    }
}

/// <summary>
/// One address's limiter, then the shared ceiling: a request the address's own limit refuses
/// never spends the ceiling, so one noisy address cannot use up everyone's budget; and a spent
/// ceiling still admits the address's first requests in its window while the spares (as many again
/// as the ceiling) and its <paramref name="network"/>'s share of them last
/// (<see cref="GatewayRateLimitOptions.CeilingSpares"/>,
/// <see cref="GatewayRateLimitOptions.CeilingSparesPerNetwork"/>).
/// </summary>
internal sealed class UnderCeilingLimiter(RateLimiter own, int ownLimit, LocalCeiling ceiling, string network)
    : RateLimiter
{
    public override TimeSpan? IdleDuration => own.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => own.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var ownLease = own.AttemptAcquire(permitCount);
        if (!ownLease.IsAcquired)
            return ownLease;
        var ceilingLease = ceiling.All.AttemptAcquire(permitCount);
        if (ceilingLease.IsAcquired)
            return new PairLease(ownLease, ceilingLease);
        if (
            ownLimit - own.GetStatistics()?.CurrentAvailablePermits <= ceiling.Spares
            && ceiling.TakeSpared(network, permitCount) is { } sparedLease
        )
        {
            ceilingLease.Dispose();
            return new PairLease(ownLease, sparedLease);
        }
        ownLease.Dispose();
        return ceilingLease;
    }

    // Windows have no queue, so waiting never helps: the answer is the same as an attempt's.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(
        int permitCount,
        CancellationToken cancellationToken
    ) => ValueTask.FromResult(AttemptAcquireCore(permitCount));

    // The ceiling is shared by every address and disposed with SharedCeilings, not with one address's partition.
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            own.Dispose();
    }

    private sealed class PairLease(RateLimitLease first, RateLimitLease second) : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing)
                return;
            first.Dispose();
            second.Dispose();
        }
    }
}
