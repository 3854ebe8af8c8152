namespace Community.AppHost;

/// <summary>
/// Restarts a service's instances one by one: the next one is stopped only once the restarted one answers
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
    /// is already under way.
    /// </summary>
    public bool TryStart(string service, IReadOnlyList<ServiceRunner> instances, TimeSpan healthTimeout, out Task roll)
    {
        lock (_gate)
        {
            if (_rolling.TryGetValue(service, out var running) && !running.IsCompleted)
            {
                roll = running;
                return false;
            }
            roll = _rolling[service] = Task.Run(() => RollAsync(instances, healthTimeout));
            return true;
        }
    }

    /// <summary>True when every instance came back healthy; stops at the first that does not.</summary>
    public static async Task<bool> RollAsync(IReadOnlyList<ServiceRunner> instances, TimeSpan healthTimeout)
    {
        foreach (var (runner, i) in instances.Select((r, i) => (r, i + 1)))
        {
            runner.Logs.Add($"rolling restart: instance {i} of {instances.Count}");
            await runner.ActAsync("restart");
            if (!await runner.WaitUntilHealthyAsync(healthTimeout, CancellationToken.None))
            {
                runner.Logs.Add($"rolling restart stopped: {runner.Name} is not healthy ({runner.LastHealth})");
                return false;
            }
            if (i < instances.Count)
            {
                await Task.Delay(Settle);
            }
        }
        return true;
    }
}
