using Community.Contracts.Events;
using Community.Contracts.Social;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.Social.Dashboard;

// Social's own events, read after they committed so badge rules count committed rows; activity is dated by the
// message, so a late or replayed one marks the day it happened.

/// <summary>Asking to connect is activity of the one who asked.</summary>
public sealed class DashboardConnectionRequestedConsumer(
    SocialDbContext db,
    ILogger<DashboardConnectionRequestedConsumer> logger
) : IdempotentConsumer<ConnectionRequested, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ConnectionRequested> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        await Activity.RecordAsync(Db, context.Message.FromUserId, context.Message.OccurredAt, cancellationToken);
    }
}

/// <summary>
/// Accepting is activity of the one who accepted (the addressee); both people may have reached Connected.
/// </summary>
public sealed class DashboardConnectionAcceptedConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<DashboardConnectionAcceptedConsumer> logger
) : IdempotentConsumer<ConnectionAccepted, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ConnectionAccepted> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        await Activity.RecordAsync(Db, m.ToUserId, m.OccurredAt, cancellationToken);
        var now = clock.GetUtcNow();
        await BadgeRules.AwardAsync(Db, m.FromUserId, now, cancellationToken);
        await BadgeRules.AwardAsync(Db, m.ToUserId, now, cancellationToken);
    }
}

/// <summary>Following someone is activity of the follower.</summary>
public sealed class DashboardUserFollowedConsumer(SocialDbContext db, ILogger<DashboardUserFollowedConsumer> logger)
    : IdempotentConsumer<UserFollowed, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<UserFollowed> context, CancellationToken cancellationToken)
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        await Activity.RecordAsync(Db, context.Message.FollowerUserId, context.Message.OccurredAt, cancellationToken);
    }
}

/// <summary>
/// Joining (or creating) a group is activity of the member; the group's owner may have reached Founder.
/// </summary>
public sealed class DashboardGroupMemberJoinedConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<DashboardGroupMemberJoinedConsumer> logger
) : IdempotentConsumer<GroupMemberJoined, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<GroupMemberJoined> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        await Activity.RecordAsync(Db, m.UserId, m.OccurredAt, cancellationToken);
        var ownerId = await Db
            .Groups.Where(g => g.Id == m.GroupId)
            .Select(g => (Guid?)g.OwnerId)
            .FirstOrDefaultAsync(cancellationToken);
        if (ownerId is { } owner)
            await BadgeRules.AwardAsync(Db, owner, clock.GetUtcNow(), cancellationToken);
    }
}

/// <summary>A group handed to a new owner may make them a Founder.</summary>
public sealed class DashboardGroupUpdatedConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<DashboardGroupUpdatedConsumer> logger
) : IdempotentConsumer<GroupUpdated, SocialDbContext>(db, logger)
{
    protected override bool Concerns(GroupUpdated message) => message.ChangedFields.Contains("owner_id");

    protected override async Task HandleAsync(ConsumeContext<GroupUpdated> context, CancellationToken cancellationToken)
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var ownerId = await Db
            .Groups.Where(g => g.Id == m.GroupId)
            .Select(g => (Guid?)g.OwnerId)
            .FirstOrDefaultAsync(cancellationToken);
        if (ownerId is { } owner)
            await BadgeRules.AwardAsync(Db, owner, clock.GetUtcNow(), cancellationToken);
    }
}

/// <summary>
/// A completed course (events' CourseCompleted) is no longer in progress, and is activity of the learner. An enrollment
/// already ended (refunded) completes nothing.
/// </summary>
public sealed class DashboardCourseCompletedConsumer(
    SocialDbContext db,
    ILogger<DashboardCourseCompletedConsumer> logger
) : IdempotentConsumer<CourseCompleted, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CourseCompleted> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Signups.LockAsync(Db, m.EnrollmentId, cancellationToken);
        // Completion may overtake the enrollment: the row starts completed, and CourseEnrolled then finds it there. A
        // row of an earlier enrollment of the course (ended, its message not handled yet) gives way to this one.
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO course_enrollments (user_id, course_id, enrollment_id, enrolled_at, completed_at)
            SELECT {m.UserId}, {m.CourseId}, {m.EnrollmentId}, {at}, {at} WHERE NOT EXISTS (SELECT 1 FROM user_profiles
                WHERE user_id = {m.UserId} AND deleted_at IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM ended_signups WHERE signup_id = {m.EnrollmentId})
            ON CONFLICT (user_id, course_id) DO UPDATE
                SET enrollment_id = EXCLUDED.enrollment_id,
                enrolled_at = CASE WHEN course_enrollments.enrollment_id = EXCLUDED.enrollment_id
                    THEN course_enrollments.enrolled_at ELSE EXCLUDED.enrolled_at END,
                completed_at = CASE WHEN course_enrollments.enrollment_id = EXCLUDED.enrollment_id
                    THEN COALESCE(course_enrollments.completed_at, EXCLUDED.completed_at) ELSE EXCLUDED.completed_at END
            WHERE course_enrollments.enrollment_id = EXCLUDED.enrollment_id
                OR course_enrollments.enrolled_at < EXCLUDED.enrolled_at
            """,
            cancellationToken
        );
        await Activity.RecordAsync(Db, m.UserId, m.OccurredAt, cancellationToken);
    }
}

/// <summary>
/// An enrollment that ended without its learner (events' CourseEnrollmentEnded: its payment refunded in full) is no
/// longer a course of theirs. Only that enrollment: a later one of the same course stays. It is remembered as ended, so
/// its CourseEnrolled or CourseCompleted handled later adds nothing.
/// </summary>
public sealed class DashboardCourseEnrollmentEndedConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<DashboardCourseEnrollmentEndedConsumer> logger
) : IdempotentConsumer<CourseEnrollmentEnded, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CourseEnrollmentEnded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Signups.LockAsync(Db, m.EnrollmentId, cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM course_enrollments WHERE user_id = {m.UserId}
                AND course_id = {m.CourseId} AND enrollment_id = {m.EnrollmentId}
            """,
            cancellationToken
        );
        await Signups.EndAsync(Db, m.EnrollmentId, at, clock.GetUtcNow(), cancellationToken);
    }
}

/// <summary>
/// An enrollment (events' CourseEnrolled) is a course in progress and activity of the learner. It takes the place of an
/// earlier enrollment of the course (which ended before it could begin) and adds nothing once it ended itself.
/// </summary>
public sealed class DashboardCourseEnrolledConsumer(SocialDbContext db, ILogger<DashboardCourseEnrolledConsumer> logger)
    : IdempotentConsumer<CourseEnrolled, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CourseEnrolled> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Signups.LockAsync(Db, m.EnrollmentId, cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO course_enrollments (user_id, course_id, enrollment_id, enrolled_at)
            SELECT {m.UserId}, {m.CourseId}, {m.EnrollmentId}, {at} WHERE NOT EXISTS (SELECT 1 FROM user_profiles
                WHERE user_id = {m.UserId} AND deleted_at IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM ended_signups WHERE signup_id = {m.EnrollmentId})
            ON CONFLICT (user_id, course_id) DO UPDATE
                SET enrollment_id = EXCLUDED.enrollment_id, enrolled_at = EXCLUDED.enrolled_at, completed_at = NULL
            WHERE course_enrollments.enrollment_id <> EXCLUDED.enrollment_id
                AND course_enrollments.enrolled_at < EXCLUDED.enrolled_at
            """,
            cancellationToken
        );
        await Activity.RecordAsync(Db, m.UserId, m.OccurredAt, cancellationToken);
    }
}
