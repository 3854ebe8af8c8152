namespace Community.Testing;

/// <summary>Real time plus an offset the test moves forward (token expiry, rotation windows).</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;

    /// <summary>
    /// Moves past the next UTC midnight when it is nearer than <paramref name="margin"/>, so that a test computing
    /// "today" and the service it asks agree on the day for that long.
    /// </summary>
    public void AwayFromMidnight(TimeSpan margin)
    {
        var now = GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        if (midnight - now < margin)
            Advance(midnight - now + TimeSpan.FromMinutes(1));
    }
}
