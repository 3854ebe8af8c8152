using System.Threading.RateLimiting;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Community.Gateway;

/// <summary>A fixed window: at most <see cref="PermitLimit"/> requests per <see cref="WindowSeconds"/>.</summary>
public sealed class RateLimitWindow
{
    public int PermitLimit { get; set; }
    public int WindowSeconds { get; set; }

    public RateLimitWindow() { }

    public RateLimitWindow(int permitLimit, TimeSpan window) => (PermitLimit, WindowSeconds) = (permitLimit, (int)window.TotalSeconds);

    internal FixedWindowRateLimiterOptions ToLimiterOptions() => new()
    {
        PermitLimit = PermitLimit,
        Window = TimeSpan.FromSeconds(WindowSeconds),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

/// <summary>The gateway's rate limits, bound from the "RateLimits" configuration section.</summary>
public sealed class GatewayRateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request of an anonymous caller, per client IP.</summary>
    public RateLimitWindow PerIp { get; set; } = new(300, TimeSpan.FromMinutes(1));

    /// <summary>Every request of an authenticated caller, per user (the token's sub), whatever their IP.</summary>
    public RateLimitWindow PerUser { get; set; } = new(600, TimeSpan.FromMinutes(1));

    /// <summary>Account registrations per client IP.</summary>
    public RateLimitWindow Registrations { get; set; } = new(100, TimeSpan.FromHours(1));

    /// <summary>Password-forgot and password-reset requests (together) per client IP.</summary>
    public RateLimitWindow Password { get; set; } = new(20, TimeSpan.FromMinutes(15));

    /// <summary>Login attempts per client IP (identity limits failed logins per account on its own).</summary>
    public RateLimitWindow Login { get; set; } = new(60, TimeSpan.FromMinutes(1));

    /// <summary>Registrations from all addresses together (per gateway instance): a ceiling no address rotation steps around.</summary>
    public RateLimitWindow RegistrationsCeiling { get; set; } = new(1000, TimeSpan.FromHours(1));

    /// <summary>Login attempts from all addresses together (per gateway instance).</summary>
    public RateLimitWindow LoginCeiling { get; set; } = new(1200, TimeSpan.FromMinutes(1));

    internal IEnumerable<(string Name, RateLimitWindow Window)> All() =>
    [
        (nameof(PerIp), PerIp), (nameof(PerUser), PerUser), (nameof(Registrations), Registrations),
        (nameof(Password), Password), (nameof(Login), Login),
        (nameof(RegistrationsCeiling), RegistrationsCeiling), (nameof(LoginCeiling), LoginCeiling),
    ];
}

/// <summary>
/// A global limiter partitioned by user (authenticated) or client IP (anonymous), plus the named
/// policies the route table puts on sensitive anonymous routes; login and registration also share
/// one ceiling across all addresses. The client IP is the peer's, or what a proxy listed in
/// Http:TrustedNetworks forwarded. Rejections are ServiceDefaults' 429 problem with Retry-After.
/// </summary>
public static class GatewayRateLimits
{
    public const string Registrations = "registrations";
    public const string Password = "password";
    public const string Login = "login";

    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayRateLimitOptions>()
            .Bind(configuration.GetSection(GatewayRateLimitOptions.Section))
            .Validate(o => o.All().All(l => l.Window is { PermitLimit: > 0, WindowSeconds: > 0 }),
                $"Every {GatewayRateLimitOptions.Section} entry needs PermitLimit > 0 and WindowSeconds > 0.")
            .ValidateOnStart();

        services.AddSingleton<SharedCeilings>();
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayRateLimitOptions>, SharedCeilings>((options, limits, ceilings) =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.User.FindFirst(ClaimNames.Subject)?.Value is { } user
                    ? RateLimitPartition.GetFixedWindowLimiter("user:" + user, _ => limits.Value.PerUser.ToLimiterOptions())
                    : RateLimitPartition.GetFixedWindowLimiter("ip:" + ClientIp(context), _ => limits.Value.PerIp.ToLimiterOptions()));

            options.AddPolicy(Registrations, context => PerIp(context, limits.Value.Registrations, ceilings.Registrations));
            options.AddPolicy(Password, context => PerIp(context, limits.Value.Password));
            options.AddPolicy(Login, context => PerIp(context, limits.Value.Login, ceilings.Login));
        });
        return services;
    }

    private static RateLimitPartition<string> PerIp(HttpContext context, RateLimitWindow window) =>
        RateLimitPartition.GetFixedWindowLimiter(ClientIp(context), _ => window.ToLimiterOptions());

    private static RateLimitPartition<string> PerIp(HttpContext context, RateLimitWindow window, RateLimiter ceiling) =>
        RateLimitPartition.Get(ClientIp(context), _ => new UnderCeilingLimiter(new FixedWindowRateLimiter(window.ToLimiterOptions()), ceiling));

    private static string ClientIp(HttpContext context) => ClientAddress.Of(context);
}

/// <summary>The all-addresses limiters of login and registration, one per gateway instance.</summary>
internal sealed class SharedCeilings(IOptions<GatewayRateLimitOptions> limits) : IDisposable
{
    public RateLimiter Registrations { get; } = new FixedWindowRateLimiter(limits.Value.RegistrationsCeiling.ToLimiterOptions());
    public RateLimiter Login { get; } = new FixedWindowRateLimiter(limits.Value.LoginCeiling.ToLimiterOptions());

    public void Dispose()
    {
        Registrations.Dispose();
        Login.Dispose();
    }
}

/// <summary>
/// One address's limiter, then the shared ceiling: a request the address's own limit refuses
/// never spends the ceiling, so one noisy address cannot use up everyone's budget.
/// </summary>
internal sealed class UnderCeilingLimiter(RateLimiter own, RateLimiter ceiling) : RateLimiter
{
    public override TimeSpan? IdleDuration => own.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => own.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var ownLease = own.AttemptAcquire(permitCount);
        if (!ownLease.IsAcquired) return ownLease;
        var ceilingLease = ceiling.AttemptAcquire(permitCount);
        if (ceilingLease.IsAcquired) return new PairLease(ownLease, ceilingLease);
        ownLease.Dispose();
        return ceilingLease;
    }

    // Windows have no queue, so waiting never helps: the answer is the same as an attempt's.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    // The ceiling is shared by every address and disposed with SharedCeilings, not with one address's partition.
    protected override void Dispose(bool disposing)
    {
        if (disposing) own.Dispose();
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
            if (!disposing) return;
            first.Dispose();
            second.Dispose();
        }
    }
}
