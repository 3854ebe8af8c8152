using Community.Contracts.Events;
using Community.Contracts.Payments;

namespace Community.Events.Courses;

/// <summary>
/// A course's payment refunded in full takes back what it bought, as a ticket's does: the enrollment ends, its progress
/// with it, and CourseEnrollmentEnded tells the dashboard. A refund handled before its payment ends the pending
/// enrollment, so the payment then finds nothing to activate (and its settlement is refused, refunding nothing more).
/// Partial refunds, refunds of some other payment, and refunds of a payment the enrollment refused change nothing.
/// </summary>
public static class CourseRefundRules
{
    /// <summary>True when <paramref name="m"/> was a refund of the enrollment it names (ended now).</summary>
    public static async Task<bool> EndAsync(
        EventsDbContext db,
        PaymentRefunded m,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        // Locked as a payment's confirmation locks it (CoursePaymentRules), so the two take turns.
        var locked = await db
            .Database.SqlQuery<Guid>(
                $"SELECT id AS \"Value\" FROM course_enrollments WHERE id = {m.ReferenceId} FOR UPDATE"
            )
            .ToListAsync(cancellationToken);
        if (locked.Count == 0)
            return false;
        var enrollment = await db.Set<CourseEnrollment>()
            .AsNoTracking()
            .FirstAsync(e => e.Id == m.ReferenceId, cancellationToken);
        var boughtByIt = enrollment.IsActive
            ? enrollment.PaidWith == PaidWith.Money && enrollment.PaymentId == m.PaymentId
            : enrollment.UserId == m.UserId
                && string.Equals(enrollment.Currency, m.Currency, StringComparison.OrdinalIgnoreCase)
                // A payment this enrollment refused bought nothing of it: its refund is only the money back.
                && !await db.RefusedCoursePayments.AnyAsync(p => p.PaymentId == m.PaymentId, cancellationToken);
        if (!boughtByIt || enrollment.PriceCents <= 0 || m.TotalRefundedCents < enrollment.PriceCents)
            return false;
        await db.Set<CourseEnrollment>().Where(e => e.Id == enrollment.Id).ExecuteDeleteAsync(cancellationToken);
        if (enrollment.IsActive)
            db.AddIntegrationEvent(
                new CourseEnrollmentEnded(
                    Guid.CreateVersion7(),
                    now,
                    enrollment.CourseId,
                    enrollment.Id,
                    enrollment.UserId,
                    "refunded"
                )
            );
        return true;
    }
}
