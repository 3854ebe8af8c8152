using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Data;

public static class EnrollmentStatus
{
    public const string PendingPayment = "pending_payment";
    public const string Active = "active";
    public static readonly string[] All = [PendingPayment, Active];
}

/// <summary>How an active paid enrollment was settled.</summary>
public static class PaidWith
{
    public const string Money = "money";
    public const string Credits = "credits";

    /// <summary>
    /// Included in the elite tier: no payment; usable while the learner is elite (see Courses/CourseAccess).
    /// </summary>
    public const string Elite = "elite";

    public static readonly string[] All = [Money, Credits, Elite];
}

/// <summary>A learner's one place in a course: pending until paid (paid courses), then active.</summary>
public sealed class CourseEnrollment
{
    public Guid Id { get; set; }
    public Guid CourseId { get; set; }
    public Guid UserId { get; set; }
    public string Status { get; set; } = EnrollmentStatus.PendingPayment;

    // The price when the learner enrolled: what a later payment must match.
    public long PriceCents { get; set; }
    public string? Currency { get; set; }
    public int? PriceCredits { get; set; }

    public string? PaidWith { get; set; }

    /// <summary>The payment, or the credits spend, that settled it; null for free courses.</summary>
    public Guid? PaymentId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }

    /// <summary>
    /// When every module was first completed (CourseCompleted went out then); modules added later do not reopen it.
    /// </summary>
    public DateTimeOffset? CompletedAt { get; set; }

    public bool IsActive => Status == EnrollmentStatus.Active;
}

/// <summary>A module the learner marked completed.</summary>
public sealed class ModuleProgress
{
    public Guid EnrollmentId { get; set; }
    public Guid ModuleId { get; set; }
    public DateTimeOffset CompletedAt { get; set; }
}

internal sealed class CourseEnrollmentConfiguration : IEntityTypeConfiguration<CourseEnrollment>
{
    public const string OnePerUser = "course_enrollments_one_per_user";

    public void Configure(EntityTypeBuilder<CourseEnrollment> enrollment)
    {
        enrollment.Ignore(e => e.IsActive);
        enrollment.HasOne<Course>().WithMany().HasForeignKey(e => e.CourseId).OnDelete(DeleteBehavior.Cascade);
        enrollment.HasIndex(e => new { e.CourseId, e.UserId }, OnePerUser).IsUnique();
        enrollment.HasIndex(e => e.UserId, "course_enrollments_user");
    }
}

internal sealed class ModuleProgressConfiguration : IEntityTypeConfiguration<ModuleProgress>
{
    public void Configure(EntityTypeBuilder<ModuleProgress> progress)
    {
        progress.HasKey(p => new { p.EnrollmentId, p.ModuleId });
        progress
            .HasOne<CourseEnrollment>()
            .WithMany()
            .HasForeignKey(p => p.EnrollmentId)
            .OnDelete(DeleteBehavior.Cascade);
        progress.HasOne<CourseModule>().WithMany().HasForeignKey(p => p.ModuleId).OnDelete(DeleteBehavior.Cascade);
    }
}
