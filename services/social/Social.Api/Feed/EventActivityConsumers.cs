using Community.Contracts;
using Community.Contracts.Events;
using Community.ServiceDefaults.Data;
using MassTransit;
using NewId = Community.ServiceDefaults.Api.NewId;

namespace Community.Social.Feed;

// Events' messages as feed activity, shown only while the event is public and not cancelled (feed_events). Named
// Feed... so their queues stay apart from other features' consumers of the same messages.

/// <summary>
/// The organizer published an event: the feed learns its title and visibility, and RSVPs that came first show with it.
/// </summary>
public sealed class FeedEventPublishedConsumer(SocialDbContext db, ILogger<FeedEventPublishedConsumer> logger)
    : IdempotentConsumer<EventPublished, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<EventPublished> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        var isPublic = m.Visibility == EventVisibility.Public;
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO feed_events (event_id, title, is_public, as_of, organizer_id)
                VALUES ({m.EventId}, {m.Title}, {isPublic}, {at}, {m.OrganizerUserId})
            ON CONFLICT (event_id) DO UPDATE
                SET title = CASE WHEN feed_events.as_of IS NULL OR feed_events.as_of <= EXCLUDED.as_of
                        THEN EXCLUDED.title ELSE feed_events.title END,
                    is_public = CASE WHEN feed_events.as_of IS NULL OR feed_events.as_of <= EXCLUDED.as_of
                        THEN EXCLUDED.is_public ELSE feed_events.is_public END,
                    as_of = GREATEST(feed_events.as_of, EXCLUDED.as_of),
                    -- an event's organizer never changes, whichever message came first
                    organizer_id = EXCLUDED.organizer_id
            """,
            cancellationToken
        );
        // A deleted organizer's late message records nothing.
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activities (id, kind, actor_id, subject_id, visible, occurred_at)
            SELECT {NewId.Next(at)}, {ActivityKinds.EventPublished}, {m.OrganizerUserId}, {m.EventId}, false, {at}
            WHERE NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = {m.OrganizerUserId}
                AND p.deleted_at IS NOT NULL)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        await FeedActivities.RefreshEventAsync(Db, m.EventId, cancellationToken);
    }
}

/// <summary>A published event's new title or visibility (a public event made private leaves the feed).</summary>
public sealed class FeedEventUpdatedConsumer(SocialDbContext db, ILogger<FeedEventUpdatedConsumer> logger)
    : IdempotentConsumer<EventUpdated, SocialDbContext>(db, logger)
{
    protected override bool Concerns(EventUpdated message) =>
        message.ChangedFields.Contains("title") || message.ChangedFields.Contains("visibility");

    protected override async Task HandleAsync(ConsumeContext<EventUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        var (title, isPublic) = EventStateRules.After(m);
        // Written even before its EventPublished was handled here (a backlog, a retry): that older message then changes
        // nothing, so an event made private at once never shows as public.
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO feed_events (event_id, title, is_public, as_of)
                VALUES ({m.EventId}, {title}, COALESCE({isPublic}::boolean, false), {at})
            ON CONFLICT (event_id) DO UPDATE
                SET title = COALESCE({title}::text, feed_events.title),
                is_public = COALESCE({isPublic}::boolean, feed_events.is_public), as_of = EXCLUDED.as_of
            WHERE feed_events.as_of IS NULL OR feed_events.as_of <= EXCLUDED.as_of
            """,
            cancellationToken
        );
        await FeedActivities.RefreshEventAsync(Db, m.EventId, cancellationToken);
    }
}

/// <summary>
/// A cancelled event's activity leaves the feed for good (a cancellation that overtook the publication is remembered).
/// </summary>
public sealed class FeedEventCancelledConsumer(SocialDbContext db, ILogger<FeedEventCancelledConsumer> logger)
    : IdempotentConsumer<EventCancelled, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<EventCancelled> context,
        CancellationToken cancellationToken
    )
    {
        var eventId = context.Message.EventId;
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO feed_events (event_id, cancelled) VALUES ({eventId}, true) ON CONFLICT (event_id) DO UPDATE
                SET cancelled = true
            """,
            cancellationToken
        );
        await FeedActivities.RefreshEventAsync(Db, eventId, cancellationToken);
    }
}

/// <summary>
/// A confirmed seat is an RSVP ("going"); shown as the event is (hidden until the event is known public). A
/// confirmation handled after its registration's cancellation adds nothing; a later one (another registration, or this
/// one paid again) moves the news to its time, so a cancellation of an earlier registration leaves it.
/// </summary>
public sealed class FeedRegistrationConfirmedConsumer(
    SocialDbContext db,
    ILogger<FeedRegistrationConfirmedConsumer> logger
) : IdempotentConsumer<RegistrationConfirmed, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<RegistrationConfirmed> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Signups.LockAsync(Db, m.RegistrationId, cancellationToken);
        await FeedActivities.AddAboutEventAsync(
            Db,
            ActivityKinds.EventRsvp,
            m.UserId,
            m.EventId,
            at,
            bringForward: true,
            m.RegistrationId,
            cancellationToken
        );
    }
}

/// <summary>
/// Photos someone added to an event: one activity per person and event, brought forward by each new photo, shown as
/// the event is (public, published, not cancelled).
/// </summary>
public sealed class FeedEventPhotoAddedConsumer(SocialDbContext db, ILogger<FeedEventPhotoAddedConsumer> logger)
    : IdempotentConsumer<EventPhotoAdded, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<EventPhotoAdded> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Signups.LockAsync(Db, m.PhotoId, cancellationToken);
        await FeedActivities.AddAboutEventAsync(
            Db,
            ActivityKinds.PhotoAdded,
            m.UserId,
            m.EventId,
            at,
            bringForward: true,
            m.PhotoId,
            cancellationToken
        );
    }
}

/// <summary>
/// A photo of an event was deleted: once none of its uploader's photos of the event is left, their "added photos"
/// news of it goes (what a newer upload brought forward stays). The photo is remembered as ended (as a cancelled
/// registration is), so its upload, handled after this from its own queue, adds no news of a photo that is gone.
/// </summary>
public sealed class FeedEventPhotoRemovedConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<FeedEventPhotoRemovedConsumer> logger
) : IdempotentConsumer<EventPhotoRemoved, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<EventPhotoRemoved> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Signups.LockAsync(Db, m.PhotoId, cancellationToken);
        await Signups.EndAsync(Db, m.PhotoId, at, clock.GetUtcNow(), cancellationToken);
        if (m.PhotosLeft > 0)
            return;
        await Db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM activities WHERE kind = {ActivityKinds.PhotoAdded} AND actor_id = {m.UserId}
                AND subject_id = {m.EventId} AND occurred_at <= {at}
            """,
            cancellationToken
        );
    }
}

/// <summary>A learner completed a course: news for the people who follow them or are connected with them.</summary>
public sealed class FeedCourseCompletedConsumer(SocialDbContext db, ILogger<FeedCourseCompletedConsumer> logger)
    : IdempotentConsumer<CourseCompleted, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CourseCompleted> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO feed_courses (course_id, title, organizer_id)
                VALUES ({m.CourseId}, {m.Title}, {m.OrganizerUserId})
            ON CONFLICT (course_id) DO UPDATE
                SET title = EXCLUDED.title, organizer_id = COALESCE(EXCLUDED.organizer_id, feed_courses.organizer_id)
            """,
            cancellationToken
        );
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activities (id, kind, actor_id, subject_id, visible, occurred_at)
            SELECT {NewId.Next(at)}, {ActivityKinds.CourseCompleted}, {m.UserId}, {m.CourseId}, true, {at}
            WHERE NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = {m.UserId} AND p.deleted_at IS NOT NULL)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
    }
}

/// <summary>
/// A cancelled (or fully refunded) RSVP is no longer news. Its registration is remembered as ended, so its confirmation
/// handled later adds nothing; the news of a confirmation after it (a new registration) stays.
/// </summary>
public sealed class FeedRsvpCancelledConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<FeedRsvpCancelledConsumer> logger
) : IdempotentConsumer<RsvpCancelled, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<RsvpCancelled> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        await Signups.LockAsync(Db, m.RegistrationId, cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM activities WHERE kind = {ActivityKinds.EventRsvp} AND actor_id = {m.UserId}
                AND subject_id = {m.EventId} AND occurred_at <= {at}
            """,
            cancellationToken
        );
        await Signups.EndAsync(Db, m.RegistrationId, at, clock.GetUtcNow(), cancellationToken);
    }
}
