using Community.Social.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Social.Feed;

/// <summary>What an activity row records (the feed item's <c>kind</c>).</summary>
public static class ActivityKinds
{
    /// <summary>The actor published a public event (subject: the event).</summary>
    public const string EventPublished = "event_published";
    /// <summary>The actor's seat at a public event was confirmed (subject: the event).</summary>
    public const string EventRsvp = "event_rsvp";
    /// <summary>The actor became a member of a group (subject: the group).</summary>
    public const string GroupJoined = "group_joined";
    /// <summary>The actor followed someone (subject: that person).</summary>
    public const string UserFollowed = "user_followed";
    /// <summary>The actor and someone became connected (subject: the other person; one row for each side).</summary>
    public const string ConnectionAccepted = "connection_accepted";
    /// <summary>The actor added photos to a public event (subject: the event; one row per actor and event, at their latest photo).</summary>
    public const string PhotoAdded = "photo_added";
    /// <summary>The actor completed a course (subject: the course).</summary>
    public const string CourseCompleted = "course_completed";

    /// <summary>The actor started a thread in a group (subject: the thread; group_id its group).</summary>
    public const string ThreadStarted = "thread_started";

    public static readonly IReadOnlyList<string> All = [EventPublished, EventRsvp, GroupJoined, UserFollowed, ConnectionAccepted, PhotoAdded, CourseCompleted, ThreadStarted];
}

/// <summary>The feed's writes that more than one consumer makes.</summary>
public static class FeedActivities
{
    /// <summary>
    /// Shows or hides every activity about <paramref name="eventId"/> as the feed's copy of the event says:
    /// shown only once it is known published, public and not cancelled.
    /// </summary>
    public static Task RefreshEventAsync(SocialDbContext db, Guid eventId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            UPDATE activities a SET visible = COALESCE((SELECT e.is_public AND NOT e.cancelled AND e.title IS NOT NULL FROM feed_events e WHERE e.event_id = {eventId}), false)
            WHERE a.subject_id = {eventId} AND a.kind IN ({ActivityKinds.EventPublished}, {ActivityKinds.EventRsvp}, {ActivityKinds.PhotoAdded})
            """, cancellationToken);

    /// <summary>An erased account's activity goes, and so does everyone's activity about them (follows, connections).</summary>
    public static Task EraseAsync(SocialDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM activities WHERE actor_id = {userId} OR subject_user_id = {userId}", cancellationToken);
}
