using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>A course a member enrolled in (events' CourseEnrolled).</summary>
public sealed class CourseEnrollment
{
    public Guid UserId { get; set; }
    public Guid CourseId { get; set; }
    public Guid EnrollmentId { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }

    /// <summary>Set by events' CourseCompleted; until then the course is in progress.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
}

internal sealed class CourseEnrollmentConfiguration : IEntityTypeConfiguration<CourseEnrollment>
{
    public void Configure(EntityTypeBuilder<CourseEnrollment> e) => e.HasKey(c => new { c.UserId, c.CourseId });
}
