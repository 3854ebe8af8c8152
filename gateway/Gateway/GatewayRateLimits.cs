using System.Net;
using System.Threading.RateLimiting;
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

    internal IEnumerable<(string Name, RateLimitWindow Window)> All() =>
    [
        (nameof(PerIp), PerIp), (nameof(PerUser), PerUser), (nameof(Registrations), Registrations),
        (nameof(Password), Password), (nameof(Login), Login),
    ];
}

/// <summary>
/// A global limiter partitioned by user (authenticated) or client IP (anonymous), plus the named
/// policies the route table puts on sensitive anonymous routes. Rejections are ServiceDefaults'
/// 429 problem with Retry-After.
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

        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayRateLimitOptions>>((options, limits) =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.User.FindFirst(ClaimNames.Subject)?.Value is { } user
                    ? RateLimitPartition.GetFixedWindowLimiter("user:" + user, _ => limits.Value.PerUser.ToLimiterOptions())
                    : RateLimitPartition.GetFixedWindowLimiter("ip:" + ClientIp(context), _ => limits.Value.PerIp.ToLimiterOptions()));

            options.AddPolicy(Registrations, context => PerIp(context, limits.Value.Registrations));
            options.AddPolicy(Password, context => PerIp(context, limits.Value.Password));
            options.AddPolicy(Login, context => PerIp(context, limits.Value.Login));
        });
        return services;
    }

    private static RateLimitPartition<string> PerIp(HttpContext context, RateLimitWindow window) =>
        RateLimitPartition.GetFixedWindowLimiter(ClientIp(context), _ => window.ToLimiterOptions());

    private static string ClientIp(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : IPAddress.None.ToString();
}
