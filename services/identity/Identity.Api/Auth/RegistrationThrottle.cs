using Community.Identity.Data;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Identity.Auth;

/// <summary>
/// Registration attempts per identifier (username, e-mail, phone), from any address, counted in
/// the database beside the login counters under "register:" keys: past the limit a window's
/// further attempts naming that identifier are refused with 429, however many addresses send them.
/// Runs before the handler, so the count holds whatever the handler answers.
/// </summary>
public sealed class RegistrationThrottle(IdentityDbContext db, IOptions<IdentityOptions> options, TimeProvider clock)
{
    /// <summary>The endpoint filter that counts a registration's identifiers (the throttle comes from the request's scope).</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<RegisterRequest>().FirstOrDefault() is { } request)
        {
            var throttle = context.HttpContext.RequestServices.GetRequiredService<RegistrationThrottle>();
            await throttle.CountAsync([request.Username, request.Email, request.Phone], context.HttpContext.RequestAborted);
        }
        return await next(context);
    }

    public async Task CountAsync(IEnumerable<string?> identifiers, CancellationToken cancellationToken)
    {
        var settings = options.Value.RegistrationThrottle;
        var now = clock.GetUtcNow();
        var windowStart = now - settings.Window;
        var keys = identifiers.Where(i => !string.IsNullOrWhiteSpace(i))
            .Select(i => "register:" + LoginThrottle.Bounded(i!.Trim().ToLowerInvariant())).Distinct().ToList();
        foreach (var key in keys)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO login_failures (key, window_started_at, failures) VALUES ({key}, {now}, 1)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN login_failures.window_started_at <= {windowStart} THEN 1 ELSE login_failures.failures + 1 END,
                    window_started_at = CASE WHEN login_failures.window_started_at <= {windowStart} THEN {now} ELSE login_failures.window_started_at END
                """, cancellationToken);
        }
        var over = await db.LoginFailures.AsNoTracking()
            .Where(f => keys.Contains(f.Key) && f.Failures > settings.PerIdentifier)
            .OrderByDescending(f => f.WindowStartedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (over is not null)
            throw new TooManyRequestsException("Too many registrations with this username, e-mail or phone; try again later.", over.WindowStartedAt + settings.Window - now);
    }
}
