using System.Diagnostics.Metrics;
using Community.Events.Data;
using static Community.ServiceDefaults.Data.TypedParameters;
using Community.ServiceDefaults.Telemetry;
using Npgsql;

namespace Community.Events.Registrations;

/// <summary>What a newcomer's share of a batch came to.</summary>
public enum BatchedJoin
{
    /// <summary>Written to the waiting list.</summary>
    Waitlisted,
    /// <summary>Full and no waiting list: nothing written.</summary>
    Refused,
    /// <summary>The caller already has a live registration for the event.</summary>
    Existing,
    /// <summary>The event no longer has the terms the batch was built from (or is closed): read it again.</summary>
    TermsChanged,
    /// <summary>A seat is free and nobody waits for it, or the batch could not settle this one: join alone (the seat-taking statement).</summary>
    JoinAlone,
}

/// <summary>A newcomer's share of a batch, with what the batch saw of the event.</summary>
public readonly record struct BatchedJoinResult(BatchedJoin Outcome, bool SeatWasFree = false, bool HoldPastItsTime = false);

/// <summary>
/// Newcomers for an event that has no seat for them, written in shared batches: while one batch for an event is under way on
/// this instance, the newcomers who arrive meanwhile wait for the next, which waitlists (or refuses) all of them in one
/// statement. Once a drop has taken the last seat, the hundreds who press a moment later would each run the seat-taking
/// statement (five CTEs, every index of two tables opened and locked, a commit) to be told the same thing; in a batch that
/// cost is paid once, and each newcomer adds a row. The statement takes no seat: when it finds one free with nobody waiting
/// (a cancellation meanwhile), it writes nothing and every member joins alone through <see cref="SeatBook"/>'s statement,
/// which decides who gets the seat. Like the single statement, it writes only while the event still has the
/// <see cref="RegistrationTerms"/> the batch was built from.
/// </summary>
public sealed class JoinBatches(NpgsqlDataSource dataSource, TimeProvider clock, IMeterFactory meters, ILogger<JoinBatches> logger)
{
    /// <summary>At most this many newcomers per statement (the arrays it sends); more wait for the next.</summary>
    public const int MaxBatch = 100;

    /// <summary>The histogram of how many newcomers each batched statement settled, on the platform's meter.</summary>
    public const string SizeName = "community.events.registration_batch.size";

    private readonly Dictionary<RegistrationTerms, Queue> _queues = [];
    private readonly Histogram<int> _sizes = meters.Create(DiagnosticNames.Source).CreateHistogram<int>(
        SizeName, "{registration}", "Newcomers waitlisted or refused by one batched registering statement");

    /// <summary>Waitlists the newcomer (or says why not) in the next batch for the event's terms.</summary>
    public async Task<BatchedJoinResult> JoinAsync(RegistrationTerms terms, Registration registration, CancellationToken cancellationToken)
    {
        var member = new Member(registration.Id, registration.UserId, registration.CreatedAt, cancellationToken);
        var lead = false;
        lock (_queues)
        {
            if (!_queues.TryGetValue(terms, out var queue))
            {
                _queues[terms] = queue = new Queue();
                lead = true;
            }
            queue.Waiting.Add(member);
        }
        if (lead) _ = Task.Run(() => DrainAsync(terms));
        return await member.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs the event's batches one after another until nobody waits.</summary>
    private async Task DrainAsync(RegistrationTerms terms)
    {
        while (true)
        {
            List<Member> batch;
            lock (_queues)
            {
                var queue = _queues[terms];
                if (queue.Waiting.Count == 0)
                {
                    _queues.Remove(terms);
                    return;
                }
                batch = Take(queue.Waiting);
            }
            if (batch.Count == 0) continue;
            try
            {
                await RunAsync(terms, batch);
            }
            catch (PostgresException exception) when (exception is { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Someone in the batch registered on another instance at the same moment: nothing of the batch was kept.
                // Each joins alone, where such a race is answered with the registration that won.
                foreach (var member in batch) member.Result.TrySetResult(new BatchedJoinResult(BatchedJoin.JoinAlone));
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "A batch of {Count} registrations for event {EventId} failed", batch.Count, terms.EventId);
                // Each waiting request gets its own exception (one object rethrown on many threads would mix their stack traces).
                foreach (var member in batch) member.Result.TrySetException(new InvalidOperationException("Registering in a batch failed.", exception));
            }
        }
    }

    /// <summary>
    /// Up to <see cref="MaxBatch"/> members in the order they came, one per person (a second press waits for the next batch);
    /// whoever stopped waiting (the request was aborted) is left out, so nobody is put on a list they were never told about.
    /// </summary>
    private static List<Member> Take(List<Member> waiting)
    {
        var batch = new List<Member>(Math.Min(waiting.Count, MaxBatch));
        var users = new HashSet<Guid>();
        var later = new List<Member>();
        foreach (var member in waiting)
        {
            if (member.Cancellation.IsCancellationRequested) member.Result.TrySetCanceled(member.Cancellation);
            else if (batch.Count < MaxBatch && users.Add(member.UserId)) batch.Add(member);
            else later.Add(member);
        }
        waiting.Clear();
        waiting.AddRange(later);
        return batch;
    }

    // $1 event, $2 now, $3 registration ids, $4 user ids, $10 when each pressed (in the order they came), then the terms:
    // $5 price (also each row's amount), $6 currency, $7 waiting list, $8 visibility, $9 organizer. One row per newcomer, in that order.
    private const string Statement = """
        WITH event AS (
            SELECT status = 'published' AND ends_at > $2 AND waitlist_enabled = $7 AND visibility = $8
                   AND organizer_id = $9 AND price_cents = $5 AND currency IS NOT DISTINCT FROM $6 AS matched,
                   capacity IS NULL OR seats_taken < capacity AS seat_free,
                   (SELECT min(sequence) FROM registrations WHERE event_id = $1 AND status = 'waitlisted') IS NOT NULL AS someone_waits
            FROM community_events WHERE id = $1),
        joiner AS (
            SELECT j.id, j.user_id, j.created_at, j.ord, EXISTS (
                       SELECT 1 FROM registrations r
                       WHERE r.event_id = $1 AND r.user_id = j.user_id AND r.status IN ('held', 'confirmed', 'waitlisted')) AS existing
            FROM unnest($3::uuid[], $4::uuid[], $10::timestamptz[]) WITH ORDINALITY AS j(id, user_id, created_at, ord)),
        registration AS (
            INSERT INTO registrations (id, event_id, user_id, status, amount_cents, currency, created_at, updated_at)
            SELECT j.id, $1, j.user_id, 'waitlisted', $5, $6, j.created_at, j.created_at
            FROM joiner j JOIN event e ON e.matched AND $7 AND NOT (e.seat_free AND NOT e.someone_waits)
            WHERE NOT j.existing
            ORDER BY j.ord
            RETURNING id)
        SELECT coalesce(e.matched, false), coalesce(e.seat_free AND NOT e.someone_waits, false), coalesce(e.seat_free, false),
               EXISTS (SELECT 1 FROM registrations h WHERE h.event_id = $1 AND h.status = 'held' AND h.hold_expires_at <= $2),
               j.existing, r.id IS NOT NULL
        FROM joiner j LEFT JOIN event e ON true LEFT JOIN registration r ON r.id = j.id
        ORDER BY j.ord
        """;

    private async Task RunAsync(RegistrationTerms terms, List<Member> batch)
    {
        await using var command = dataSource.CreateCommand(Statement);
        command.Parameters.Add(Value(terms.EventId));
        command.Parameters.Add(Value<DateTimeOffset>(Catalogue.EventRules.AsStored(clock.GetUtcNow())));
        command.Parameters.Add(Value<Guid[]>([.. batch.Select(m => m.RegistrationId)]));
        command.Parameters.Add(Value<Guid[]>([.. batch.Select(m => m.UserId)]));
        command.Parameters.Add(Value(terms.PriceCents));
        command.Parameters.Add(Text(terms.Currency));
        command.Parameters.Add(Value(terms.WaitlistEnabled));
        command.Parameters.Add(Value(terms.Visibility));
        command.Parameters.Add(Value(terms.OrganizerId));
        command.Parameters.Add(Value<DateTimeOffset[]>([.. batch.Select(m => m.CreatedAt)]));
        var results = new List<BatchedJoinResult>(batch.Count);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (matched, seatForNewcomer, seatWasFree, holdPastItsTime, existing, joined) = (reader.GetBoolean(0), reader.GetBoolean(1),
                    reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5));
                var outcome = !matched ? BatchedJoin.TermsChanged
                    : existing ? BatchedJoin.Existing
                    : joined ? BatchedJoin.Waitlisted
                    : seatForNewcomer ? BatchedJoin.JoinAlone
                    : BatchedJoin.Refused;
                results.Add(new BatchedJoinResult(outcome, seatWasFree, holdPastItsTime));
            }
        }
        _sizes.Record(batch.Count);
        // Answered only once the statement (its own transaction) has committed, so a place read after it sees the rows.
        for (var i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(results[i]);
    }

    private sealed class Queue
    {
        public readonly List<Member> Waiting = [];
    }

    private sealed class Member(Guid registrationId, Guid userId, DateTimeOffset createdAt, CancellationToken cancellation)
    {
        public CancellationToken Cancellation { get; } = cancellation;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public Guid RegistrationId { get; } = registrationId;
        public Guid UserId { get; } = userId;
        public TaskCompletionSource<BatchedJoinResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
