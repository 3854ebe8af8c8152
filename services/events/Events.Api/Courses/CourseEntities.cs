namespace Community.Events.Courses;

public static class EnrollmentStatus
{
    public const string PendingPayment = "pending_payment";
    public const string Active = "active";
}

/// <summary>How an active paid enrollment was settled.</summary>
public static class PaidWith
{
    public const string Money = "money";
    public const string Credits = "credits";

    /// <summary>Included in the elite tier: no payment; usable while the learner is elite (see <see cref="CourseAccess"/>).</summary>
    public const string Elite = "elite";
}

/// <summary>A self-paced course: an ordered list of modules, sold for money and/or credits, or free.</summary>
public sealed class Course
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

    /// <summary>When every module was first completed (CourseCompleted went out then); modules added later do not reopen it.</summary>
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
