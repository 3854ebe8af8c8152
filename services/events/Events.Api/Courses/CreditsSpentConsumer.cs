using Community.Contracts;
using Community.Contracts.Events;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.Events.Courses;

/// <summary>
/// Credits spent on a pending course enrollment activate it; a spend that does not match is answered with
/// PurchaseRejected under the spend id, so payments gives the credits back.
/// </summary>
public sealed class CreditsSpentConsumer(
    EventsDbContext db,
    CoursePaymentRules coursePayments,
    TimeProvider clock,
    ILogger<CreditsSpentConsumer> logger
) : IdempotentConsumer<CreditsSpent, EventsDbContext>(db, logger)
{
    protected override bool Concerns(CreditsSpent message) => message.Purpose == PaymentPurposes.Course;

    protected override async Task HandleAsync(ConsumeContext<CreditsSpent> context, CancellationToken cancellationToken)
    {
        var m = context.Message;

        var learner = await Db
            .CourseEnrollments.AsNoTracking()
            .Where(e => e.Id == m.ReferenceId)
            .Select(e => (Guid?)e.UserId)
            .FirstOrDefaultAsync(cancellationToken);
        string? rejection;
        if (learner is { } userId && userId != m.UserId)
            rejection = "The credits were spent by someone other than the learner.";
        else
        {
            var course = await coursePayments.ConfirmPaidAsync(
                m.ReferenceId,
                new CoursePaymentRules.CoursePayment.Credits(m.MessageId, m.Amount),
                cancellationToken
            );
            rejection = course.Outcome
                is CoursePaymentRules.CourseConfirmation.Rejected
                    or CoursePaymentRules.CourseConfirmation.NotFound
                ? course.Reason ?? course.Outcome.ToString()
                : null;
        }
        if (rejection is null)
            return;

        logger.LogWarning(
            "Credits spend {SpendId} on course enrollment {EnrollmentId} cannot be honoured: {Reason}",
            m.MessageId,
            m.ReferenceId,
            rejection
        );
        Db.AddIntegrationEvent(
            new PurchaseRejected(
                Guid.CreateVersion7(),
                clock.GetUtcNow(),
                m.MessageId,
                m.Purpose,
                m.ReferenceId,
                rejection
            )
        );
    }
}
