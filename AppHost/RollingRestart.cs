namespace Community.AppHost;

/// <summary>
/// Restarts a service's instances one by one: an instance is stopped only while every other one not stopped answers
/// /health/ready, and one at least does, so a service run as replicas keeps one serving throughout (the gateway
/// retries on it).
/// </summary>
internal sealed class RollingRestart
{
    /// <summary>
    /// How long a restarted instance serves before the next is stopped: the gateway's active health check (every 5 s)
    /// must have seen it back, or the gateway would be left with the stopping instance alone.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _rolling = [];
    private readonly Dictionary<string, string> _stoppedShort = [];

    /// <summary>Whether a roll of <paramref name="service"/> is under way.</summary>
    public bool IsRolling(string service)
    {
        lock (_gate)
        {
            return _rolling.TryGetValue(service, out var task) && !task.IsCompleted;
        }
    }

    /// <summary>Why the last roll of <paramref name="service"/> stopped before its end; null when it did not.</summary>
    public string? StoppedShort(string service)
    {
        lock (_gate)
        {
            return _stoppedShort.GetValueOrDefault(service);
        }
    }

    /// <summary>
    /// Starts rolling <paramref name="instances"/> of <paramref name="service"/>; false (and nothing done) when one
    /// is already under way. The roll ends at its next step once <paramref name="stopping"/> is cancelled.
    /// </summary>
    public bool TryStart(
        string service,
        IReadOnlyList<ServiceRunner> instances,
        TimeSpan healthTimeout,
        CancellationToken stopping,
        out Task roll
    )
    {
        lock (_gate)
        {
            if (_rolling.TryGetValue(service, out var running) && !running.IsCompleted)
            {
                roll = running;
                return false;
            }
            _stoppedShort.Remove(service);
            roll = _rolling[service] = Task.Run(() =>
                RollAsync(
                    instances,
                    healthTimeout,
                    stopping,
                    why =>
                    {
                        lock (_gate)
                        {
                            _stoppedShort[service] = why;
                        }
                    }
                )
            );
            return true;
        }
    }

    /// <summary>
    /// True when every instance that was not stopped came back healthy; stops at the first that does not, before an
    /// instance whose stop would leave none serving (another not stopped is not healthy within
    /// <paramref name="healthTimeout"/>, or no other is healthy), and at its next step once AppHost is stopping
    /// (<paramref name="stopping"/>). A stop before the end is a warning, and told to <paramref name="stoppedShort"/>.
    /// </summary>
    public static async Task<bool> RollAsync(
        IReadOnlyList<ServiceRunner> instances,
        TimeSpan healthTimeout,
        CancellationToken stopping,
        Action<string>? stoppedShort = null
    )
    {
        // the operator must act: the service is left as it is, an instance not serving or one serving alone
        bool StopShort(ServiceRunner runner, string why)
        {
            stoppedShort?.Invoke(why);
            runner.Warn($"rolling restart stopped {why}");
            return false;
        }

        var current = instances[0];
        try
        {
            foreach (var (runner, i) in instances.Select((r, i) => (r, i + 1)))
            {
                current = runner;
                stopping.ThrowIfCancellationRequested();
                runner.Logs.Add($"rolling restart: instance {i} of {instances.Count}");
                // checked again after the settling: an instance restarted before may have failed since
                if (
                    runner.State != ResourceState.Stopped
                    && await NotServingAsync(instances, runner, healthTimeout, stopping) is { } why
                )
                {
                    return StopShort(runner, $"before {runner.Name}: {why}, so {runner.Name} is left running");
                }
                if (!await runner.RestartUnlessStoppedAsync())
                {
                    stopping.ThrowIfCancellationRequested();
                    runner.Logs.Add($"rolling restart: {runner.Name} is stopped, and stays so until started");
                    continue;
                }
                if (!await runner.WaitUntilHealthyAsync(healthTimeout, stopping))
                {
                    return StopShort(
                        runner,
                        $"after restarting {runner.Name}: it is not healthy ({runner.LastHealth})"
                    );
                }
                // no settling for the gateway's sake when no other instance is left to restart
                if (instances.Skip(i).Any(r => r.State != ResourceState.Stopped))
                {
                    runner.Logs.Add($"rolling restart: {runner.Name} is healthy; the next in {Settle.TotalSeconds} s");
                    await Task.Delay(Settle, stopping);
                }
            }
            return true;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            current.Logs.Add("rolling restart stopped: AppHost is stopping");
            return false;
        }
    }

    /// <summary>
    /// The instances that are neither stopped nor healthy, <paramref name="instances"/>' order kept: a roll goes only
    /// when at most one is, and starts with it (restarting it leaves the healthy ones serving).
    /// </summary>
    public static IReadOnlyList<ServiceRunner> NotServing(IReadOnlyList<ServiceRunner> instances) =>
        [.. instances.Where(r => r.State is not (ResourceState.Healthy or ResourceState.Stopped))];

    /// <summary>
    /// Null once every instance but <paramref name="next"/> is healthy or stopped, and one of them healthy; else why
    /// not: the first that is not within <paramref name="timeout"/> (one just started is given that long), or that
    /// none other serves.
    /// </summary>
    private static async Task<string?> NotServingAsync(
        IReadOnlyList<ServiceRunner> instances,
        ServiceRunner next,
        TimeSpan timeout,
        CancellationToken stopping
    )
    {
        var deadline = DateTime.UtcNow + timeout;
        while (NotServing(instances).FirstOrDefault(r => r != next) is { } other)
        {
            if (DateTime.UtcNow > deadline)
            {
                return $"{other.Name} is {other.State} ({other.LastHealth ?? "no health answer yet"})";
            }
            await Task.Delay(200, stopping);
        }
        return instances.Any(r => r != next && r.State == ResourceState.Healthy)
            ? null
            : "no other instance is healthy, none would serve";
    }
}
