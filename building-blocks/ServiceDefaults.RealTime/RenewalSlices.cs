namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// Spreads the renewal of an instance's connection leases over their renewal period: the connections are split into
/// about one slice per second of the period and one slice is renewed per tick, so every connection is still renewed
/// once a period, but Redis (also the SignalR backplane, single-threaded) never runs thousands of renewal scripts in
/// one burst while live messages wait behind them.
/// </summary>
public sealed class RenewalSlices
{
    public const int MaxSlices = 20;

    /// <summary>
    /// Connections renewed by one script: a busy instance's slice in one round trip rather than one each (10,000
    /// connections were 1,000 scripts a second), and short enough not to hold Redis for long.
    /// </summary>
    public const int PerScript = 500;

    public RenewalSlices(TimeSpan period)
    {
        Count = (int)Math.Clamp(Math.Floor(period.TotalSeconds), 1, MaxSlices);
        Tick = period / Count;
    }

    /// <summary>How many slices a period has.</summary>
    public int Count { get; }

    /// <summary>How often one slice is renewed.</summary>
    public TimeSpan Tick { get; }

    /// <summary>The slice a connection belongs to, fixed for the life of the process.</summary>
    public int Of(string connectionId) => (int)((uint)connectionId.GetHashCode() % (uint)Count);

    /// <summary>Whether <paramref name="connectionId"/> is renewed at tick number <paramref name="tick"/>.</summary>
    public bool IsDue(string connectionId, long tick) => Of(connectionId) == (int)(tick % Count);
}
