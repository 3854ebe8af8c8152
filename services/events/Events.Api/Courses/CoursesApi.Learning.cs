using System.Security.Claims;
using Community.Contracts;
using Community.Contracts.Events;
using Community.Events.Users;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Events.Courses;

/// <summary>A learner's side of courses: enrolling, paying for an enrollment, marking modules completed.</summary>
public static partial class CoursesApi
{
    private static async Task<Results<Created<EnrollmentDto>, Ok<EnrollmentDto>, ProblemHttpResult>> Enroll(
        Guid id,
        ClaimsPrincipal principal,
        CourseEnrollments enrollments,
        CancellationToken cancellationToken
    )
    {
        var (enrollment, outcome) = await enrollments.EnrollAsync(
            id,
            principal.UserId(),
            principal.FindFirstValue(ClaimNames.Tier),
            principal.IsInRole(Roles.Admin),
            cancellationToken
        );
        if (!enrollment.IsActive)
            return NeedsPayment(enrollment);
        return outcome == EnrollOutcome.Activated
            ? TypedResults.Created($"/api/v1/courses/{id}", EnrollmentDto.From(enrollment))
            : TypedResults.Ok(EnrollmentDto.From(enrollment));
    }

    /// <summary>
    /// 402 with what the client needs to pay for the pending enrollment (the same each time it asks).
    /// </summary>
    public static ProblemHttpResult NeedsPayment(CourseEnrollment pending) =>
        ProblemResponses.PaymentRequired(
            "This course is paid; your enrollment becomes active once paid through POST /api/v1/payments/checkout.",
            new CoursePaymentDue(
                pending.Id,
                pending.CourseId,
                pending.Status,
                pending.PriceCents,
                pending.Currency,
                pending.PriceCredits,
                PaymentMethods(pending),
                new CheckoutReference(PaymentPurposes.Course, pending.Id)
            )
        );

    private static List<string> PaymentMethods(CourseEnrollment pending)
    {
        var methods = new List<string>();
        if (pending.PriceCents > 0)
            methods.Add(PaidWith.Money);
        if (pending.PriceCredits > 0)
            methods.Add(PaidWith.Credits);
        return methods;
    }

    private static async Task<Ok<UserProgressDto>> Progress(
        Guid id,
        ProgressInput input,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var moduleId = input.ModuleId.GetValueOrDefault();
        if (moduleId == Guid.Empty)
            errors.Add("module_id", "module_id is required.");
        if (input.Completed is null)
            errors.Add("completed", "completed is required (true or false).");
        errors.ThrowIfAny();

        var course =
            await db.Set<Course>()
                .AsNoTracking()
                .Where(c => c.Id == id)
                .Select(c => new { c.WithdrawnAt, c.OrganizerId })
                .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException(NoSuchCourse);
        var userId = principal.UserId();
        var enrollment = await db.Set<CourseEnrollment>()
            .AsNoTracking()
            .FirstOrDefaultAsync(e => e.CourseId == id && e.UserId == userId, cancellationToken);
        // Hidden by a block with its organizer from one never enrolled: 404, as its page answers, so the block is not
        // told by a 403. (An admin sees every course, and is told to enroll.)
        if (
            enrollment is null
            && !principal.IsInRole(Roles.Admin)
            && await UserBlockQueries.BetweenAsync(db, userId, course.OrganizerId, cancellationToken)
        )
            throw new NotFoundException(NoSuchCourse);
        if (enrollment is not { IsActive: true })
            throw NotLearning(course.WithdrawnAt, enrollment);
        if (!CourseAccess.Opens(enrollment, principal.FindFirstValue(ClaimNames.Tier)))
            throw new ForbiddenException(
                "Your elite tier included this course and you are no longer elite: renew elite, or enroll again to "
                    + "buy it."
            );
        var modules = await ModulesAsync(db, id, cancellationToken);
        if (modules.All(m => m.Id != moduleId))
            throw new RequestValidationException("module_id", "module_id is not a module of this course.");

        // Set-based and conflict-tolerant, so repeats and concurrent taps leave one row (the first completion time).
        if (input.Completed == true)
            await CompleteModuleAsync(
                db,
                enrollment,
                moduleId,
                course.WithdrawnAt,
                clock.GetUtcNow(),
                cancellationToken
            );
        else
            await db.Set<ModuleProgress>()
                .Where(p => p.EnrollmentId == enrollment.Id && p.ModuleId == moduleId)
                .ExecuteDeleteAsync(cancellationToken);

        return TypedResults.Ok(await ProgressAsync(db, enrollment.Id, modules, cancellationToken));
    }

    /// <summary>
    /// The refusal of a caller with no active enrollment: 404 once the course is withdrawn (as its page answers them),
    /// otherwise 403 saying what to do.
    /// </summary>
    private static DomainException NotLearning(DateTimeOffset? withdrawnAt, CourseEnrollment? enrollment) =>
        withdrawnAt is not null
            ? new NotFoundException(NoSuchCourse)
            : new ForbiddenException(
                enrollment is null ? "Enroll in this course first." : "Your enrollment is active once paid."
            );

    /// <summary>
    /// Records the module done and, when that completes the course for the first time, announces CourseCompleted in the
    /// same transaction. The enrollment row is locked first, so two last taps at once cannot both miss (or both see)
    /// the end.
    /// </summary>
    private static Task CompleteModuleAsync(
        EventsDbContext db,
        CourseEnrollment enrollment,
        Guid moduleId,
        DateTimeOffset? withdrawnAt,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        db.InTransactionAsync(
            async ct =>
            {
                // Read again under the lock: a full refund or an erasure since the read above left no row to record on.
                var locked = await db.Set<CourseEnrollment>()
                    .FromSql($"SELECT * FROM course_enrollments WHERE id = {enrollment.Id} FOR UPDATE")
                    .AsNoTracking()
                    .SingleOrDefaultAsync(ct);
                if (locked is not { IsActive: true })
                    throw NotLearning(withdrawnAt, locked);
                await db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO module_progress (enrollment_id, module_id, completed_at)
                    VALUES ({enrollment.Id}, {moduleId}, {now})
                    ON CONFLICT DO NOTHING
                    """,
                    ct
                );
                var completed = await db
                    .Database.SqlQuery<string>(
                        $"""
                        UPDATE course_enrollments e SET completed_at = {now}
                        FROM courses c
                        WHERE e.id = {enrollment.Id} AND c.id = e.course_id AND e.completed_at IS NULL
                          AND NOT EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = e.course_id
                                          AND NOT EXISTS (SELECT 1 FROM module_progress p WHERE p.enrollment_id = e.id
                                              AND p.module_id = m.id))
                        RETURNING c.title AS "Value"
                        """
                    )
                    .ToListAsync(ct);
                if (completed.Count == 1)
                    db.AddIntegrationEvent(
                        new CourseCompleted(
                            Guid.CreateVersion7(),
                            now,
                            enrollment.CourseId,
                            enrollment.Id,
                            enrollment.UserId,
                            completed[0]
                        )
                        {
                            OrganizerUserId = await db
                                .Courses.Where(c => c.Id == enrollment.CourseId)
                                .Select(c => c.OrganizerId)
                                .SingleAsync(ct),
                        }
                    );
                return completed.Count == 1;
            },
            cancellationToken
        );

    private static async Task<UserProgressDto> ProgressAsync(
        EventsDbContext db,
        Guid enrollmentId,
        IReadOnlyList<CourseModule> modules,
        CancellationToken cancellationToken
    )
    {
        var completed = await db.Set<ModuleProgress>()
            .Where(p => p.EnrollmentId == enrollmentId)
            .Select(p => p.ModuleId)
            .ToListAsync(cancellationToken);
        return UserProgressDto.From(modules, completed.ToHashSet());
    }
}
