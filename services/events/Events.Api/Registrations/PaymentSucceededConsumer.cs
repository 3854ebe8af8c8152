using Community.Contracts;
using Community.Contracts.Events;
using Community.Contracts.Payments;
using Community.Events.Courses;
using MassTransit;

namespace Community.Events.Registrations;

/// <summary>
/// The paid-ticket saga's events side: a settled payment confirms the held registration (or the pending course
/// enrollment); when the seat is gone, PurchaseRejected asks payments to refund.
/// </summary>
public sealed class PaymentSucceededConsumer(
    EventsDbContext db,
    SeatBook seats,
    CoursePaymentRules coursePayments,
    TimeProvider clock,
    ILogger<PaymentSucceededConsumer> logger
) : IdempotentConsumer<PaymentSucceeded, EventsDbContext>(db, logger)
{
    protected override bool Concerns(PaymentSucceeded message) =>
        message.Purpose is PaymentPurposes.EventRegistration or PaymentPurposes.Course;

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
                    m.OccurredAt,
                    cancellationToken
                );
                if (ticket.Outcome is PaidConfirmation.SeatGone or PaidConfirmation.NotFound)
                    rejection = ticket.Reason ?? ticket.Outcome.ToString();
                break;
            case PaymentPurposes.Course:
                var course = await coursePayments.ConfirmPaidAsync(
                    m.ReferenceId,
                    new CoursePaymentRules.CoursePayment.Money(m.PaymentId, m.AmountCents, m.Currency),
                    cancellationToken
                );
                if (
                    course.Outcome
                    is CoursePaymentRules.CourseConfirmation.Rejected
                        or CoursePaymentRules.CourseConfirmation.NotFound
                )
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
