using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Presented-but-invalid tokens counted per client address ("RateLimits:InvalidTokens", default
/// 60 a minute): past the limit the answer is 429, so guessing or replaying tokens is throttled
/// like guessing passwords. In memory, per instance.
/// </summary>
public sealed class InvalidTokenLimit : IDisposable
{
    public const string Section = "RateLimits:InvalidTokens";

    private readonly PartitionedRateLimiter<string> _limiter;

    public InvalidTokenLimit(IConfiguration configuration)
    {
        var permits = configuration.GetValue($"{Section}:PermitLimit", 60);
        var seconds = configuration.GetValue($"{Section}:WindowSeconds", 60);
        if (permits <= 0 || seconds <= 0)
            throw new InvalidOperationException($"{Section} needs PermitLimit > 0 and WindowSeconds > 0.");
        var window = new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = TimeSpan.FromSeconds(seconds), QueueLimit = 0, AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => window));
    }

    /// <summary>Counts one refused token from the caller's address; a lease that is not acquired means answer 429.</summary>
    public RateLimitLease Count(HttpContext context) => _limiter.AttemptAcquire(ClientAddress.Of(context));

    public void Dispose() => _limiter.Dispose();
}
