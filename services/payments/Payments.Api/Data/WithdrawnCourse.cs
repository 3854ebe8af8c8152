using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>
/// A course taken off sale: none of its enrollments awaiting payment is sold any more, whenever its price is told
/// (a withdrawn course takes no new enrollment, so each told later is one the withdrawal ended).
/// </summary>
public sealed class WithdrawnCourse
{
    public Guid CourseId { get; set; }
    public DateTimeOffset WithdrawnAt { get; set; }
}

internal sealed class WithdrawnCourseConfiguration : IEntityTypeConfiguration<WithdrawnCourse>
{
    public void Configure(EntityTypeBuilder<WithdrawnCourse> e) => e.HasKey(c => c.CourseId);
}
