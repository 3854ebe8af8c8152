using Community.Contracts;
using Community.Contracts.Events;
using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Npgsql;

namespace Community.Events.Courses;

public enum EnrollOutcome
{
    Existing,
    Activated,
    PendingPayment,
}

/// <summary>
/// Who takes which course. A learner has at most one enrollment per course (a unique constraint,
/// so concurrent enrolls converge on one row); free courses activate at once, paid ones wait
/// for <see cref="CoursePaymentRules.ConfirmPaidAsync"/> once money or credits arrived.
/// </summary>
public sealed class CourseEnrollments(EventsDbContext db, TimeProvider clock)
{
    /// <summary>Why an admin may not enroll in the course of an organizer in a block with them.</summary>
    public const string BlockedWithOrganizer =
        "You cannot enroll in a course whose organizer you blocked or who blocked you.";

    /// <summary>
    /// Enrolls the user, or finds their enrollment. <paramref name="tier"/> is the caller's token tier:
    /// elite includes every course, so a paid course activates at once (a pending enrollment too), and an
    /// enrollment elite opened goes back to pending payment when a learner no longer elite enrolls again
    /// (their progress stays). Saves on its own; not for use inside another transaction.
    /// </summary>
    public async Task<(CourseEnrollment Enrollment, EnrollOutcome Outcome)> EnrollAsync(
        Guid courseId,
        Guid userId,
        string? tier,
        bool isAdmin,
        CancellationToken cancellationToken
    )
    {
        var elite = CourseAccess.IncludesAllCourses(tier);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The learner's profile row before the course's, the order their erasure takes them in (CourseLearnerEraser
        // then finds this enrollment, or it finds the tombstone).
        await ErasedAccounts.ThrowIfErasedAsync(db, userId, cancellationToken);
        // Then locked for share, so a price change or withdrawal under way commits before the terms are read.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM courses WHERE id = {courseId} FOR SHARE", cancellationToken);
        var course =
            await db.Set<Course>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == courseId, cancellationToken)
            ?? throw new NotFoundException("No course has this id.");
        var existing = await FindAsync(courseId, userId, cancellationToken);
        // A withdrawn course is its learners' only: they still find their enrollment, nobody else may join.
        if (course.WithdrawnAt is not null)
            return existing is { IsActive: true }
                ? (existing, EnrollOutcome.Existing)
                : throw new NotFoundException("No course has this id.");
        if (existing is not null)
        {
            var settled = await SettleByTierAsync(course, existing, elite, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return settled;
        }
        // A learner who enrolled before a block keeps the course; nobody new joins across one, and is answered as the
        // course's page answers them (404): a block is not told. An admin, who sees every course, is told why.
        if (await UserBlockQueries.BetweenAsync(db, userId, course.OrganizerId, cancellationToken))
            throw isAdmin
                ? new ForbiddenException(BlockedWithOrganizer)
                : new NotFoundException("No course has this id.");

        var now = clock.GetUtcNow();
        var enrollment = new CourseEnrollment
        {
            Id = NewId.Next(now),
            CourseId = course.Id,
            UserId = userId,
            PriceCents = course.PriceCents,
            Currency = course.Currency,
            PriceCredits = course.PriceCredits,
            CreatedAt = now,
        };
        db.Set<CourseEnrollment>().Add(enrollment);
        if (course.IsFree || elite)
        {
            Activate(db, enrollment, now, paidWith: course.IsFree ? null : PaidWith.Elite, paymentId: null);
        }
        else
        {
            enrollment.Status = EnrollmentStatus.PendingPayment;
            db.AddIntegrationEvent(
                new CourseEnrollmentPending(
                    Guid.CreateVersion7(),
                    now,
                    enrollment.Id,
                    course.Id,
                    userId,
                    enrollment.PriceCents,
                    enrollment.Currency,
                    enrollment.PriceCredits,
                    course.OrganizerId
                )
            );
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException exception)
            when (exception.InnerException
                    is PostgresException
                    {
                        SqlState: PostgresErrorCodes.UniqueViolation,
                        ConstraintName: CourseEnrollmentConfiguration.OnePerUser
                    }
            )
        {
            // A concurrent enroll of the same user won; SaveChanges rolled back to its savepoint, so nothing of ours
            // was written and the transaction reads on: answer with theirs.
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
                entry.State = EntityState.Detached;
            var winner =
                await FindAsync(courseId, userId, cancellationToken)
                ?? throw new InvalidOperationException("The enrollment that won the race is gone.");
            return (winner, EnrollOutcome.Existing);
        }
        catch (DbUpdateException exception)
            when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            // The course was deleted while we enrolled.
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
                entry.State = EntityState.Detached;
            throw new NotFoundException("No course has this id.");
        }
        return (enrollment, enrollment.IsActive ? EnrollOutcome.Activated : EnrollOutcome.PendingPayment);
    }

    /// <summary>
    /// An existing enrollment as the caller's tier leaves it: pending becomes active for an elite learner;
    /// one elite opened goes back to pending payment for a learner no longer elite. Each change is one
    /// conditional update, so it races neither a payment's confirmation (which then finds it active and
    /// is refunded) nor a concurrent enroll; it commits with its outbox row (CourseEnrolled or
    /// CourseEnrollmentPending) or not at all, so a failure between the two never changes the enrollment unheard.
    /// </summary>
    private async Task<(CourseEnrollment, EnrollOutcome)> SettleByTierAsync(
        Course course,
        CourseEnrollment existing,
        bool elite,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        if (elite && existing.Status == EnrollmentStatus.PendingPayment)
            return await db.InTransactionAsync(
                async ct =>
                {
                    var activated = await db.Set<CourseEnrollment>()
                        .Where(e => e.Id == existing.Id && e.Status == EnrollmentStatus.PendingPayment)
                        .ExecuteUpdateAsync(
                            set =>
                                set.SetProperty(e => e.Status, EnrollmentStatus.Active)
                                    .SetProperty(e => e.PaidWith, PaidWith.Elite)
                                    .SetProperty(e => e.ActivatedAt, now),
                            ct
                        );
                    await db.Entry(existing).ReloadAsync(ct);
                    if (activated == 0)
                        return (existing, EnrollOutcome.Existing);
                    db.AddIntegrationEvent(Enrolled(existing, now));
                    return (existing, EnrollOutcome.Activated);
                },
                cancellationToken
            );
        if (!elite && existing is { Status: EnrollmentStatus.Active, PaidWith: PaidWith.Elite })
            return await db.InTransactionAsync(
                async ct =>
                {
                    var reopened = await db.Set<CourseEnrollment>()
                        .Where(e =>
                            e.Id == existing.Id && e.Status == EnrollmentStatus.Active && e.PaidWith == PaidWith.Elite
                        )
                        .ExecuteUpdateAsync(
                            set =>
                                set.SetProperty(e => e.Status, EnrollmentStatus.PendingPayment)
                                    .SetProperty(e => e.PaidWith, (string?)null)
                                    .SetProperty(e => e.ActivatedAt, (DateTimeOffset?)null),
                            ct
                        );
                    await db.Entry(existing).ReloadAsync(ct);
                    if (reopened == 0)
                        return (existing, EnrollOutcome.Existing);
                    // Payments learns the price again (it keeps the first one it heard of, which is the same: the
                    // enrollment's).
                    db.AddIntegrationEvent(
                        new CourseEnrollmentPending(
                            Guid.CreateVersion7(),
                            now,
                            existing.Id,
                            course.Id,
                            existing.UserId,
                            existing.PriceCents,
                            existing.Currency,
                            existing.PriceCredits,
                            course.OrganizerId
                        )
                    );
                    return (existing, EnrollOutcome.PendingPayment);
                },
                cancellationToken
            );
        return (existing, EnrollOutcome.Existing);
    }

    private Task<CourseEnrollment?> FindAsync(Guid courseId, Guid userId, CancellationToken cancellationToken) =>
        db.Set<CourseEnrollment>()
            .FirstOrDefaultAsync(e => e.CourseId == courseId && e.UserId == userId, cancellationToken);

    internal static void Activate(
        EventsDbContext db,
        CourseEnrollment enrollment,
        DateTimeOffset now,
        string? paidWith,
        Guid? paymentId
    )
    {
        enrollment.Status = EnrollmentStatus.Active;
        enrollment.ActivatedAt = now;
        enrollment.PaidWith = paidWith;
        enrollment.PaymentId = paymentId;
        db.AddIntegrationEvent(Enrolled(enrollment, now));
    }

    /// <summary>
    /// The event carries what was paid: money, credits, or nothing for a free course or one the elite tier includes.
    /// </summary>
    private static CourseEnrolled Enrolled(CourseEnrollment enrollment, DateTimeOffset now) =>
        new(
            Guid.CreateVersion7(),
            now,
            enrollment.CourseId,
            enrollment.Id,
            enrollment.UserId,
            enrollment.PaidWith == PaidWith.Money ? enrollment.PriceCents : 0,
            enrollment.PaidWith == PaidWith.Money ? enrollment.Currency : null,
            enrollment.PaidWith == PaidWith.Credits ? enrollment.PriceCredits : null
        );
}

/// <summary>
/// Who may use a course's content: active learners, and for an enrollment the elite tier opened, only while elite.
/// </summary>
public static class CourseAccess
{
    /// <summary>The elite tier includes all courses (seed 003's tiers).</summary>
    public static bool IncludesAllCourses(string? tier) => tier == Tiers.Elite;

    public static bool Opens(CourseEnrollment? enrollment, string? tier) =>
        enrollment is { IsActive: true } && (enrollment.PaidWith != PaidWith.Elite || IncludesAllCourses(tier));
}
