using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Community.ServiceDefaults.Tests;

/// <summary>A sweep runs at start and each period after; a failed round is one warning; a stop is no failure.</summary>
public sealed class PeriodicSweepTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    private readonly WatchedClock _clock = new();
    private readonly LogCapture _logs = new();

    [Fact]
    public async Task Runs_a_round_at_start_and_one_each_period_after()
    {
        var sweep = new CountingSweep(_clock, _logs.CreateLogger("sweep"));

        await sweep.StartAsync(CancellationToken.None);
        Assert.Equal(1, await sweep.NextRoundAsync());
        _clock.Advance(Period - TimeSpan.FromTicks(1));
        Assert.False(sweep.RanAnother);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(2, await sweep.NextRoundAsync());
        _clock.Advance(Period);
        Assert.Equal(3, await sweep.NextRoundAsync());

        await sweep.StopAsync(CancellationToken.None);
        Assert.True(sweep.ExecuteTask!.IsCompleted);
        Assert.Empty(_logs.Entries);
    }

    [Fact]
    public async Task A_first_round_put_off_comes_then_and_each_period_after()
    {
        var sweep = new CountingSweep(_clock, _logs.CreateLogger("sweep"), firstRoundAfter: TimeSpan.FromMinutes(1));

        await sweep.StartAsync(CancellationToken.None);
        await _clock.TimerSetAsync();
        _clock.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(1));
        Assert.False(sweep.RanAnother);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, await sweep.NextRoundAsync());
        _clock.Advance(Period);
        Assert.Equal(2, await sweep.NextRoundAsync());

        await sweep.StopAsync(CancellationToken.None);
        Assert.Empty(_logs.Entries);
    }

    [Fact]
    public async Task A_failed_round_is_one_warning_and_the_next_round_still_comes()
    {
        var away = new InvalidOperationException("the database is away");
        var sweep = new CountingSweep(_clock, _logs.CreateLogger("sweep"))
        {
            Round = (round, _) => round == 2 ? Task.FromException(away) : Task.CompletedTask,
        };

        await sweep.StartAsync(CancellationToken.None);
        Assert.Equal(1, await sweep.NextRoundAsync());
        _clock.Advance(Period);
        Assert.Equal(2, await sweep.NextRoundAsync());
        _clock.Advance(Period);
        Assert.Equal(3, await sweep.NextRoundAsync());
        await sweep.StopAsync(CancellationToken.None);

        var warning = Assert.Single(_logs.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("Sweeping the test rows failed; trying again in 00:10:00", warning.Message);
        Assert.Same(away, warning.Exception);
    }

    [Fact]
    public async Task A_stop_in_the_middle_of_a_round_ends_the_loop_without_a_log()
    {
        var sweep = new CountingSweep(_clock, _logs.CreateLogger("sweep"))
        {
            Round = (_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken),
        };

        await sweep.StartAsync(CancellationToken.None);
        Assert.Equal(1, await sweep.NextRoundAsync());
        await sweep.StopAsync(CancellationToken.None);

        Assert.True(sweep.ExecuteTask!.IsCanceled);
        Assert.Empty(_logs.Entries);
    }

    /// <summary>
    /// Says when a timer is set: the sweep starts on a thread of its own, and a clock moved before it waits moves
    /// nothing it waits for.
    /// </summary>
    private sealed class WatchedClock : FakeTimeProvider
    {
        private readonly SemaphoreSlim _set = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _set.Release();
            return timer;
        }

        public async Task TimerSetAsync() => Assert.True(await _set.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private sealed class CountingSweep(TimeProvider clock, ILogger logger, TimeSpan firstRoundAfter = default)
        : PeriodicSweep(clock, logger)
    {
        private readonly Channel<int> _rounds = Channel.CreateUnbounded<int>();
        private int _count;

        /// <summary>What round n does (it has begun when <see cref="NextRoundAsync"/> answers n).</summary>
        public Func<int, CancellationToken, Task> Round { get; init; } = (_, _) => Task.CompletedTask;

        public bool RanAnother => _rounds.Reader.TryRead(out _);

        public async Task<int> NextRoundAsync() =>
            await _rounds.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        protected override TimeSpan Every => Period;

        protected override TimeSpan FirstRoundAfter => firstRoundAfter;

        protected override string FailureMessage => "Sweeping the test rows failed; trying again in {Every}";

        protected override Task RunRoundAsync(CancellationToken cancellationToken)
        {
            var round = Interlocked.Increment(ref _count);
            _rounds.Writer.TryWrite(round);
            return Round(round, cancellationToken);
        }
    }
}
