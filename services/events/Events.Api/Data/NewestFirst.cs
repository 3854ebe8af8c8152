using Community.ServiceDefaults.Api;

namespace Community.Events.Data;

/// <summary>A row listed newest first by (created_at, id), on an index of those two: courses, event photos.</summary>
public interface ICreatedRow
{
    Guid Id { get; }
    DateTimeOffset CreatedAt { get; }
}

public static class NewestFirst
{
    /// <summary>
    /// The page of <paramref name="rows"/> that starts at <paramref name="start"/>, newest first, plus one probe row:
    /// after a cursor, the rows before its position, (created_at, id) &lt; (at, id), one seek on the index.
    /// </summary>
    public static IQueryable<T> NewestFirstPage<T>(this IQueryable<T> rows, PageStart<TimeAndId> start)
        where T : class, ICreatedRow =>
        rows.OrderByDescending(r => r.CreatedAt)
            .ThenByDescending(r => r.Id)
            .ProbePageBy(
                start,
                (q, at) =>
                    q.Where(r =>
                        EF.Functions.LessThan(ValueTuple.Create(r.CreatedAt, r.Id), ValueTuple.Create(at.At, at.Id))
                    )
            );
}

public static class LatestStartFirst
{
    /// <summary>
    /// The events after a keyset position of a list ordered latest start first, then by id: (starts_at, id) &lt;
    /// (at, id); all of them without one.
    /// </summary>
    public static IQueryable<CommunityEvent> StartingBefore(this IQueryable<CommunityEvent> events, TimeAndId? after) =>
        after is { } at
            ? events.Where(e =>
                EF.Functions.LessThan(ValueTuple.Create(e.StartsAt, e.Id), ValueTuple.Create(at.At, at.Id))
            )
            : events;
}
