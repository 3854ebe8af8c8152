using System.Security.Claims;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.Contracts.Events;
using Community.Events.Catalogue;
using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RequestSizeLimitAttribute = Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute;

namespace Community.Events.Courses;

/// <param name="Category">Courses in this category (any case).</param>
public sealed record CourseListQuery(
    string? Category,
    int? Page,
    [PageSize(PageLimits.DefaultLimit)] int? Limit,
    string? Cursor
);

public static partial class CoursesApi
{
    /// <summary>
    /// 100 modules of 20,000 characters (up to 3 UTF-8 bytes each) outgrow the platform's 1 MiB default.
    /// </summary>
    public const long MaxCourseBodyBytes = 8 * 1024 * 1024;

    private const string NoSuchCourse = "No course has this id.";

    public static RouteGroupBuilder MapCoursesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/courses")
            .DescribesPathParameter("id", "The course's id.")
            .WithTags("Courses")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Create)
            .RequireAuthorization(Policies.Organizer)
            .WithMetadata(new RequestSizeLimitAttribute(MaxCourseBodyBytes))
            .WithName("CreateCourse")
            .WithSummary("Create a course with its modules, in order (organizer or admin)");
        group
            .MapGet("", List)
            .WithName("ListCourses")
            .WithSummary("Browse courses, newest first, optionally in one category");
        group
            .MapGet("/{id:guid}", Get)
            .WithName("GetCourse")
            .AnswersETag()
            .WithSummary(
                "A course with its modules, whether I am enrolled and my progress (content for learners only)"
            );
        group
            .MapPatch("/{id:guid}", Update)
            .WithMetadata(new RequestSizeLimitAttribute(MaxCourseBodyBytes))
            .WithName("UpdateCourse")
            .HonoursIfMatch()
            .WithSummary(
                "Change a course (organizer or admin; JSON merge: absent keeps, null clears, modules replaces the list)"
            )
            .Accepts<CourseInput>("application/json")
            .ProducesProblem(409);
        group
            .MapDelete("/{id:guid}", Delete)
            .WithName("DeleteCourse")
            .WithSummary(
                "Delete a course nobody enrolled in; otherwise withdraw it (learners keep it, unpaid enrollments end)"
            );
        group
            .MapPost("/{id:guid}/enroll", Enroll)
            .WithName("EnrollInCourse")
            .WithSummary(
                "Enroll: 201 enrolled (free, or any course for the elite tier), 402 pending until paid, 200 already "
                    + "enrolled"
            )
            .ProducesPaymentRequired<CoursePaymentDue>();
        group
            .MapPost("/{id:guid}/progress", Progress)
            .WithName("UpdateCourseProgress")
            .WithSummary("Mark a module completed or not (active learners); answers my progress");
        return group;
    }

    private static async Task<Created<CourseDto>> Create(
        CourseInput input,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var (course, modules) = CourseRules.Create(
            input,
            principal.UserId(),
            UtcTimestamps.AsStored(clock.GetUtcNow())
        );
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // A course of an account erased meanwhile would outlive its erasure (OrganizerCoursesEraser).
        await ErasedAccounts.ThrowIfErasedAsync(db, course.OrganizerId, cancellationToken);
        db.Set<Course>().Add(course);
        db.Set<CourseModule>().AddRange(modules);
        // Listed from creation: this is when it becomes visible.
        db.AddIntegrationEvent(
            new CoursePublished(
                Guid.CreateVersion7(),
                course.CreatedAt,
                course.Id,
                course.OrganizerId,
                course.Title,
                course.Category
            )
        );
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created(
            $"/api/v1/courses/{course.Id}",
            CourseDto.From(course, modules, contentVisible: true, null, null)
        );
    }

    private static async Task<Ok<PageOf<CourseSummaryDto>>> List(
        [AsParameters] CourseListQuery query,
        ClaimsPrincipal principal,
        EventsDbContext db,
        IOptions<EventsOptions> options,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var start = NumberedCursor.Read(
            query.Page,
            query.Limit,
            query.Cursor,
            PageLimits.DefaultLimit,
            TimeAndId.Parse,
            errors
        );
        var category = FieldRules.Trimmed(query.Category)?.ToLowerInvariant();
        if (category is { Length: > 50 })
            errors.Add("category", "category must be 1-50 characters.");
        errors.ThrowIfAny();

        var courses = db.Set<Course>().AsNoTracking().Where(c => c.WithdrawnAt == null);
        if (category is not null)
            courses = courses.Where(c => c.Category == category);
        // Not the courses of organizers in a block with the caller, either way (admins, who moderate, see them all).
        List<Guid> hidden = principal.IsInRole(Roles.Admin)
            ? []
            : await UserBlockQueries.WithAsync(db, principal.UserId(), cancellationToken);
        if (hidden.Count > 0)
            courses = courses.Where(c => !hidden.Contains(c.OrganizerId));
        var modules = db.Set<CourseModule>();
        var (total, rows) = await db.TotalAndPageAsync(
            courses,
            options.Value.ExactTotalUpTo,
            listed =>
                listed
                    .NewestFirstPage(start)
                    .Select(c => new
                    {
                        Course = c,
                        Modules = modules.Count(m => m.CourseId == c.Id),
                        Minutes = modules.Where(m => m.CourseId == c.Id).Sum(m => m.DurationMinutes),
                    })
                    .ToListAsync(cancellationToken),
            cancellationToken
        );
        return TypedResults.Ok(
            start.Page.Of(
                rows,
                total,
                r => new TimeAndId(r.Course.CreatedAt, r.Course.Id).ToString(),
                r => CourseSummaryDto.From(r.Course, r.Modules, r.Minutes)
            )
        );
    }

    private static async Task<Ok<CourseDto>> Get(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        // The course (its version is the ETag) and its modules and progress from one snapshot: an edit between them
        // would answer new modules under the old version.
        var (course, details) = await db.InSnapshotAsync(
            async () =>
            {
                var course =
                    await db.Set<Course>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken)
                    ?? throw new NotFoundException(NoSuchCourse);
                return (course, await DetailsAsync(db, course, principal, cancellationToken));
            },
            cancellationToken
        );
        EntityTag.Set(response, course.Version);
        return TypedResults.Ok(details);
    }

    private static async Task<Ok<CourseDto>> Update(
        Guid id,
        JsonObject body,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        IOptions<JsonOptions> json,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var course = await ManagedAsync(db, id, principal, cancellationToken);
        // After who may change it (404, 403, as without If-Match); locked by ManagedAsync, so this version stays.
        EntityTag.Check(http.Request, course.Version);
        if (course.WithdrawnAt is not null)
            throw new ConflictException("A withdrawn course cannot be changed.");
        var current = await db.Set<CourseModule>()
            .Where(m => m.CourseId == id)
            .OrderBy(m => m.Position)
            .ToListAsync(cancellationToken);

        var merged = JsonMergePatch.Overlay(CourseRules.ToInput(course, current), body, json.Value.SerializerOptions);
        var anyoneEnrolled = await db.Set<CourseEnrollment>().AnyAsync(e => e.CourseId == id, cancellationToken);
        var edit = CourseRules.Edit(
            JsonMergePatch.Read<CourseInput>(merged, json.Value.SerializerOptions),
            course,
            current,
            anyoneEnrolled,
            clock.GetUtcNow()
        );
        if (edit.Changed.Count > 0)
        {
            course.UpdatedAt = UtcTimestamps.AsStored(clock.GetUtcNow());
            db.Set<CourseModule>().RemoveRange(edit.Removed);
            db.Set<CourseModule>().AddRange(edit.Added);
            // A reorder swaps positions row by row; they are unique again by commit.
            if (edit.Changed.Contains("modules"))
                await db.Database.ExecuteSqlRawAsync(
                    "SET CONSTRAINTS course_modules_position DEFERRED",
                    cancellationToken
                );
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        EntityTag.Set(http.Response, course.Version);
        return TypedResults.Ok(await DetailsAsync(db, course, principal, cancellationToken));
    }

    private static async Task<NoContent> Delete(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var course = await ManagedAsync(db, id, principal, cancellationToken);
        await CourseWithdrawalRules.DeleteOrWithdrawAsync(
            db,
            course,
            UtcTimestamps.AsStored(clock.GetUtcNow()),
            cancellationToken
        );
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The course as the caller sees it; a withdrawn one is 404 to all but its learners, its organizer and admins, and
    /// so is one whose organizer is in a block with the caller, either way, unless they enrolled before it.
    /// </summary>
    private static async Task<CourseDto> DetailsAsync(
        EventsDbContext db,
        Course course,
        ClaimsPrincipal principal,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var enrollment = await db.Set<CourseEnrollment>()
            .AsNoTracking()
            .FirstOrDefaultAsync(e => e.CourseId == course.Id && e.UserId == userId, cancellationToken);
        var managed = course.IsManagedBy(userId, principal.IsInRole(Roles.Admin));
        if (
            !IsVisible(course, managed, enrollment)
            || !managed
                && enrollment is null
                && await UserBlockQueries.BetweenAsync(db, userId, course.OrganizerId, cancellationToken)
        )
            throw new NotFoundException(NoSuchCourse);
        var modules = await ModulesAsync(db, course.Id, cancellationToken);
        var opens = CourseAccess.Opens(enrollment, principal.FindFirstValue(ClaimNames.Tier));
        var progress = opens ? await ProgressAsync(db, enrollment!.Id, modules, cancellationToken) : null;
        return CourseDto.From(course, modules, contentVisible: opens || managed, enrollment, progress);
    }

    private static bool IsVisible(Course course, bool managed, CourseEnrollment? enrollment) =>
        course.WithdrawnAt is null || managed || enrollment is { IsActive: true };

    /// <summary>
    /// The course, locked until the transaction ends, for a change by its organizer or an admin; others get 403 if
    /// they can see it, 404 if not, having locked nothing (a stranger's requests never hold up its organizer's or an
    /// enroll). An enroll meanwhile waits for the lock (it locks the row for share), so whether anyone is enrolled
    /// stays true until commit, and the enroll then reads the terms committed here.
    /// </summary>
    private static async Task<Course> ManagedAsync(
        EventsDbContext db,
        Guid id,
        ClaimsPrincipal principal,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var admin = principal.IsInRole(Roles.Admin);
        // the organizer is never changed, so the row locked here stays theirs
        var locked = await db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT id AS "Value" FROM courses WHERE id = {id} AND ({admin} OR organizer_id = {userId}) FOR UPDATE
                """
            )
            .ToListAsync(cancellationToken);
        if (locked.Count == 1)
            return await db.Set<Course>().FirstAsync(c => c.Id == id, cancellationToken);
        var course =
            await db.Set<Course>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken)
            ?? throw new NotFoundException(NoSuchCourse);
        var enrollment = await db.Set<CourseEnrollment>()
            .AsNoTracking()
            .FirstOrDefaultAsync(e => e.CourseId == id && e.UserId == userId, cancellationToken);
        // Not seen, or hidden by a block with its organizer (a learner enrolled before the block keeps it): 404, as its
        // page answers, so the block is not told by a 403.
        if (
            !IsVisible(course, managed: false, enrollment)
            || enrollment is null
                && await UserBlockQueries.BetweenAsync(db, userId, course.OrganizerId, cancellationToken)
        )
            throw new NotFoundException(NoSuchCourse);
        throw new ForbiddenException("Only the course's organizer or an admin may do this.");
    }

    private static Task<List<CourseModule>> ModulesAsync(
        EventsDbContext db,
        Guid courseId,
        CancellationToken cancellationToken
    ) =>
        db.Set<CourseModule>()
            .AsNoTracking()
            .Where(m => m.CourseId == courseId)
            .OrderBy(m => m.Position)
            .ToListAsync(cancellationToken);
}
