using Community.Events.Data;
using Community.Events.Users;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Courses;

/// <summary>
/// A deleted account's enrollments go, and their module progress with them (on delete cascade).
/// Courses the user created stay: learners who paid for them keep them.
/// </summary>
public sealed class CourseLearnerEraser(EventsDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Set<CourseEnrollment>().Where(e => e.UserId == userId).ExecuteDeleteAsync(cancellationToken);
}
