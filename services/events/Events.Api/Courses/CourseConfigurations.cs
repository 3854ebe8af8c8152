using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Courses;

// The schema itself is Migrations/0003_courses.sql; these map it and tell EF how rows depend on each other.

public sealed class CourseConfiguration : IEntityTypeConfiguration<Course>
{
    public void Configure(EntityTypeBuilder<Course> course)
    {
        course.ToTable("courses");
        course.Ignore(c => c.IsFree);
        course.Property(c => c.Version).MapToXmin();
    }
}

public sealed class CourseModuleConfiguration : IEntityTypeConfiguration<CourseModule>
{
    public void Configure(EntityTypeBuilder<CourseModule> module)
    {
        module.ToTable("course_modules");
        module.HasOne<Course>().WithMany().HasForeignKey(m => m.CourseId).OnDelete(DeleteBehavior.Cascade);
        // (course_id, position) is unique in the database but deferrable (0006); EF left unaware of it lets an edit swap positions.
    }
}

public sealed class CourseEnrollmentConfiguration : IEntityTypeConfiguration<CourseEnrollment>
{
    public const string OnePerUser = "course_enrollments_one_per_user";

    public void Configure(EntityTypeBuilder<CourseEnrollment> enrollment)
    {
        enrollment.ToTable("course_enrollments");
        enrollment.Ignore(e => e.IsActive);
        enrollment.HasOne<Course>().WithMany().HasForeignKey(e => e.CourseId).OnDelete(DeleteBehavior.Cascade);
        enrollment.HasIndex(e => new { e.CourseId, e.UserId }).IsUnique().HasDatabaseName(OnePerUser);
    }
}

public sealed class ModuleProgressConfiguration : IEntityTypeConfiguration<ModuleProgress>
{
    public void Configure(EntityTypeBuilder<ModuleProgress> progress)
    {
        progress.ToTable("module_progress");
        progress.HasKey(p => new { p.EnrollmentId, p.ModuleId });
        progress
            .HasOne<CourseEnrollment>()
            .WithMany()
            .HasForeignKey(p => p.EnrollmentId)
            .OnDelete(DeleteBehavior.Cascade);
        progress.HasOne<CourseModule>().WithMany().HasForeignKey(p => p.ModuleId).OnDelete(DeleteBehavior.Cascade);
    }
}
