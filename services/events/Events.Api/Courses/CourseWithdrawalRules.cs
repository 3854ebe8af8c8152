using Community.Contracts.Events;

namespace Community.Events.Courses;

/// <summary>
/// How a course comes off sale, one way for its organizer's delete and a deleted organizer's account: deleted when
/// nobody enrolled, otherwise withdrawn (out of the list, closed to newcomers, kept by its active learners).
/// </summary>
public static class CourseWithdrawalRules
{
    /// <summary>
    /// Deletes or withdraws <paramref name="course"/>, tracked and with its row locked by the caller's transaction (an
    /// enroll meanwhile waits, so whether anyone is enrolled stays true until commit); the caller saves. A course
    /// withdrawn already is left as it is while a learner has it.
    /// </summary>
    public static async Task DeleteOrWithdrawAsync(
        EventsDbContext db,
        Course course,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        if (!await db.Set<CourseEnrollment>().AnyAsync(e => e.CourseId == course.Id, cancellationToken))
        {
            db.Set<Course>().Remove(course); // its modules go with it (on delete cascade)
            // Announced as a withdrawal (nobody's enrollment ends): what told people of the course takes it back.
            db.AddIntegrationEvent(
                new CourseWithdrawn(Guid.CreateVersion7(), now, course.Id, course.OrganizerId, course.Title, [])
            );
            return;
        }
        if (course.WithdrawnAt is not null)
            return;
        // Active learners keep the access they paid for, so no refund is owed. Unpaid enrollments end: a payment
        // still arriving for one finds nothing to confirm and is given back (PurchaseRejected).
        course.WithdrawnAt = now;
        course.UpdatedAt = now;
        var cancelled = await db
            .Database.SqlQuery<Guid>(
                $"""
                DELETE FROM course_enrollments WHERE course_id = {course.Id} AND status =
                    {EnrollmentStatus.PendingPayment} RETURNING id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        db.AddIntegrationEvent(
            new CourseWithdrawn(Guid.CreateVersion7(), now, course.Id, course.OrganizerId, course.Title, cancelled)
        );
    }
}
