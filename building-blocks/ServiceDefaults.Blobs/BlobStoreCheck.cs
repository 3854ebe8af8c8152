using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Whether this instance may use its S3 bucket (<see cref="S3BlobStore.ProbeAsync"/>: an object written, read back and
/// deleted), asked until it passes once, then never again.
/// <list type="bullet">
/// <item>A refusal (credentials or a policy missing one of the three, a missing bucket) is <b>unhealthy</b>: the
/// instance is not ready, and the check says which step was refused, so a release with wrong credentials is not rolled
/// out in place of one that works (a read the credentials may not make would otherwise be a 404 for every photo, and a
/// Warning each time).</item>
/// <item>A bucket that cannot be reached or fails (network, 5xx, no answer in time) is <b>degraded</b>, which stays
/// ready: an S3 outage while instances start must not keep sign-in and messages from scaling out; the next check asks
/// again.</item>
/// </list>
/// Checks asked while a probe runs share it. A local folder has nothing to check.
/// </summary>
internal sealed class BlobStoreCheck(IBlobStore store) : IHealthCheck
{
    /// <summary>
    /// How long the probe's write and read may take before the check answers degraded (the next check tries again).
    /// With the delete's own time (<see cref="S3BlobStore.ProbeDeleteTimeout"/>) a check answers within 5 s, inside
    /// the readiness probe's 6.
    /// </summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2.5);

    private readonly Lock _gate = new();
    private Task<BucketProbeFailure?>? _probing;
    private volatile bool _passed;

    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken
    )
    {
        if (_passed || (store is RetriedDeletes retried ? retried.Inner : store) is not S3BlobStore bucket)
            return HealthCheckResult.Healthy();
        Task<BucketProbeFailure?> probe;
        lock (_gate)
        {
            // Passed meanwhile (a probe that ended while this check waited for the lock): never asked again.
            if (_passed)
                return HealthCheckResult.Healthy();
            // Started off this request's flow and outside the lock: the SDK's first steps (signing) run on the pool.
            if (_probing is null || _probing.IsCompleted)
                _probing = Task.Run(() => ProbeAsync(bucket));
            probe = _probing;
        }
        return await probe.WaitAsync(cancellationToken) switch
        {
            null => HealthCheckResult.Healthy(),
            { Refused: true } failure => HealthCheckResult.Unhealthy(failure.Problem),
            var failure => HealthCheckResult.Degraded(failure.Problem),
        };
    }

    /// <summary>One probe on its own time (checks share it, so none's cancellation cuts it short).</summary>
    private async Task<BucketProbeFailure?> ProbeAsync(S3BlobStore bucket)
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            var failure = await bucket.ProbeAsync(timeout.Token);
            // Only ever set: once passed, it stays passed.
            if (failure is null)
                _passed = true;
            return failure;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var seconds = ProbeTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            return new($"The bucket did not answer within {seconds} s.", Refused: false);
        }
        // Anything else the SDK lets through (a TimeoutException, a disposed stream): not a refusal, and its message
        // (which may name an address) is not shown on the anonymous health endpoint.
        catch (Exception exception)
        {
            return new($"Could not probe the bucket: {exception.GetType().Name}.", Refused: false);
        }
    }
}
