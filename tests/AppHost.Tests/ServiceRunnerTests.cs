using Community.Contracts;

namespace Community.AppHost.Tests;

/// <summary>
/// Runners of a process that never starts (none.dll) and never answers /health/ready: a launch shows at once, as the
/// state Starting and then Crashed or Restarting.
/// </summary>
public sealed class ServiceRunnerTests : IDisposable
{
    private readonly HttpClient _probes = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ServiceRunner> _runners;

    public ServiceRunnerTests()
    {
        var messaging = Resources.Declared.Single(s => s.Name == ResourceNames.Messaging);
        _runners = Resources
            .Instances([messaging], _ => 2, _ => "http://127.0.0.1:1")
            .Select(i => new ServiceRunner(
                i,
                "none.dll",
                ".",
                new Dictionary<string, string>(),
                new ConsoleOutput(),
                _probes,
                _stopping.Token
            ))
            .ToList();
    }

    [Fact]
    public async Task Once_AppHost_is_stopping_a_restart_stops_the_service_and_starts_it_no_more()
    {
        var runner = _runners[0];
        // Ctrl+C while the restart waited for its turn (or for the process to end): AppHost stops it meanwhile
        await _stopping.CancelAsync();

        Assert.False(await runner.ActAsync("restart"));
        Assert.False(runner.Start());

        for (var until = DateTime.UtcNow.AddSeconds(1); DateTime.UtcNow < until; await Task.Delay(50))
            Assert.Equal(ResourceState.Stopped, runner.State);
        Assert.Null(runner.Pid);
        Assert.Contains(
            runner.Logs.Snapshot(),
            l => l.EndsWith("not started: AppHost is stopping", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task A_rolling_restart_ends_at_its_next_step_once_AppHost_is_stopping()
    {
        using var stopping = new CancellationTokenSource();
        _runners[1].State = ResourceState.Healthy; // the other serves: the first may be restarted
        var roll = Task.Run(() => RollingRestart.RollAsync(_runners, TimeSpan.FromSeconds(60), stopping.Token));
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (_runners[0].State is not (ResourceState.Starting or ResourceState.Stopped))
                break;
        }

        // the first instance never comes back healthy: the roll waits on it until AppHost stops
        await stopping.CancelAsync();

        Assert.False(await roll.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(
            _runners[0].Logs.Snapshot(),
            l => l.EndsWith("rolling restart stopped: AppHost is stopping", StringComparison.Ordinal)
        );
        Assert.Empty(_runners[1].Logs.Snapshot());
    }

    [Fact]
    public async Task A_rolling_restart_stops_no_instance_while_another_is_not_healthy()
    {
        _runners[1].State = ResourceState.Unhealthy;

        Assert.False(await RollingRestart.RollAsync(_runners, TimeSpan.FromSeconds(2), CancellationToken.None));

        Assert.DoesNotContain(_runners[0].Logs.Snapshot(), l => l.Contains("requested", StringComparison.Ordinal));
        Assert.Contains(
            _runners[0].Logs.Snapshot(),
            l => l.Contains("stopped before messaging-1: messaging-2 is Unhealthy", StringComparison.Ordinal)
        );
        Assert.Null(_runners[0].Pid);
        Assert.Empty(_runners[1].Logs.Snapshot());
    }

    [Fact]
    public async Task A_rolling_restart_stops_before_the_next_instance_when_the_restarted_one_fails_meanwhile()
    {
        // none.dll never answers /health/ready: the test plays its health, healthy until the roll settles, then not
        var (restarted, next) = (_runners[0], _runners[1]);
        next.State = ResourceState.Healthy;
        var roll = Task.Run(() => RollingRestart.RollAsync(_runners, TimeSpan.FromSeconds(3), CancellationToken.None));
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            if (restarted.Logs.Snapshot().Any(l => l.Contains("is healthy; the next in", StringComparison.Ordinal)))
                break;
            if (restarted.Logs.Snapshot().Any(l => l.Contains("requested", StringComparison.Ordinal)))
                restarted.State = ResourceState.Healthy;
        }
        restarted.State = ResourceState.Unhealthy;

        Assert.False(await roll.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains(restarted.Logs.Snapshot(), l => l.Contains("restart requested", StringComparison.Ordinal));
        Assert.DoesNotContain(next.Logs.Snapshot(), l => l.Contains("requested", StringComparison.Ordinal));
        Assert.Contains(
            next.Logs.Snapshot(),
            l => l.Contains("stopped before messaging-2: messaging-1 is", StringComparison.Ordinal)
        );
        Assert.Equal(ResourceState.Healthy, next.State);
        Assert.Null(next.Pid);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        Task.WaitAll([.. _runners.Select(r => r.StopAsync())], TimeSpan.FromSeconds(30));
        _probes.Dispose();
        _stopping.Dispose();
    }
}
