using System.Diagnostics;
using System.Threading.RateLimiting;

namespace Community.Identity;

/// <summary>
/// Bounds the requests that hash a password (PBKDF2 takes a core for a fifth of a second): a few run at once, a
/// bounded queue waits its turn in order, and beyond it the answer is 503 with a Retry-After estimated from the queue,
/// so a burst of sign-ups is served in turn instead of slowing every request of the service. Settings in
/// <c>Identity:PasswordWork</c>: PermitLimit (default: the cores), QueueLimit (default 64 per core).
/// </summary>
public sealed class PasswordWork : IDisposable
{
    public const string Refusal = "Too many sign-ins and sign-ups at once; please try again shortly.";
    public const string Section = "Identity:PasswordWork";

    private readonly ConcurrencyLimiter _slots;
    private readonly int _permits;
    private int _refusing;
    private readonly ILogger<PasswordWork> _logger;

    // Moving average of how long a request holds its slot, in ms, for Retry-After.
    private double _averageMs = 250;

    public PasswordWork(IConfiguration configuration, ILogger<PasswordWork> logger)
    {
        _logger = logger;
        _permits = configuration.GetValue($"{Section}:PermitLimit", Environment.ProcessorCount);
        var queueLimit = configuration.GetValue($"{Section}:QueueLimit", 64 * Environment.ProcessorCount);
        if (_permits < 1 || queueLimit < 0)
            throw new InvalidOperationException($"{Section} needs PermitLimit >= 1 and QueueLimit >= 0.");
        _slots = new ConcurrencyLimiter(
            new ConcurrencyLimiterOptions
            {
                PermitLimit = _permits,
                QueueLimit = queueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }
        );
    }

    /// <summary>Requests waiting for a slot now.</summary>
    public long Waiting => _slots.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>Waits for a slot; null with the wait to suggest when the queue is full.</summary>
    public async ValueTask<(IDisposable? Slot, TimeSpan RetryAfter)> EnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _slots.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            // One line per episode, not one per refused request.
            if (Interlocked.Exchange(ref _refusing, 1) == 0)
                _logger.LogWarning(
                    "Password work is saturated ({Permits} at once and a full queue): refusing with 503 and "
                        + "Retry-After until the queue drains",
                    _permits
                );
            return (null, RetryAfter(Waiting + 1));
        }
        if (Waiting == 0 && Interlocked.Exchange(ref _refusing, 0) == 1)
            _logger.LogInformation("Password work drained its queue: accepting again");
        return (new Slot(this, lease, Stopwatch.GetTimestamp()), TimeSpan.Zero);
    }

    public void Dispose() => _slots.Dispose();

    private TimeSpan RetryAfter(long waiting)
    {
        var seconds = Math.Ceiling(waiting * Volatile.Read(ref _averageMs) / _permits / 1000);
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 30));
    }

    private void Leave(RateLimitLease lease, long started)
    {
        var held = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Volatile.Write(ref _averageMs, 0.9 * Volatile.Read(ref _averageMs) + 0.1 * held);
        lease.Dispose();
    }

    private sealed class Slot(PasswordWork work, RateLimitLease lease, long started) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                work.Leave(lease, started);
        }
    }
}

/// <summary>Runs an endpoint that hashes a password inside a <see cref="PasswordWork"/> slot.</summary>
public sealed class PasswordWorkFilter(PasswordWork work) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var (slot, retryAfter) = await work.EnterAsync(context.HttpContext.RequestAborted);
        if (slot is null)
        {
            // An expected answer under load, not a fault: no exception, so no error line per request.
            context.HttpContext.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(
                System.Globalization.CultureInfo.InvariantCulture
            );
            return TypedResults.Problem(
                PasswordWork.Refusal,
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Service unavailable"
            );
        }
        using (slot)
            return await next(context);
    }
}

public static class PasswordWorkEndpoints
{
    /// <summary>The endpoint hashes a password: it waits for a slot, or answers 503 with Retry-After.</summary>
    public static RouteHandlerBuilder HashesPasswords(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter<PasswordWorkFilter>().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
