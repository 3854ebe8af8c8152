using Community.Contracts.Identity;
using Community.Events.Catalogue;
using Community.ServiceDefaults.Api;

namespace Community.Events.Registrations;

/// <summary>
/// A deleted account's registrations go; the seats they held go to the waiting lists, and what they counted in their
/// events' stats stays there (money and arrivals). Its id goes from what else names it: other events' invitations, and
/// the arrivals it checked in (the arrival stays, who recorded it does not).
/// </summary>
public sealed class RegistrationEraser(EventsDbContext db, SeatBook seats, TimeProvider clock) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        // The arrivals they checked in lose their name first, while no event row is held: registration rows before
        // event rows, the order a cancellation (SeatBook) and a check-in lock them in. A check-in under way committed
        // before the erasure's gate closed (UserDeletedConsumer), so its arrival is among them.
        await db
            .Registrations.Where(r => r.CheckedInBy == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.CheckedInBy, (Guid?)null), cancellationToken);
        // The account's profile row before their registrations: a registration of theirs on its way holds it shared
        // until it commits, so it is waited for and its row found below; one that comes after reads the tombstone and
        // writes nothing (JoinBatches). After the events they organise, which such a registration (or photo) may hold
        // already.
        await CancellationRules.LockOrganisedAsync(db, userId, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM user_profiles WHERE user_id = {userId} FOR UPDATE",
            cancellationToken
        );
        var eventIds = await db
            .Registrations.Where(r => r.UserId == userId)
            .Select(r => r.EventId)
            .Distinct()
            // Event rows in id order, as the hold sweeper locks them, so the two never wait for each other's event
            // rows in a cycle. (A hold of theirs the sweeper claimed while this holds an earlier event's row still
            // can: PostgreSQL ends one side and both are retried.)
            .OrderBy(id => id)
            .ToListAsync(cancellationToken);
        foreach (var eventId in eventIds)
        {
            var freed = await db.InTransactionAsync(
                async ct =>
                {
                    var e = await db.CommunityEvents.AsNoTracking().FirstAsync(x => x.Id == eventId, ct);
                    var now = UtcTimestamps.AsStored(clock.GetUtcNow());
                    var registrations = await db
                        .Registrations.FromSql(
                            $"SELECT * FROM registrations WHERE event_id = {eventId} AND user_id = {userId} FOR UPDATE"
                        )
                        .ToListAsync(ct);
                    var freed = registrations.Count(r => r.HoldsSeat);
                    foreach (var registration in registrations)
                    {
                        // Kept as it counted before its seat is cancelled: an arrival at an event under way too.
                        await KeepForStatsAsync(registration, ct);
                        if (RegistrationStatus.Live.Contains(registration.Status) && e.EndsAt > now)
                            seats.Cancel(e, registration, now);
                        db.Registrations.Remove(registration);
                    }
                    if (freed > 0)
                        await seats.ReleaseSeatsAsync(eventId, freed, ct);
                    return freed;
                },
                cancellationToken
            );
            if (freed > 0)
                await seats.PromoteAsync(eventId, cancellationToken);
        }

        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE community_events SET invited_user_ids = array_remove(invited_user_ids, {userId})
            WHERE {userId} = ANY(invited_user_ids)
            """,
            cancellationToken
        );
    }

    /// <summary>
    /// What the organizer's stats count of <paramref name="registration"/> (locked, before its seat is cancelled)
    /// outlives it, with nothing of whose it was: a paid ticket's money (a refund of it landing later is counted by
    /// its payment: <see cref="PaymentRefundedConsumer"/>), and an arrival still confirmed. The registration's event
    /// row is written after its registration rows are locked, the order SeatBook takes them in.
    /// </summary>
    private async Task KeepForStatsAsync(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.PaymentId is { } paymentId)
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO erased_tickets
                    (payment_id, registration_id, event_id, currency, amount_cents, refunded_cents, refunds_as_of)
                VALUES ({paymentId}, {registration.Id}, {registration.EventId}, {registration.Currency},
                    {registration.AmountCents}, {registration.RefundedCents}, {registration.RefundsAsOf})
                ON CONFLICT (payment_id) DO NOTHING
                """,
                cancellationToken
            );
        if (registration.ArrivedAt is not null && registration.Status == RegistrationStatus.Confirmed)
            await db.Database.ExecuteSqlAsync(
                $"UPDATE community_events SET erased_arrivals = erased_arrivals + 1 WHERE id = {registration.EventId}",
                cancellationToken
            );
    }
}
