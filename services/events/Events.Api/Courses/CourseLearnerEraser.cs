using Community.Contracts.Identity;

namespace Community.Events.Courses;

/// <summary>
/// A deleted account's enrollments go, and their module progress with them (on delete cascade).
/// Courses the user created are <see cref="OrganizerCoursesEraser"/>'s: learners who paid for them keep them.
/// </summary>
public sealed class CourseLearnerEraser(EventsDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        await db.CourseEnrollments.Where(e => e.UserId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
}
