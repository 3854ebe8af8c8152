namespace Community.Events;

/// <summary>The "Events" configuration section.</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>How long a seat of a paid event is kept for a payer who has not paid yet.</summary>
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often the sweeper (every instance) releases expired holds and fills waiting lists that have free seats.
    /// </summary>
    public TimeSpan HoldSweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Check-in opens this long before the start.</summary>
    public TimeSpan CheckInOpensBefore { get; set; } = TimeSpan.FromHours(1);

    public double MaxNearbyRadiusKm { get; set; } = 100;

    /// <summary>
    /// Lists count their rows exactly up to this many; above, their total is the planner's estimate
    /// (total_is_estimate).
    /// </summary>
    public int ExactTotalUpTo { get; set; } = Community.ServiceDefaults.Api.CountedTotal.DefaultExactUpTo;
}
