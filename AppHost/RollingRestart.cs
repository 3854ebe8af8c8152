namespace Community.AppHost;

/// <summary>
/// Restarts a service's instances one by one: an instance is stopped only while every other one not stopped answers
/// /health/ready, so a service run as replicas keeps one serving throughout (the gateway retries on it).
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

    /// <summary>Whether a roll of <paramref name="service"/> is under way.</summary>
    public bool IsRolling(string service)
    {
        lock (_gate)
        {
            return _rolling.TryGetValue(service, out var task) && !task.IsCompleted;
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
            roll = _rolling[service] = Task.Run(() => RollAsync(instances, healthTimeout, stopping));
            return true;
        }
    }

    /// <summary>
    /// True when every instance that was not stopped came back healthy; stops at the first that does not, before an
    /// instance whose stop would leave none serving (another not stopped is not healthy within
    /// <paramref name="healthTimeout"/>), and at its next step once AppHost is stopping (<paramref name="stopping"/>).
    /// </summary>
    public static async Task<bool> RollAsync(
        IReadOnlyList<ServiceRunner> instances,
        TimeSpan healthTimeout,
        CancellationToken stopping
    )
    {
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
                    && await NotServingAsync(instances, runner, healthTimeout, stopping) is { } other
                )
                {
                    runner.Logs.Add(
                        $"rolling restart stopped before {runner.Name}: {other.Name} is {other.State} "
                            + $"({other.LastHealth ?? "no health answer yet"}), so {runner.Name} is left running"
                    );
                    return false;
                }
                if (!await runner.RestartUnlessStoppedAsync())
                {
                    stopping.ThrowIfCancellationRequested();
                    runner.Logs.Add($"rolling restart: {runner.Name} is stopped, and stays so until started");
                    continue;
                }
                if (!await runner.WaitUntilHealthyAsync(healthTimeout, stopping))
                {
                    runner.Logs.Add($"rolling restart stopped: {runner.Name} is not healthy ({runner.LastHealth})");
                    return false;
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
    /// Null once every instance but <paramref name="next"/> is healthy or stopped; else the first that is not
    /// within <paramref name="timeout"/> (one just started is given that long).
    /// </summary>
    private static async Task<ServiceRunner?> NotServingAsync(
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
                return other;
            }
            await Task.Delay(200, stopping);
        }
        return null;
    }
}
