using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Data;

/// <summary>
/// A money payment a course enrollment refused (<see cref="Courses.CoursePaymentRules"/>: the enrollment was active
/// through another payment or the elite tier, its course withdrawn, or the amount not its price). Payments refunds it,
/// and that refund gives back what it paid, nothing of the enrollment's: without this row, one reaching an enrollment
/// that went back to pending meanwhile (its learner's elite tier lapsed) would end it, progress and all.
/// </summary>
public sealed class RefusedCoursePayment
{
    public Guid PaymentId { get; set; }
    public Guid EnrollmentId { get; set; }
    public DateTimeOffset RefusedAt { get; set; }
}

internal sealed class RefusedCoursePaymentConfiguration : IEntityTypeConfiguration<RefusedCoursePayment>
{
    public void Configure(EntityTypeBuilder<RefusedCoursePayment> e)
    {
        e.HasKey(p => p.PaymentId);
        // Gone with the enrollment (its refund, its learner's erasure).
        e.HasOne<CourseEnrollment>().WithMany().HasForeignKey(p => p.EnrollmentId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(p => p.EnrollmentId, "refused_course_payments_enrollment");
    }
}
