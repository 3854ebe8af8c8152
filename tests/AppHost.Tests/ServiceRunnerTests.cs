using System.Runtime.InteropServices;
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

    public ServiceRunnerTests() => _runners = Messaging(2);

    /// <summary>Messaging's runners as <c>--replicas messaging=<paramref name="replicas"/></c> makes them.</summary>
    private List<ServiceRunner> Messaging(int replicas)
    {
        var messaging = Resources.Declared.Single(s => s.Name == ResourceNames.Messaging);
        return Resources
            .Instances([messaging], _ => replicas, _ => "http://127.0.0.1:1")
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

    [Fact]
    public async Task A_rolling_restart_stops_before_the_only_instance_serving()
    {
        // --replicas messaging=2 with messaging-1 stopped by the operator: restarting messaging-2 leaves none serving
        var (stopped, serving) = (_runners[0], _runners[1]);
        stopped.State = ResourceState.Stopped;
        serving.State = ResourceState.Healthy;

        Assert.False(await RollingRestart.RollAsync(_runners, TimeSpan.FromSeconds(2), CancellationToken.None));

        Assert.DoesNotContain(serving.Logs.Snapshot(), l => l.Contains("requested", StringComparison.Ordinal));
        Assert.Contains(
            serving.Logs.Snapshot(),
            l => l.Contains("stopped before messaging-2: no other instance is healthy", StringComparison.Ordinal)
        );
        Assert.Equal((ResourceState.Healthy, null), (serving.State, serving.Pid));
        Assert.DoesNotContain(stopped.Logs.Snapshot(), l => l.Contains("requested", StringComparison.Ordinal));
        Assert.Equal(ResourceState.Stopped, stopped.State);
    }

    [Fact]
    public async Task A_rolling_restart_leaves_an_instance_the_operator_stopped_and_restarts_the_others_in_turn()
    {
        // --replicas messaging=3 with messaging-1 stopped by the operator: 2 and 3 are restarted, one at a time
        var three = Messaging(3);
        _runners.AddRange(three); // stopped with the others at the end
        var (stopped, second, third) = (three[0], three[1], three[2]);
        stopped.State = ResourceState.Stopped;
        second.State = third.State = ResourceState.Healthy;
        bool Requested(ServiceRunner r) =>
            r.Logs.Snapshot().Any(l => l.Contains("restart requested", StringComparison.Ordinal));
        var order = new List<ServiceRunner>(); // in the order their restarts were requested
        var roll = Task.Run(() => RollingRestart.RollAsync(three, TimeSpan.FromSeconds(30), CancellationToken.None));
        // none.dll never answers /health/ready: the test plays the health of each instance once it is restarted
        for (var deadline = DateTime.UtcNow.AddSeconds(60); !roll.IsCompleted && DateTime.UtcNow < deadline; )
        {
            foreach (var restarted in new[] { second, third }.Where(Requested))
            {
                if (!order.Contains(restarted))
                    order.Add(restarted);
                restarted.State = ResourceState.Healthy;
            }
            await Task.Delay(20);
        }

        Assert.True(await roll.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([second, third], order);
        Assert.Contains(
            second.Logs.Snapshot(),
            l => l.Contains("messaging-2 is healthy; the next in", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(stopped.Logs.Snapshot(), l => l.Contains("requested", StringComparison.Ordinal));
        Assert.Contains(
            stopped.Logs.Snapshot(),
            l => l.Contains("messaging-1 is stopped, and stays so until started", StringComparison.Ordinal)
        );
        Assert.Equal((ResourceState.Stopped, null), (stopped.State, stopped.Pid));
    }

    [Fact]
    public async Task A_service_dying_at_start_up_shows_Crashed_through_its_back_off()
    {
        var runner = _runners[0];
        Assert.True(runner.Start());

        // none.dll exits at once: the dashboard's poll (every 2 s) must find it Crashed while it waits to relaunch
        var seen = new List<(ResourceState State, int Restarts)>();
        for (var until = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < until; await Task.Delay(20))
        {
            seen.Add((runner.State, runner.Restarts));
            if (seen.Count(s => s.State == ResourceState.Crashed) >= 10)
                break;
        }

        Assert.True(
            seen.Count(s => s.State == ResourceState.Crashed) >= 10,
            $"seen: {string.Join(", ", seen.Select(s => s.State).Distinct())}"
        );
        Assert.All(seen.Where(s => s.State == ResourceState.Crashed), s => Assert.True(s.Restarts >= 1));
    }

    [Fact]
    public async Task A_stop_during_a_launch_kills_the_new_process_when_it_does_not_end_on_SIGTERM()
    {
        // the stop reads the process before the launch sets it; the one launched ignores SIGTERM (StuckChild)
        ServiceRunner? runner = null;
        Task? stop = null;
        var pids = new List<int>();
        var messaging = Resources.Declared.Single(s => s.Name == ResourceNames.Messaging);
        runner = new ServiceRunner(
            Resources.Instances([messaging], _ => 1, _ => "http://127.0.0.1:1").Single(),
            typeof(StuckChild).Assembly.Location,
            AppContext.BaseDirectory,
            new ReadThen(() => stop ??= runner!.StopAsync()),
            new ConsoleOutput(),
            _probes,
            launched: () =>
            {
                pids.Add(runner!.Pid!.Value);
                var logs = runner.Logs;
                SpinWait.SpinUntil(
                    () => logs.Snapshot().Any(l => l.EndsWith(StuckChild.Ready, StringComparison.Ordinal)),
                    TimeSpan.FromSeconds(30)
                );
            }
        );
        Assert.True(runner.Start());
        try
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(10); stop is null && DateTime.UtcNow < deadline; )
                await Task.Delay(20);

            await stop!.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Contains(runner.Logs.Snapshot(), l => l.EndsWith(StuckChild.Ready, StringComparison.Ordinal));
            Assert.True(runner.KilledOnStop);
            Assert.Equal(ResourceState.Stopped, runner.State);
        }
        finally
        {
            pids.ForEach(pid => Signal(pid, SIGKILL));
        }
    }

    [Fact]
    public async Task Each_launch_is_told_once_its_pid_is_known()
    {
        // AppHost writes children.pids then: one killed before its timer's next write leaves no child unrecorded
        var told = new List<int?>();
        ServiceRunner? runner = null;
        var messaging = Resources.Declared.Single(s => s.Name == ResourceNames.Messaging);
        runner = new ServiceRunner(
            Resources.Instances([messaging], _ => 1, _ => "http://127.0.0.1:1").Single(),
            "none.dll",
            ".",
            new Dictionary<string, string>(),
            new ConsoleOutput(),
            _probes,
            launched: () =>
            {
                lock (told)
                    told.Add(runner!.Pid);
            }
        );
        Assert.True(runner.Start());
        try
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(20))
            {
                lock (told)
                    if (told.Count > 0)
                        break;
            }

            lock (told)
            {
                Assert.NotEmpty(told);
                Assert.NotNull(told[0]);
            }
        }
        finally
        {
            await runner.StopAsync();
        }
    }

    private const int SIGKILL = 9;

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);

    /// <summary>No variables; <paramref name="onRead"/> is called as a launch reads them.</summary>
    private sealed class ReadThen(Action onRead) : IReadOnlyDictionary<string, string>
    {
        private readonly Dictionary<string, string> _none = [];

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            onRead();
            return _none.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public int Count => 0;
        public IEnumerable<string> Keys => [];
        public IEnumerable<string> Values => [];
        public string this[string key] => _none[key];

        public bool ContainsKey(string key) => false;

        public bool TryGetValue(string key, out string value) => _none.TryGetValue(key, out value!);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        Task.WaitAll([.. _runners.Select(r => r.StopAsync())], TimeSpan.FromSeconds(30));
        _probes.Dispose();
        _stopping.Dispose();
    }
}
