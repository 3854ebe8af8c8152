using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>
/// A bus that does not stop cannot hold its host's stop: MassTransit's hosted service is wrapped with a bound (a CI run
/// hung for good in a test host's stop after a broker restart, the bus ignoring its own stop timeout).
/// </summary>
public sealed class BoundedBusStopTests : IAsyncLifetime
{
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(BoundedBusStopTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    [Fact]
    public async Task A_bus_that_never_stops_lets_the_host_stop_after_the_bound_with_a_warning()
    {
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var stuck = new Stuck();
        var bounded = new BoundedBusStop(stuck, TimeSpan.FromMilliseconds(300), loggers.CreateLogger<BoundedBusStop>());
        await bounded.StartAsync(CancellationToken.None);

        await bounded.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(stuck.StopCalled);
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Contains("did not stop within", warning.Message);
    }

    [Fact]
    public async Task A_bus_that_stops_in_time_is_waited_for_and_nothing_is_logged()
    {
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var stopped = new TaskCompletionSource();
        var slow = new Slow(TimeSpan.FromMilliseconds(100), stopped);
        var bounded = new BoundedBusStop(slow, TimeSpan.FromSeconds(5), loggers.CreateLogger<BoundedBusStop>());

        await bounded.StopAsync(CancellationToken.None);

        Assert.True(stopped.Task.IsCompleted);
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
    }

    [Fact]
    public async Task Every_service_bus_runs_behind_the_bound_and_still_starts_and_stops()
    {
        using var logs = new LogCapture();
        var host = await BusHosts.StartAsync(
            BusHosts.Settings(_resources, "bounded", database: false),
            b =>
            {
                b.AddEventBus("bounded");
                logs.AddTo(b.Services);
            }
        );
        var hosted = host.Services.GetServices<IHostedService>().ToList();
        Assert.DoesNotContain(hosted, s => s is MassTransitHostedService);
        var bounded = Assert.Single(hosted.OfType<BoundedBusStop>());
        Assert.Equal(BusSetup.BusStopTimeout + TimeSpan.FromMilliseconds(500), bounded.Limit);
        Assert.Equal(BusHealthStatus.Healthy, host.Services.GetRequiredService<IBusControl>().CheckHealth().Status);

        await host.StopAsync();
        host.Dispose();

        Assert.DoesNotContain(logs.AtLeast(LogLevel.Warning), e => e.Category == typeof(BoundedBusStop).FullName);
    }

    private sealed class Stuck : IHostedService
    {
        public bool StopCalled { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        // Ignores its token, as the hung bus did.
        public Task StopAsync(CancellationToken cancellationToken)
        {
            StopCalled = true;
            return new TaskCompletionSource().Task;
        }
    }

    private sealed class Slow(TimeSpan takes, TaskCompletionSource stopped) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(takes, CancellationToken.None);
            stopped.SetResult();
        }
    }
}
