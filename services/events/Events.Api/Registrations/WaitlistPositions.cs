using Npgsql;

namespace Community.Events.Registrations;

/// <summary>
/// Places on an event's waiting list for registrations that just joined it, read in shared batches: while one read for an
/// event is under way, the registrations that join meanwhile wait for the next, which ranks all of them in one pass. A place
/// is a count of the rows ahead, so reading each alone costs the length of the list; a drop's few hundred waitlisted
/// joins, each counting the list before it, did work that grew with the square of its length.
/// Each read starts after the joins it serves committed, so it sees them and every join committed ahead of them.
/// </summary>
public sealed class WaitlistPositions(NpgsqlDataSource dataSource, ILogger<WaitlistPositions> logger)
{
    private readonly Dictionary<Guid, Queue> _queues = [];

    /// <summary>The registration's place on the event's list, from 1; null when it no longer waits (promoted or cancelled meanwhile).</summary>
    public async Task<int?> PositionAsync(Guid eventId, Guid registrationId, CancellationToken cancellationToken)
    {
        Batch batch;
        var lead = false;
        lock (_queues)
        {
            if (!_queues.TryGetValue(eventId, out var queue))
            {
                _queues[eventId] = queue = new Queue();
                lead = true;
            }
            batch = queue.Next ??= new Batch();
            batch.Ids.Add(registrationId);
        }
        if (lead) _ = Task.Run(() => DrainAsync(eventId));
        var places = await batch.Places.Task.WaitAsync(cancellationToken);
        return places.TryGetValue(registrationId, out var place) ? place : null;
    }

    /// <summary>Reads the event's batches one after another until none waits.</summary>
    private async Task DrainAsync(Guid eventId)
    {
        while (true)
        {
            Batch batch;
            lock (_queues)
            {
                var queue = _queues[eventId];
                if (queue.Next is null)
                {
                    _queues.Remove(eventId);
                    return;
                }
                batch = queue.Next;
                queue.Next = null;
            }
            try
            {
                batch.Places.SetResult(await ReadAsync(eventId, batch.Ids));
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Reading waiting-list places of event {EventId} failed", eventId);
                batch.Places.SetException(exception);
            }
        }
    }

    // The rows still waiting up to the last one asked about, ranked by the order they joined.
    private const string Ranks = """
        SELECT id, place FROM (
            SELECT id, row_number() OVER (ORDER BY sequence)::int AS place FROM registrations
            WHERE event_id = $1 AND status = 'waitlisted'
              AND sequence <= (SELECT max(sequence) FROM registrations WHERE id = ANY($2))) ranked
        WHERE id = ANY($2)
        """;

    private async Task<Dictionary<Guid, int>> ReadAsync(Guid eventId, List<Guid> ids)
    {
        await using var command = dataSource.CreateCommand(Ranks);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. ids] });
        await using var reader = await command.ExecuteReaderAsync();
        var places = new Dictionary<Guid, int>(ids.Count);
        while (await reader.ReadAsync()) places[reader.GetGuid(0)] = reader.GetInt32(1);
        return places;
    }

    private sealed class Queue
    {
        public Batch? Next;
    }

    private sealed class Batch
    {
        public readonly List<Guid> Ids = [];
        public readonly TaskCompletionSource<Dictionary<Guid, int>> Places = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
