namespace Community.ServiceDefaults.Api;

/// <summary>
/// Ids for new rows: UUID version 7, time-ordered from the service clock, so inserts land at the index's end.
/// </summary>
public static class NewId
{
    public static Guid Next(TimeProvider clock) => Guid.CreateVersion7(clock.GetUtcNow());

    /// <summary>For code that already read the clock once for the whole change.</summary>
    public static Guid Next(DateTimeOffset now) => Guid.CreateVersion7(now);
}
