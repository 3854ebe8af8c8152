using Npgsql;
using static Community.ServiceDefaults.Data.TypedParameters;

namespace Community.Events.Registrations;

/// <summary>
/// Waiting-list places of registrations that just joined, read in shared batches: one pass ranks every join of a
/// batch, where each counting the list ahead of it did work that grew with the square of the list's length.
/// </summary>
public sealed class WaitlistPositions
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<WaitlistPositions> _logger;
    private readonly BatchQueue<Guid, Asked> _queue;

    public WaitlistPositions(NpgsqlDataSource dataSource, ILogger<WaitlistPositions> logger)
    {
        (_dataSource, _logger) = (dataSource, logger);
        _queue = new BatchQueue<Guid, Asked>(ReadAsync, Fail);
    }

    /// <summary>
    /// The registration's place on the event's list, from 1; null when it no longer waits (promoted or cancelled
    /// meanwhile).
    /// </summary>
    public async Task<int?> PositionAsync(Guid eventId, Guid registrationId, CancellationToken cancellationToken)
    {
        var asked = new Asked(registrationId);
        _queue.Add(eventId, asked);
        return await asked.Place.Task.WaitAsync(cancellationToken);
    }

    // The rows still waiting up to the last one asked about, ranked by the order they joined.
    private const string Ranks = """
        SELECT id, place FROM (
            SELECT id, row_number() OVER (ORDER BY sequence)::int AS place FROM registrations
            WHERE event_id = $1 AND status = 'waitlisted'
              AND sequence <= (SELECT max(sequence) FROM registrations WHERE id = ANY($2))) ranked
        WHERE id = ANY($2)
        """;

    private async Task ReadAsync(Guid eventId, List<Asked> batch)
    {
        await using var command = _dataSource.CreateCommand(Ranks);
        command.Parameters.Add(Value(eventId));
        command.Parameters.Add(Value<Guid[]>([.. batch.Select(a => a.RegistrationId)]));
        var places = new Dictionary<Guid, int>(batch.Count);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                places[reader.GetGuid(0)] = reader.GetInt32(1);
        }
        foreach (var asked in batch)
            asked.Place.TrySetResult(places.TryGetValue(asked.RegistrationId, out var place) ? place : null);
    }

    private void Fail(Guid eventId, List<Asked> batch, Exception exception)
    {
        _logger.LogWarning(exception, "Reading waiting-list places of event {EventId} failed", eventId);
        foreach (var asked in batch)
            asked.Place.TrySetException(exception);
    }

    private sealed class Asked(Guid registrationId)
    {
        public Guid RegistrationId { get; } = registrationId;
        public TaskCompletionSource<int?> Place { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
