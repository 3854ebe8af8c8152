using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;

namespace Community.Events.Courses;

/// <summary>A course in a list: no modules, their count and total length instead.</summary>
public sealed record CourseSummaryDto(
    Guid Id,
    Guid OrganizerId,
    string Title,
    string Description,
    string Category,
    string? ImageUrl,
    long PriceCents,
    string? Currency,
    int? PriceCredits,
    bool IsFree,
    int TotalModules,
    int TotalDurationMinutes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt
)
{
    public static CourseSummaryDto From(Course c, int totalModules, int totalDurationMinutes) =>
        new(
            c.Id,
            c.OrganizerId,
            c.Title,
            c.Description,
            c.Category,
            c.ImageUrl,
            c.PriceCents,
            c.Currency,
            c.PriceCredits,
            c.IsFree,
            totalModules,
            totalDurationMinutes,
            c.CreatedAt,
            c.UpdatedAt
        );
}

/// <summary>
/// A course with its modules in order. Module content and video are for active learners, the
/// course's organizer and admins (ContentLocked tells the others why they are null). WithdrawnAt is
/// set once the course was withdrawn: only its learners, organizer and admins still read it.
/// </summary>
public sealed record CourseDto(
    Guid Id,
    Guid OrganizerId,
    string Title,
    string Description,
    string Category,
    string? ImageUrl,
    long PriceCents,
    string? Currency,
    int? PriceCredits,
    bool IsFree,
    int TotalModules,
    int TotalDurationMinutes,
    IReadOnlyList<CourseModuleDto> Modules,
    bool ContentLocked,
    bool IsEnrolled,
    [property: ValuesOf(typeof(EnrollmentStatus))] string? EnrollmentStatus,
    UserProgressDto? UserProgress,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? WithdrawnAt
)
{
    public static CourseDto From(
        Course c,
        IReadOnlyList<CourseModule> modules,
        bool contentVisible,
        CourseEnrollment? enrollment,
        UserProgressDto? progress
    ) =>
        new(
            c.Id,
            c.OrganizerId,
            c.Title,
            c.Description,
            c.Category,
            c.ImageUrl,
            c.PriceCents,
            c.Currency,
            c.PriceCredits,
            c.IsFree,
            modules.Count,
            modules.Sum(m => m.DurationMinutes),
            modules.Select(m => CourseModuleDto.From(m, contentVisible)).ToList(),
            !contentVisible,
            enrollment?.IsActive == true,
            enrollment?.Status,
            enrollment?.IsActive == true ? progress : null,
            c.CreatedAt,
            c.UpdatedAt,
            c.WithdrawnAt
        );
}

public sealed record CourseModuleDto(
    Guid Id,
    int Position,
    string Title,
    int DurationMinutes,
    string? Content,
    string? VideoUrl
)
{
    public static CourseModuleDto From(CourseModule m, bool contentVisible) =>
        new(
            m.Id,
            m.Position,
            m.Title,
            m.DurationMinutes,
            contentVisible ? m.Content : null,
            contentVisible ? m.VideoUrl : null
        );
}

/// <summary>
/// Progress is the whole percent of modules completed (rounded down, so 100 means all); the
/// current module is the first one in course order not completed yet, null once all are.
/// </summary>
public sealed record UserProgressDto(int Progress, IReadOnlyList<Guid> CompletedModules, Guid? CurrentModule)
{
    public static UserProgressDto From(IReadOnlyList<CourseModule> modulesInOrder, IReadOnlySet<Guid> completed)
    {
        var done = modulesInOrder.Where(m => completed.Contains(m.Id)).Select(m => m.Id).ToList();
        var progress = modulesInOrder.Count == 0 ? 0 : done.Count * 100 / modulesInOrder.Count;
        return new(progress, done, modulesInOrder.FirstOrDefault(m => !completed.Contains(m.Id))?.Id);
    }
}

public sealed record EnrollmentDto(
    Guid Id,
    Guid CourseId,
    Guid UserId,
    [property: ValuesOf(typeof(EnrollmentStatus))] string Status,
    long PriceCents,
    string? Currency,
    int? PriceCredits,
    [property: ValuesOf(typeof(PaidWith))] string? PaidWith,
    Guid? PaymentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ActivatedAt
)
{
    public static EnrollmentDto From(CourseEnrollment e) =>
        new(
            e.Id,
            e.CourseId,
            e.UserId,
            e.Status,
            e.PriceCents,
            e.Currency,
            e.PriceCredits,
            e.PaidWith,
            e.PaymentId,
            e.CreatedAt,
            e.ActivatedAt
        );
}

/// <summary>An enrollment waiting for payment: what a paid course's enroll answers with its 402.</summary>
/// <param name="EnrollmentId">The pending enrollment (the reference_id of a checkout or a credit spend).</param>
/// <param name="CourseId">The course.</param>
/// <param name="EnrollmentStatus">pending_payment.</param>
/// <param name="PriceCents">The price in minor units (0 when sold for credits only).</param>
/// <param name="Currency">ISO 4217 code, when sold for money.</param>
/// <param name="PriceCredits">The price in credits, when sold for credits.</param>
/// <param name="PaymentMethods">How it can be paid: money (the checkout), credits (POST /api/v1/credits/spend).</param>
/// <param name="Checkout">What to send to POST /api/v1/payments/checkout.</param>
public sealed record CoursePaymentDue(
    Guid EnrollmentId,
    Guid CourseId,
    string EnrollmentStatus,
    long PriceCents,
    string? Currency,
    int? PriceCredits,
    IReadOnlyList<string> PaymentMethods,
    CheckoutReference Checkout
);
