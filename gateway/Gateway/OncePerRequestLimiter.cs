using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Community.Gateway;

/// <summary>
/// The global limiter, counting each request once. The rate-limiting middleware tries the global limiter and the
/// endpoint's policy synchronously, and when the policy does not grant there (a policy counted in Redis, or one that
/// refuses), it drops the global lease and asks both again, waiting: a window is not given back by a dropped lease, so
/// without this the request would spend two of its caller's permits.
/// </summary>
public sealed class OncePerRequestLimiter(PartitionedRateLimiter<HttpContext> inner)
    : PartitionedRateLimiter<HttpContext>
{
    private static readonly object Granted = new();

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => inner.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var lease = inner.AttemptAcquire(resource, permitCount);
        // Only a route under a policy is asked twice (most are not, and their requests keep Items unallocated).
        if (lease.IsAcquired && resource.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
            resource.Items[Granted] = permitCount;
        return lease;
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(
        HttpContext resource,
        int permitCount,
        CancellationToken cancellationToken
    ) =>
        resource.Items.Remove(Granted, out var granted) && granted is int count && count >= permitCount
            ? ValueTask.FromResult<RateLimitLease>(AlreadyGranted.Lease)
            : inner.AcquireAsync(resource, permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    protected override ValueTask DisposeAsyncCore() => inner.DisposeAsync();

    private sealed class AlreadyGranted : RateLimitLease
    {
        public static readonly AlreadyGranted Lease = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
