using Community.Contracts.Payments;
using Community.Events.Courses;
using MassTransit;

namespace Community.Events.Registrations;

/// <summary>
/// A ticket's payment was refunded in full (a late payment, a cancelled event, an organizer's
/// refund): the registration ends as refunded, and a seat it still held goes to the waiting list.
/// Any refund, partial too, is recorded on the registration (one handled before the payment confirmed it, at the
/// confirmation), so event stats count revenue net of refunds. A course's
/// payment refunded in full ends its enrollment (<see cref="CourseRefundRules"/>).
/// </summary>
public sealed class PaymentRefundedConsumer(
    EventsDbContext db,
    SeatBook seats,
    TimeProvider clock,
    ILogger<PaymentRefundedConsumer> logger
) : IdempotentConsumer<PaymentRefunded, EventsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<PaymentRefunded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var registration = await Db
            .Registrations.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Id == m.ReferenceId, cancellationToken);
        if (registration is null)
        {
            if (await ErasedTicketRefundedAsync(m, cancellationToken))
                return;
            if (await CourseRefundRules.EndAsync(Db, m, clock.GetUtcNow(), cancellationToken))
                logger.LogInformation(
                    "Payment {PaymentId} was refunded in full: the course enrollment it bought ({EnrollmentId}) ended",
                    m.PaymentId,
                    m.ReferenceId
                );
            return;
        }
        if (m.TotalRefundedCents >= registration.AmountCents)
            _freedOn = await seats.MarkRefundedAsync(registration.Id, m.PaymentId, cancellationToken);
        await seats.RecordRefundTotalAsync(
            registration.Id,
            m.PaymentId,
            m.TotalRefundedCents,
            m.OccurredAt.ToUniversalTime(),
            cancellationToken
        );
    }

    /// <summary>
    /// The refund of a ticket whose holder's account was deleted since (its registration erased): its total is kept
    /// with what the ticket brought in, the latest as on a registration. Whether the payment was such a ticket's.
    /// </summary>
    private async Task<bool> ErasedTicketRefundedAsync(PaymentRefunded m, CancellationToken cancellationToken)
    {
        var asOf = m.OccurredAt.ToUniversalTime();
        await Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE erased_tickets
            SET refunded_cents = least({m.TotalRefundedCents}, amount_cents), refunds_as_of = {asOf}
            WHERE payment_id = {m.PaymentId} AND registration_id = {m.ReferenceId}
                AND (refunds_as_of IS NULL OR refunds_as_of <= {asOf})
            """,
            cancellationToken
        );
        return await Db
            .Database.SqlQuery<int>(
                $"""
                SELECT 1 AS "Value" FROM erased_tickets
                WHERE payment_id = {m.PaymentId} AND registration_id = {m.ReferenceId}
                """
            )
            .AnyAsync(cancellationToken);
    }

    /// <summary>The event whose seat the refund freed, promoted once that is committed.</summary>
    private Guid? _freedOn;

    // Inside the consumer's transaction, a promotion under way (the sweeper's, another refund's) would keep the seat
    // to itself, reading only committed seats: it would then wait for the sweeper.
    protected override async Task AfterCommitAsync(
        ConsumeContext<PaymentRefunded> context,
        CancellationToken cancellationToken
    )
    {
        if (_freedOn is not { } eventId)
            return;
        try
        {
            await seats.PromoteAsync(eventId, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(
                exception,
                "The seat refunded on event {EventId} is left to the waiting list's sweeper: promoting now failed",
                eventId
            );
        }
    }
}
