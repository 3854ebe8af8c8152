using Community.Contracts.Identity;
using Community.ServiceDefaults.Api;

namespace Community.Events.Courses;

/// <summary>
/// The courses a deleted account organised come off sale as its own delete takes them off
/// (<see cref="CourseWithdrawalRules"/>): deleted when nobody enrolled, otherwise withdrawn, so learners keep what they
/// have and nobody new buys from an organizer who is gone.
/// </summary>
public sealed class OrganizerCoursesEraser(EventsDbContext db, TimeProvider clock) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        // Locked as the delete locks one, in id order: an enroll in flight finishes first and counts as a learner.
        var ids = await db
            .Database.SqlQuery<Guid>(
                $"SELECT id AS \"Value\" FROM courses WHERE organizer_id = {deleted.UserId} ORDER BY id FOR UPDATE"
            )
            .ToListAsync(cancellationToken);
        if (ids.Count == 0)
            return;
        var courses = await db.Set<Course>().Where(c => ids.Contains(c.Id)).ToListAsync(cancellationToken);
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
        foreach (var course in courses)
            await CourseWithdrawalRules.DeleteOrWithdrawAsync(db, course, now, cancellationToken);
    }
}
