using Community.Contracts;
using Community.Contracts.Events;
using Community.Contracts.Payments;
using Community.Events.Courses;
using Community.Events.Data;
using Community.Events.Registrations;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Payments;

/// <summary>
/// The paid-ticket saga's events side: a settled payment confirms the held registration (or the
/// pending course enrollment) and issues the ticket; if the seat is gone, PurchaseRejected asks
/// payments to refund. Redelivered messages are handled once (inbox), and the confirmation itself
/// is idempotent per payment.
/// </summary>
public sealed class PaymentSucceededConsumer(
    EventsDbContext db,
    SeatBook seats,
    CourseEnrollments enrollments,
    TimeProvider clock,
    ILogger<PaymentSucceededConsumer> logger
) : IdempotentConsumer<PaymentSucceeded, EventsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<PaymentSucceeded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        string? rejection = null;
        switch (m.Purpose)
        {
            case PaymentPurposes.EventRegistration:
                var ticket = await seats.ConfirmPaidAsync(
                    m.ReferenceId,
                    m.PaymentId,
                    m.AmountCents,
                    m.Currency,
                    cancellationToken
                );
                if (ticket.Outcome is PaidConfirmation.SeatGone or PaidConfirmation.NotFound)
                    rejection = ticket.Reason ?? ticket.Outcome.ToString();
                break;
            case PaymentPurposes.Course:
                var course = await enrollments.ConfirmPaidAsync(
                    m.ReferenceId,
                    new CoursePayment.Money(m.PaymentId, m.AmountCents, m.Currency),
                    cancellationToken
                );
                if (course.Outcome is CourseConfirmation.Rejected or CourseConfirmation.NotFound)
                    rejection = course.Reason ?? course.Outcome.ToString();
                break;
            default:
                return;
        }
        if (rejection is not null)
        {
            logger.LogWarning(
                "Payment {PaymentId} for {Purpose} {ReferenceId} cannot be honoured: {Reason}",
                m.PaymentId,
                m.Purpose,
                m.ReferenceId,
                rejection
            );
            Db.AddIntegrationEvent(
                new PurchaseRejected(
                    Guid.CreateVersion7(),
                    clock.GetUtcNow(),
                    m.PaymentId,
                    m.Purpose,
                    m.ReferenceId,
                    rejection
                )
            );
        }
    }
}

/// <summary>
/// A ticket's payment was refunded in full (a late payment, a cancelled event, an organizer's
/// refund): the registration ends as refunded, and a seat it still held goes to the waiting list.
/// Any refund, partial too, is recorded on the registration, so event stats count revenue net of refunds.
/// </summary>
public sealed class PaymentRefundedConsumer(EventsDbContext db, SeatBook seats, ILogger<PaymentRefundedConsumer> logger)
    : IdempotentConsumer<PaymentRefunded, EventsDbContext>(db, logger)
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
            return;
        if (m.TotalRefundedCents >= registration.AmountCents)
            await seats.MarkRefundedAsync(registration.Id, m.PaymentId, cancellationToken);
        await seats.RecordRefundTotalAsync(
            registration.Id,
            m.PaymentId,
            m.TotalRefundedCents,
            m.OccurredAt.ToUniversalTime(),
            cancellationToken
        );
    }
}
