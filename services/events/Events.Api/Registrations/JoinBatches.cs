using System.Diagnostics.Metrics;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Telemetry;
using Npgsql;
using static Community.ServiceDefaults.Data.TypedParameters;

namespace Community.Events.Registrations;

/// <summary>What a newcomer's share of a batch came to.</summary>
public enum BatchedJoin
{
    /// <summary>Given a seat: written held (paid) or confirmed (free), with its message.</summary>
    Seated,

    /// <summary>Written to the waiting list.</summary>
    Waitlisted,

    /// <summary>Full and no waiting list: nothing written.</summary>
    Refused,

    /// <summary>The caller already has a live registration for the event.</summary>
    Existing,

    /// <summary>The caller and the event's organizer are in a block, either way: nothing written.</summary>
    Blocked,

    /// <summary>A private event the caller is not (or no longer) invited to: nothing written.</summary>
    Uninvited,

    /// <summary>The caller's account was deleted while the registration was on its way: nothing written.</summary>
    Erased,

    /// <summary>The event no longer has the terms the batch was built from (or is closed): read it again.</summary>
    TermsChanged,
}

/// <summary>A newcomer's share of a batch, with what the batch saw of the event.</summary>
public readonly record struct BatchedJoinResult(
    BatchedJoin Outcome,
    bool SeatWasFree = false,
    bool HoldPastItsTime = false
);

/// <summary>
/// Every new registration, written in shared batches: newcomers who arrive while an event's batch runs wait for the
/// next, so a drop pays the registering statement (indexes, locks, a commit) once a batch, not once a person. It writes
/// only while the event still has the <see cref="RegistrationTerms"/> the batch was built from; a lone registration is
/// a batch of one.
/// </summary>
public sealed class JoinBatches
{
    /// <summary>At most this many newcomers per statement (the arrays it sends); more wait for the next.</summary>
    public const int MaxBatch = 100;

    /// <summary>The histogram of how many newcomers each batched statement settled, on the platform's meter.</summary>
    public const string SizeName = "community.events.registration_batch.size";

    /// <summary>
    /// The newcomers waiting for their event's next batch, on the platform's meter (up and down); one whose request was
    /// aborted meanwhile counts until that batch is taken (and leaves them out).
    /// </summary>
    public const string WaitingName = "community.events.registration_batch.waiting";

    /// <summary>The unique index that allows one live registration per person and event.</summary>
    public const string RegistrationsLive = "registrations_live";

    private const int Attempts = 3;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly ILogger<JoinBatches> _logger;
    private readonly Histogram<int> _sizes;
    private readonly UpDownCounter<int> _waiting;
    private readonly BatchQueue<RegistrationTerms, Member> _queue;

    public JoinBatches(
        NpgsqlDataSource dataSource,
        TimeProvider clock,
        IMeterFactory meters,
        ILogger<JoinBatches> logger
    )
    {
        (_dataSource, _clock, _logger) = (dataSource, clock, logger);
        var meter = meters.Create(DiagnosticNames.Source);
        _sizes = meter.CreateHistogram<int>(
            SizeName,
            "{registration}",
            "Newcomers seated, waitlisted or refused by one batched registering statement"
        );
        _waiting = meter.CreateUpDownCounter<int>(
            WaitingName,
            "{registration}",
            "Newcomers waiting for the next batched registering statement of their event (aborted ones until it starts)"
        );
        _queue = new BatchQueue<RegistrationTerms, Member>(SettleAsync, Fail, Take);
    }

    /// <summary>
    /// Settles the newcomer in the next batch for the event's terms. <paramref name="seated"/> is their registration as
    /// it is written when it gets a seat (status, ticket code, hold expiry) and <paramref name="message"/> the message
    /// that says so.
    /// </summary>
    public async Task<BatchedJoinResult> JoinAsync(
        RegistrationTerms terms,
        Registration seated,
        OutboxMessage message,
        CancellationToken cancellationToken
    )
    {
        var member = new Member(seated, message, cancellationToken);
        _waiting.Add(1);
        _queue.Add(terms, member);
        return await member.Result.Task.WaitAsync(cancellationToken);
    }

    private void Fail(RegistrationTerms terms, List<Member> batch, Exception exception)
    {
        _logger.LogWarning(
            exception,
            "A batch of {Count} registrations for event {EventId} failed",
            batch.Count,
            terms.EventId
        );
        // Each waiting request gets its own exception (one object rethrown on many threads would mix their stack
        // traces).
        foreach (var member in batch)
            member.Result.TrySetException(new InvalidOperationException("Registering in a batch failed.", exception));
    }

    /// <summary>
    /// Runs the batch's statement. Someone in it who registered at the same moment elsewhere (another instance, or a
    /// batch built from other terms) makes it fail on <see cref="RegistrationsLive"/> once that registration commits,
    /// and nothing of the batch is kept; run again, the statement sees that registration and answers its owner
    /// Existing. Should that keep happening, each member is settled alone.
    /// </summary>
    private async Task SettleAsync(RegistrationTerms terms, List<Member> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAsync(terms, batch);
                return;
            }
            catch (PostgresException exception)
                when (exception is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: RegistrationsLive })
            {
                if (batch.Count == 1)
                {
                    batch[0].Result.TrySetResult(new BatchedJoinResult(BatchedJoin.Existing));
                    return;
                }
                if (attempt < Attempts)
                    continue;
                foreach (var member in batch)
                    await SettleAsync(terms, [member]);
                return;
            }
            // The database's capacity check refused the seats the statement counted: another change of the event's
            // seats raced it (seen in CI with cancellations and registrations on two instances). The statement, its own
            // transaction, left nothing behind; run again, it counts the seats as they are now. Raced every time, the
            // newcomers hear it as a transient fault is told: nothing was written, press again.
            catch (PostgresException exception)
                when (exception is { SqlState: PostgresErrorCodes.CheckViolation, ConstraintName: CapacityCheck })
            {
                if (attempt < Attempts)
                    continue;
                _logger.LogInformation(
                    "The seats of event {EventId} changed under {Count} registrations {Attempts} times; they are asked "
                        + "to try again",
                    terms.EventId,
                    batch.Count,
                    Attempts
                );
                foreach (var member in batch)
                    member.Result.TrySetException(
                        new ServiceUnavailableException(
                            "The event's seats changed while registering, each time it was tried; nothing was "
                                + "written. Try again.",
                            TimeSpan.FromSeconds(1)
                        )
                    );
                return;
            }
        }
    }

    private const string CapacityCheck = "community_events_capacity";

    /// <summary>
    /// Up to <see cref="MaxBatch"/> members in the order they came, one per person (a second press waits for the next
    /// batch); whoever stopped waiting (the request was aborted) is left out, so nobody is written who was never told.
    /// </summary>
    private List<Member> Take(List<Member> waiting)
    {
        var batch = new List<Member>(Math.Min(waiting.Count, MaxBatch));
        var users = new HashSet<Guid>();
        var later = new List<Member>();
        foreach (var member in waiting)
        {
            if (member.Cancellation.IsCancellationRequested)
                member.Result.TrySetCanceled(member.Cancellation);
            else if (batch.Count < MaxBatch && users.Add(member.Seated.UserId))
                batch.Add(member);
            else
                later.Add(member);
        }
        _waiting.Add(later.Count - waiting.Count);
        waiting.Clear();
        waiting.AddRange(later);
        return batch;
    }

    // $1 event, $2 now, $3 price (each row's amount), $4 currency, $5 waiting list, $6 visibility, $7 organizer, $8 a
    // seated row's status, $9 its message's type; then one element per newcomer, in arrival order: $10 registration
    // ids, $11 user ids, $12 pressed at, $13 ticket codes, $14 hold expiries, $15 message ids, $16 payloads, $17 trace
    // parents. "event" reads the terms with the lock the insert's foreign key takes anyway (FOR KEY SHARE), taken
    // before anything is written: a change of the event under way (its row held FOR UPDATE, as an edit holds it) is
    // waited for and its result read, so nobody is waitlisted under terms changed meanwhile (made private, list
    // closed).
    // "free" locks the event's row only when it may seat someone and reads the seats left once locked, with NO
    // KEY UPDATE (FOR UPDATE would deadlock with batches that only waitlist); "ranked" is materialised so the lock
    // comes before the insert draws sequences: a seated row is never behind one waitlisted meanwhile. A newcomer in a
    // block with the organizer ("blocked", read here so a registration stays one round trip) is neither seated nor
    // waitlisted; one who already registered keeps that registration. Nor is one a private event does not invite
    // ("uninvited", read from the locked row: an invitation taken back while the registration was on its way holds).
    // Nor one whose account was deleted ("erased", counted as blocked): their profile rows are held shared ("profile",
    // all of them before the event's row is locked: "event" counts them first) until the commit, and the erasure locks
    // that row before it reads their registrations (RegistrationEraser), so it either committed before and its
    // tombstone is read here, or it waits for this statement and cancels what it wrote.
    private const string Statement = """
        WITH profile AS MATERIALIZED (
            SELECT user_id, deleted_at IS NOT NULL AS erased FROM user_profiles WHERE user_id = ANY ($11) FOR SHARE),
        event AS (
            SELECT status = 'published' AND ends_at > $2 AND waitlist_enabled = $5 AND visibility = $6
                   AND organizer_id = $7 AND price_cents = $3 AND currency IS NOT DISTINCT FROM $4 AS matched,
                   capacity IS NULL OR seats_taken < capacity AS seat_free,
                   (SELECT min(sequence) FROM registrations WHERE event_id = $1 AND status = 'waitlisted') IS NOT NULL
                       AS someone_waits,
                   CASE WHEN visibility = 'private' THEN invited_user_ids END AS invited
            FROM community_events WHERE id = $1 AND (SELECT count(*) FROM profile) >= 0 FOR KEY SHARE),
        joiner AS (
            SELECT j.*, EXISTS (
                       SELECT 1 FROM registrations r
                       WHERE r.event_id = $1 AND r.user_id = j.user_id AND r.status IN ('held', 'confirmed',
                           'waitlisted')) AS existing,
                   coalesce((SELECT p.erased FROM profile p WHERE p.user_id = j.user_id), false) AS erased,
                   EXISTS (
                       SELECT 1 FROM user_blocks b
                       WHERE b.blocked AND ((b.blocker_user_id = j.user_id AND b.blocked_user_id = $7)
                           OR (b.blocker_user_id = $7 AND b.blocked_user_id = j.user_id)))
                   OR coalesce((SELECT p.erased FROM profile p WHERE p.user_id = j.user_id), false) AS blocked,
                   coalesce((SELECT e.invited IS NOT NULL AND j.user_id <> $7 AND NOT j.user_id = ANY (e.invited)
                             FROM event e), false) AS uninvited
            FROM unnest($10::uuid[], $11::uuid[], $12::timestamptz[], $13::text[], $14::timestamptz[], $15::uuid[],
                $16::jsonb[], $17::text[])
                 WITH ORDINALITY AS j(id, user_id, created_at, ticket_code, hold_expires_at, message_id, payload,
                     trace_parent, ord)),
        free AS MATERIALIZED (
            SELECT c.capacity - c.seats_taken AS seats FROM community_events c
            WHERE c.id = $1 AND c.status = 'published' AND c.ends_at > $2 AND c.waitlist_enabled = $5 AND c.visibility
                = $6
              AND c.organizer_id = $7 AND c.price_cents = $3 AND c.currency IS NOT DISTINCT FROM $4
              AND (c.capacity IS NULL OR c.seats_taken < c.capacity)
              AND NOT coalesce((SELECT someone_waits FROM event), true)
              AND EXISTS (SELECT 1 FROM joiner WHERE NOT existing AND NOT blocked AND NOT uninvited)
            FOR NO KEY UPDATE OF c),
        ranked AS MATERIALIZED (
            SELECT j.*, coalesce(NOT j.existing AND NOT j.blocked AND NOT j.uninvited AND f.found
                       AND (f.seats IS NULL
                           OR row_number() OVER (PARTITION BY j.existing OR j.blocked OR j.uninvited ORDER BY j.ord)
                               <= f.seats),
                           false) AS seated
            FROM joiner j LEFT JOIN (SELECT true AS found, seats FROM free) f ON true),
        seat AS (
            UPDATE community_events SET seats_taken = seats_taken + (SELECT count(*) FROM ranked WHERE seated)
            WHERE id = $1 AND EXISTS (SELECT 1 FROM ranked WHERE seated)),
        registration AS (
            INSERT INTO registrations (id, event_id, user_id, status, ticket_code, amount_cents, currency,
                hold_expires_at, created_at, updated_at, confirmed_at)
            SELECT r.id, $1, r.user_id, CASE WHEN r.seated THEN $8 ELSE 'waitlisted' END, CASE WHEN r.seated THEN
                r.ticket_code END, $3, $4,
                   CASE WHEN r.seated THEN r.hold_expires_at END, r.created_at, r.created_at,
                   CASE WHEN r.seated AND $8 = 'confirmed' THEN r.created_at END
            FROM ranked r LEFT JOIN event e ON true
            WHERE r.seated OR (e.matched AND $5 AND NOT r.existing AND NOT r.blocked AND NOT r.uninvited)
            ORDER BY r.ord
            RETURNING id, status),
        message AS (
            INSERT INTO outbox_messages (id, type, payload, occurred_at, trace_parent)
            SELECT r.message_id, $9, r.payload, r.created_at, r.trace_parent FROM ranked r WHERE r.seated ORDER BY
                r.ord)
        SELECT coalesce(e.matched, false) OR r.seated, coalesce(e.seat_free AND e.someone_waits, false),
               NOT r.seated AND EXISTS (SELECT 1 FROM registrations h WHERE h.event_id = $1 AND h.status = 'held' AND
                   h.hold_expires_at <= $2),
               r.existing, g.status, r.blocked, r.uninvited, r.erased
        FROM ranked r LEFT JOIN event e ON true LEFT JOIN registration g ON g.id = r.id
        ORDER BY r.ord
        """;

    private async Task RunAsync(RegistrationTerms terms, List<Member> batch)
    {
        await using var command = _dataSource.CreateCommand(Statement);
        var first = batch[0];
        command.Parameters.Add(Value(terms.EventId));
        command.Parameters.Add(Value<DateTimeOffset>(UtcTimestamps.AsStored(_clock.GetUtcNow())));
        command.Parameters.Add(Value(terms.PriceCents));
        command.Parameters.Add(Text(terms.Currency));
        command.Parameters.Add(Value(terms.WaitlistEnabled));
        command.Parameters.Add(Value(terms.Visibility));
        command.Parameters.Add(Value(terms.OrganizerId));
        command.Parameters.Add(Value(first.Seated.Status));
        command.Parameters.Add(Value(first.Message.Type));
        command.Parameters.Add(Value<Guid[]>([.. batch.Select(m => m.Seated.Id)]));
        command.Parameters.Add(Value<Guid[]>([.. batch.Select(m => m.Seated.UserId)]));
        command.Parameters.Add(Value<DateTimeOffset[]>([.. batch.Select(m => m.Seated.CreatedAt)]));
        command.Parameters.Add(Value<string?[]>([.. batch.Select(m => m.Seated.TicketCode)]));
        command.Parameters.Add(Value<DateTimeOffset?[]>([.. batch.Select(m => m.Seated.HoldExpiresAt)]));
        command.Parameters.Add(Value<Guid[]>([.. batch.Select(m => m.Message.Id)]));
        command.Parameters.Add(
            new NpgsqlParameter<string[]>
            {
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb,
                TypedValue = [.. batch.Select(m => m.Message.Payload)],
            }
        );
        command.Parameters.Add(Value<string?[]>([.. batch.Select(m => m.Message.TraceParent)]));
        var results = new List<BatchedJoinResult>(batch.Count);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (matched, seatWasFree, holdPastItsTime, existing, blocked, uninvited, erased) = (
                    reader.GetBoolean(0),
                    reader.GetBoolean(1),
                    reader.GetBoolean(2),
                    reader.GetBoolean(3),
                    reader.GetBoolean(5),
                    reader.GetBoolean(6),
                    reader.GetBoolean(7)
                );
                var status = reader.IsDBNull(4) ? null : reader.GetString(4);
                var outcome =
                    !matched ? BatchedJoin.TermsChanged
                    : existing ? BatchedJoin.Existing
                    : erased ? BatchedJoin.Erased
                    : blocked ? BatchedJoin.Blocked
                    : uninvited ? BatchedJoin.Uninvited
                    : status == RegistrationStatus.Waitlisted ? BatchedJoin.Waitlisted
                    : status is not null ? BatchedJoin.Seated
                    : BatchedJoin.Refused;
                results.Add(new BatchedJoinResult(outcome, seatWasFree, holdPastItsTime));
            }
        }
        _sizes.Record(batch.Count);
        if (
            results.Any(r => r.Outcome == BatchedJoin.Waitlisted && !r.SeatWasFree)
            && await SeatFreeAsync(terms.EventId)
        )
        {
            // A seat was freed while the statement ran (a cancellation committed after its snapshot), and whoever freed
            // it promoted before these rows were committed, finding nobody: the waitlisted members move the list up
            // themselves.
            for (var i = 0; i < results.Count; i++)
                if (results[i].Outcome == BatchedJoin.Waitlisted)
                    results[i] = results[i] with { SeatWasFree = true };
        }
        // Answered only once the statement (its own transaction) has committed, so a place read after it sees the rows.
        for (var i = 0; i < batch.Count; i++)
            batch[i].Result.TrySetResult(results[i]);
    }

    /// <summary>
    /// Whether the event has a free seat now, read after the batch's commit. Should the read fail, the members are
    /// answered with what was committed and the sweeper fills the seat (what was written must not be reported as a
    /// failure).
    /// </summary>
    private async Task<bool> SeatFreeAsync(Guid eventId)
    {
        try
        {
            await using var command = _dataSource.CreateCommand(
                "SELECT capacity IS NULL OR seats_taken < capacity FROM community_events WHERE id = $1"
            );
            command.Parameters.Add(Value(eventId));
            return await command.ExecuteScalarAsync() is true;
        }
        catch (NpgsqlException exception)
        {
            _logger.LogWarning(
                exception,
                "The seats of event {EventId} could not be read after a batch; the sweeper fills any left free",
                eventId
            );
            return false;
        }
    }

    private sealed class Member(Registration seated, OutboxMessage message, CancellationToken cancellation)
    {
        public CancellationToken Cancellation { get; } = cancellation;
        public Registration Seated { get; } = seated;
        public OutboxMessage Message { get; } = message;
        public TaskCompletionSource<BatchedJoinResult> Result { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
