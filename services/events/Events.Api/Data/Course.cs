using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Data;

/// <summary>A self-paced course: an ordered list of modules, sold for money and/or credits, or free.</summary>
public sealed class Course : ICreatedRow
{
    public Guid Id { get; set; }

    /// <summary>The row's version (xmin): the course's ETag.</summary>
    public uint Version { get; set; }
    public Guid OrganizerId { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public string Category { get; set; } = "";
    public string? ImageUrl { get; set; }
    public long PriceCents { get; set; }
    public string? Currency { get; set; }

    /// <summary>Null: not sold for credits.</summary>
    public int? PriceCredits { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// Set when its organizer deleted it while people were enrolled: out of the list, no new
    /// learners, but those enrolled keep it (and their progress).
    /// </summary>
    public DateTimeOffset? WithdrawnAt { get; set; }

    public bool IsFree => PriceCents == 0 && PriceCredits is null or 0;

    public bool IsManagedBy(Guid userId, bool isAdmin) => isAdmin || OrganizerId == userId;
}

public sealed class CourseModule
{
    public Guid Id { get; set; }
    public Guid CourseId { get; set; }

    /// <summary>1-based place in the course, in the order the organizer gave.</summary>
    public int Position { get; set; }

    public string Title { get; set; } = "";
    public int DurationMinutes { get; set; }
    public string Content { get; set; } = "";
    public string? VideoUrl { get; set; }
}

internal sealed class CourseConfiguration : IEntityTypeConfiguration<Course>
{
    public void Configure(EntityTypeBuilder<Course> course)
    {
        course.Ignore(c => c.IsFree);
        course.Property(c => c.Version).MapToXmin();
        course.HasIndex(c => c.OrganizerId, "courses_organizer");
        // The list reads courses not withdrawn, newest first, optionally within one category.
        course
            .HasIndex(c => new { c.CreatedAt, c.Id }, "courses_newest")
            .IsDescending(true, true)
            .HasFilter("withdrawn_at IS NULL");
        course
            .HasIndex(
                c => new
                {
                    c.Category,
                    c.CreatedAt,
                    c.Id,
                },
                "courses_category"
            )
            .IsDescending(false, true, true)
            .HasFilter("withdrawn_at IS NULL");
    }
}

internal sealed class CourseModuleConfiguration : IEntityTypeConfiguration<CourseModule>
{
    public void Configure(EntityTypeBuilder<CourseModule> module)
    {
        module.HasOne<Course>().WithMany().HasForeignKey(m => m.CourseId).OnDelete(DeleteBehavior.Cascade);
        // Unique in the database but deferrable (0006): declared plain, as EF would order a swap of positions into a
        // cycle.
        module.HasIndex(m => new { m.CourseId, m.Position }, "course_modules_position");
    }
}
