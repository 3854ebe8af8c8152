using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Ready once the S3 bucket has taken an object from this instance, given it back and deleted it
/// (<see cref="S3BlobStore.ProbeAsync"/>): an instance whose credentials may not do one of the three is never ready,
/// and its check says which, so a release with wrong credentials is not rolled out in place of one that works (a read
/// the credentials may not make would otherwise be a 404 for every photo, and a Warning each time). Once passed it
/// asks the bucket nothing more: a later outage is the readers' 404s and the writers' problems, not a reason to take
/// every instance out of service. A local folder has nothing to check.
/// </summary>
internal sealed class BlobStoreCheck(IBlobStore store) : IHealthCheck
{
    /// <summary>How long one probe may take before the check answers unhealthy (the next probe tries again).</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _probing = new(1, 1);
    private volatile bool _passed;

    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken
    )
    {
        if (_passed || store is not S3BlobStore bucket)
            return HealthCheckResult.Healthy();
        // One probe at a time: checks asked at once wait for it rather than each writing an object.
        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (_passed)
                return HealthCheckResult.Healthy();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            string? problem;
            try
            {
                problem = await bucket.ProbeAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = $"The bucket did not answer within {ProbeTimeout.TotalSeconds:0} s.";
            }
            if (problem is not null)
                return HealthCheckResult.Unhealthy(problem);
            _passed = true;
            return HealthCheckResult.Healthy();
        }
        finally
        {
            _probing.Release();
        }
    }
}
