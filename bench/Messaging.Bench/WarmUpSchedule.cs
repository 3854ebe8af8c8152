using System.Diagnostics;
using System.Globalization;

namespace Community.Messaging.Bench;

/// <summary>
/// Where a live run's timed sends begin on its schedule (both sides of the peer run): after at least
/// <c>--warmup-seconds</c> of untimed sends, once the JIT of the run's .NET processes has gone quiet, or at
/// <c>--warmup-max-seconds</c>. A young process tiers its hot code up (tier 0, instrumented, then optimized) for a
/// minute or more under load, on the run's own cores; a server running for hours no longer pays that, so the steady
/// state is what is timed. The schedule's rounds are one send interval apart; every sender sends once a round.
/// </summary>
public sealed class WarmUpSchedule
{
    /// <summary>Quiet: at most this many methods compiled over the last <see cref="Look"/>.</summary>
    private const int QuietMethods = 50;

    private static readonly TimeSpan Look = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _interval;
    private readonly int _timedRounds;
    private readonly Func<Task<long>> _compiledMethods;
    private readonly long _zero = Stopwatch.GetTimestamp();
    private readonly DateTime _zeroUtc = DateTime.UtcNow;
    private readonly TaskCompletionSource<int> _decided = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile int _timedFrom = int.MaxValue;
    private string _why = "";

    private WarmUpSchedule(TimeSpan interval, int timedRounds, Func<Task<long>> compiledMethods)
    {
        _interval = interval;
        _timedRounds = timedRounds;
        _compiledMethods = compiledMethods;
    }

    /// <summary>Starts the schedule's clock now and watches the JIT (<paramref name="compiledMethods"/>: the methods
    /// the run's .NET processes have compiled so far) until the timed rounds are decided.</summary>
    public static WarmUpSchedule Start(MessagingBenchOptions options, Func<Task<long>> compiledMethods)
    {
        var schedule = new WarmUpSchedule(options.SendInterval, options.Messages, compiledMethods);
        _ = schedule.WatchAsync(
            TimeSpan.FromSeconds(options.WarmupSeconds),
            TimeSpan.FromSeconds(Math.Max(options.WarmupSeconds, options.WarmupMaxSeconds))
        );
        return schedule;
    }

    /// <summary>Time since the schedule's start (round n of a sender is due at its offset + n intervals).</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_zero);

    public bool IsTimed(int round) => round >= _timedFrom;

    /// <summary>Whether a sender is done before <paramref name="round"/>: every timed round is behind it.</summary>
    public bool Done(int round) => (long)round >= (long)_timedFrom + _timedRounds;

    /// <summary>The first timed round, once decided (always ahead of every round already due).</summary>
    public Task<int> TimedFromAsync() => _decided.Task;

    /// <summary>When round <paramref name="round"/> starts (a <see cref="Stopwatch"/> timestamp; the timed window
    /// opens at the first timed round).</summary>
    public long Timestamp(int round) => _zero + (long)((_interval * round).TotalSeconds * Stopwatch.Frequency);

    public DateTime Utc(int round) => _zeroUtc + _interval * round;

    /// <summary>How long the untimed rounds lasted and why they ended.</summary>
    public string Describe(int senders) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{senders * _timedFrom:N0} on the schedule ({(_interval * _timedFrom).TotalSeconds:0} s, untimed, {_why})"
        );

    private async Task WatchAsync(TimeSpan least, TimeSpan most)
    {
        var counts = new Queue<(TimeSpan At, long Methods)>();
        while (true)
        {
            var now = Elapsed;
            long methods;
            try
            {
                methods = await _compiledMethods();
            }
            catch (Exception e)
            {
                // A node that stopped answering: the run goes on (and says so) rather than send untimed forever.
                if (now >= least)
                {
                    Decide(now, $"the JIT could not be asked: {e.Message}");
                    return;
                }
                await Task.Delay(TimeSpan.FromSeconds(1));
                continue;
            }
            counts.Enqueue((now, methods));
            while (counts.Peek().At < now - Look)
                counts.Dequeue();
            var recent = methods - counts.Peek().Methods;
            var watchedLongEnough = now - counts.Peek().At >= Look - TimeSpan.FromSeconds(1);
            var quiet = watchedLongEnough && recent <= QuietMethods;
            if (now >= least && (quiet || now >= most))
            {
                Decide(
                    now,
                    quiet
                        ? $"until the JIT was quiet: {recent} methods compiled in the last {Look.TotalSeconds:0} s"
                        : $"at --warmup-max-seconds; the JIT still compiled {recent} methods in the last "
                            + $"{Look.TotalSeconds:0} s"
                );
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private void Decide(TimeSpan now, string why)
    {
        _why = why;
        // Two rounds ahead: no sender has started it (a round is due at most one interval after its start).
        var from = (int)(now / _interval) + 2;
        _timedFrom = from;
        _decided.SetResult(from);
    }
}
