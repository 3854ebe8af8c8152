using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Dashboard;

/// <summary>A UTC day on which a member did something social sees (the streak counts these).</summary>
public sealed class ActivityDay
{
    public Guid UserId { get; set; }
    public DateOnly Day { get; set; }
}

/// <summary>A badge a member earned; kept once earned.</summary>
public sealed class EarnedBadge
{
    public Guid UserId { get; set; }
    public string Badge { get; set; } = "";
    public DateTimeOffset EarnedAt { get; set; }
}

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

public sealed class DashboardConfigurations
    : IEntityTypeConfiguration<ActivityDay>,
        IEntityTypeConfiguration<EarnedBadge>,
        IEntityTypeConfiguration<CourseEnrollment>
{
    public void Configure(EntityTypeBuilder<ActivityDay> e)
    {
        e.ToTable("activity_days");
        e.HasKey(d => new { d.UserId, d.Day });
    }

    public void Configure(EntityTypeBuilder<EarnedBadge> e)
    {
        e.ToTable("badges");
        e.HasKey(b => new { b.UserId, b.Badge });
    }

    public void Configure(EntityTypeBuilder<CourseEnrollment> e)
    {
        e.ToTable("course_enrollments");
        e.HasKey(c => new { c.UserId, c.CourseId });
    }
}
