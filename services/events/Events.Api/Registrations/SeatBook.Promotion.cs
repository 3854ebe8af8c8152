using Community.ServiceDefaults.Api;

namespace Community.Events.Registrations;

/// <summary>Giving free seats to the waiting list, and ending holds whose time is up.</summary>
public sealed partial class SeatBook
{
    /// <summary>
    /// The first key of the advisory locks that let one caller at a time promote an event (the second is the event's
    /// hash).
    /// </summary>
    private const int PromotionLocks = 14_001;

    /// <summary>
    /// Ends up to one batch of expired holds and gives their seats back, then fills the waiting lists of the events
    /// concerned. Of any event (<paramref name="eventId"/> null, the sweeper): holds another caller is ending are
    /// skipped, so sweepers on several instances never end one twice. Of one event (a registration finding it full):
    /// holds being ended elsewhere are waited for, so their seats are back when this returns. Returns how many holds
    /// ended here.
    /// </summary>
    public async Task<int> ReleaseExpiredHoldsAsync(
        Guid? eventId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        now = UtcTimestamps.AsStored(now);
        var ended = await db.InTransactionAsync(
            async ct =>
            {
                var holds = eventId is { } one
                    ? await db
                        .Registrations.FromSql(
                            $"""
                            SELECT * FROM registrations WHERE event_id = {one} AND status = 'held' AND hold_expires_at
                                <= {now}
                            ORDER BY hold_expires_at, id LIMIT {Batch} FOR UPDATE
                            """
                        )
                        .ToListAsync(ct)
                    : await db
                        .Registrations.FromSql(
                            $"""
                            SELECT * FROM registrations WHERE status = 'held' AND hold_expires_at <= {now}
                            ORDER BY hold_expires_at LIMIT {Batch} FOR UPDATE SKIP LOCKED
                            """
                        )
                        .ToListAsync(ct);
                foreach (var hold in holds)
                {
                    hold.Status = RegistrationStatus.Expired;
                    hold.UpdatedAt = now;
                }
                // Event rows in one order, so two sweepers ending holds of the same events cannot deadlock.
                var byEvent = holds
                    .GroupBy(h => h.EventId)
                    .OrderBy(g => g.Key)
                    .Select(g => (EventId: g.Key, Count: g.Count()))
                    .ToList();
                foreach (var (id, count) in byEvent)
                    await ReleaseSeatsAsync(id, count, ct);
                return byEvent;
            },
            cancellationToken
        );
        foreach (var (id, _) in ended)
            await PromoteAsync(id, cancellationToken);
        return ended.Sum(x => x.Count);
    }

    /// <summary>
    /// Events with a free seat and somebody waiting for it (after a capacity rise, or a promotion that lost a race).
    /// </summary>
    public Task<List<Guid>> EventsWithSeatsForTheWaitingAsync(
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT DISTINCT r.event_id AS "Value" FROM registrations r JOIN community_events e ON e.id = r.event_id
                WHERE r.status = 'waitlisted' AND e.status = 'published' AND e.ends_at > {now} AND (e.capacity IS NULL
                    OR e.seats_taken < e.capacity)
                LIMIT {Batch}
                """
            )
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Gives free seats to the head of the waiting list, a batch per short transaction, until none is free or nobody
    /// waits. One caller per event at a time (an advisory lock): one finding it taken leaves the seats to the holder,
    /// which reads the event again after each commit and so sees seats freed meanwhile. A waiter the event is no longer
    /// open to (made private without them, a block with its organizer) gets no seat: their place is cancelled as its
    /// holder's cancellation is, and the seat goes to the next in line.
    /// </summary>
    public Task PromoteAsync(Guid eventId, CancellationToken cancellationToken) =>
        PromoteAsync(eventId, waitForOthers: false, cancellationToken);

    /// <summary>
    /// <see cref="PromoteAsync(Guid, CancellationToken)"/>; with <paramref name="waitForOthers"/>, a promotion under
    /// way is waited for instead of left to finish (for a registration that answers with its own row's status after
    /// it).
    /// </summary>
    private async Task PromoteAsync(Guid eventId, bool waitForOthers, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            // Read outside a transaction: most callers find the event full and stop here.
            var now = Now();
            var e = await db
                .CommunityEvents.AsNoTracking()
                .FirstOrDefaultAsync(x => x.Id == eventId, cancellationToken);
            if (e is null || e.Status != EventStatus.Published || e.EndsAt <= now || !HasFreeSeat(e))
                return;
            var progress = await db.InTransactionAsync(
                async ct =>
                {
                    if (waitForOthers)
                        await db.Database.ExecuteSqlAsync(
                            $"SELECT pg_advisory_xact_lock({PromotionLocks}, hashtext({eventId}::text))",
                            ct
                        );
                    else if (
                        !await db
                            .Database.SqlQuery<bool>(
                                $"""
                                SELECT pg_try_advisory_xact_lock({PromotionLocks}, hashtext({eventId}::text)) AS "Value"
                                """
                            )
                            .SingleAsync(ct)
                    )
                        return Promotion.LeftToHolder;
                    var room = e.Capacity is { } capacity ? Math.Min(capacity - e.SeatsTaken, Batch) : Batch;
                    // In the list's order; a row someone else has (cancelling it, say) is waited for, never jumped.
                    var next = await db
                        .Registrations.FromSql(
                            $"""
                            SELECT * FROM registrations WHERE event_id = {eventId} AND status = 'waitlisted'
                            ORDER BY sequence LIMIT {room} FOR UPDATE
                            """
                        )
                        .ToListAsync(ct);
                    if (next.Count == 0)
                        return Promotion.NobodyWaited;
                    var closed = await ClosedToAsync(eventId, next, now, ct);
                    var seated = next.Count(r => !closed.Contains(r.Id));
                    if (seated > 0 && !await TakeSeatsAsync(eventId, seated, now, ct, unlessSomeoneWaits: false))
                    {
                        // Someone took seats meanwhile (the event's read was older than this transaction): look again.
                        // The rows stay tracked unchanged; a row the next round finds still waitlisted has changed in
                        // nothing promotion reads.
                        return Promotion.Retry;
                    }
                    // A waiter the event is closed to loses the place; the seats they leave go to the next round.
                    foreach (var registration in next)
                        if (closed.Contains(registration.Id))
                            Cancel(e, registration, now);
                        else
                            GiveSeat(e, registration, now);
                    return Promotion.Promoted;
                },
                cancellationToken
            );
            if (progress == Promotion.LeftToHolder)
                return;
            // Nobody waited as this transaction saw the list. Rows committed since (a batch's, whose own look at the
            // seats came before a seat was freed) are looked for once more, now that the lock is released: whoever
            // freed a seat while this caller held the lock left it to this caller.
            if (
                progress == Promotion.NobodyWaited
                && !await db.Registrations.AnyAsync(
                    r => r.EventId == eventId && r.Status == RegistrationStatus.Waitlisted,
                    cancellationToken
                )
            )
                return;
        }
    }

    /// <summary>
    /// Those of the <paramref name="waiting"/> (locked) to whom the event is no longer open, as a held seat's payment
    /// judges it (<see cref="ChangedSinceHeldAsync"/>): not visible to them, or in a block with its organizer. The
    /// event's row is locked last, as a seat's take locks it, so an edit under way is waited for; none of an event that
    /// takes no seats now.
    /// </summary>
    private async Task<HashSet<Guid>> ClosedToAsync(
        Guid eventId,
        List<Registration> waiting,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var ids = waiting.Select(r => r.Id).ToArray();
        var closed = await db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT r.id AS "Value"
                FROM (SELECT organizer_id, visibility, invited_user_ids FROM community_events
                      WHERE id = {eventId} AND status = 'published' AND ends_at > {now} FOR NO KEY UPDATE) e
                JOIN registrations r ON r.id = ANY ({ids})
                WHERE r.user_id <> e.organizer_id
                  AND ((e.visibility <> 'public' AND NOT r.user_id = ANY (e.invited_user_ids))
                    OR EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocked
                        AND ((b.blocker_user_id = r.user_id AND b.blocked_user_id = e.organizer_id)
                          OR (b.blocker_user_id = e.organizer_id AND b.blocked_user_id = r.user_id))))
                """
            )
            .ToListAsync(cancellationToken);
        return [.. closed];
    }

    private enum Promotion
    {
        LeftToHolder,
        NobodyWaited,
        Retry,
        Promoted,
    }
}
