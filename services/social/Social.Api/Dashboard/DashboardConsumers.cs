using Community.Contracts.Events;
using Community.Contracts.Social;
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
    protected override Task HandleAsync(
        ConsumeContext<ConnectionRequested> context,
        CancellationToken cancellationToken
    ) => Activity.RecordAsync(Db, context.Message.FromUserId, context.Message.OccurredAt, cancellationToken);
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
    protected override Task HandleAsync(ConsumeContext<UserFollowed> context, CancellationToken cancellationToken) =>
        Activity.RecordAsync(Db, context.Message.FollowerUserId, context.Message.OccurredAt, cancellationToken);
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
/// A completed course (events' CourseCompleted) is no longer in progress, and is activity of the learner.
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
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        // Completion may overtake the enrollment: the row starts completed, and CourseEnrolled then finds it there.
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO course_enrollments (user_id, course_id, enrollment_id, enrolled_at, completed_at)
            SELECT {m.UserId}, {m.CourseId}, {m.EnrollmentId}, {at}, {at} WHERE NOT EXISTS (SELECT 1 FROM user_profiles
                WHERE user_id = {m.UserId} AND deleted_at IS NOT NULL)
            ON CONFLICT (user_id, course_id) DO UPDATE
                SET completed_at = COALESCE(course_enrollments.completed_at, EXCLUDED.completed_at)
            """,
            cancellationToken
        );
        await Activity.RecordAsync(Db, m.UserId, m.OccurredAt, cancellationToken);
    }
}

/// <summary>
/// An enrollment that ended without its learner (events' CourseEnrollmentEnded: its payment refunded in full) is no
/// longer a course of theirs. Only that enrollment: a later one of the same course stays.
/// </summary>
public sealed class DashboardCourseEnrollmentEndedConsumer(
    SocialDbContext db,
    ILogger<DashboardCourseEnrollmentEndedConsumer> logger
) : IdempotentConsumer<CourseEnrollmentEnded, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(
        ConsumeContext<CourseEnrollmentEnded> context,
        CancellationToken cancellationToken
    ) =>
        Db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM course_enrollments WHERE user_id = {context.Message.UserId}
                AND course_id = {context.Message.CourseId} AND enrollment_id = {context.Message.EnrollmentId}
            """,
            cancellationToken
        );
}

/// <summary>An enrollment (events' CourseEnrolled) is a course in progress and activity of the learner.</summary>
public sealed class DashboardCourseEnrolledConsumer(SocialDbContext db, ILogger<DashboardCourseEnrolledConsumer> logger)
    : IdempotentConsumer<CourseEnrolled, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CourseEnrolled> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO course_enrollments (user_id, course_id, enrollment_id, enrolled_at)
            SELECT {m.UserId}, {m.CourseId}, {m.EnrollmentId}, {at} WHERE NOT EXISTS (SELECT 1 FROM user_profiles
                WHERE user_id = {m.UserId} AND deleted_at IS NOT NULL)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        await Activity.RecordAsync(Db, m.UserId, m.OccurredAt, cancellationToken);
    }
}
