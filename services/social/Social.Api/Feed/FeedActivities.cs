using Community.ServiceDefaults.Data;
using NewId = Community.ServiceDefaults.Api.NewId;

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

    /// <summary>
    /// The actor added photos to a public event (subject: the event; one row per actor and event, at their latest
    /// photo).
    /// </summary>
    public const string PhotoAdded = "photo_added";

    /// <summary>The actor completed a course (subject: the course).</summary>
    public const string CourseCompleted = "course_completed";

    /// <summary>The actor started a thread in a group (subject: the thread; group_id its group).</summary>
    public const string ThreadStarted = "thread_started";

    public static readonly IReadOnlyList<string> All =
    [
        EventPublished,
        EventRsvp,
        GroupJoined,
        UserFollowed,
        ConnectionAccepted,
        PhotoAdded,
        CourseCompleted,
        ThreadStarted,
    ];
}

/// <summary>The feed's writes that more than one consumer makes.</summary>
public static class FeedActivities
{
    /// <summary>
    /// Holds, until the caller's transaction ends, the feed's writes about <paramref name="eventId"/>: a new activity
    /// takes its visibility from the event's row, and a change of the row refreshes the activities; without it an
    /// activity being added while the event is made private or cancelled is missed by the refresh (it has not
    /// committed) and then shows, from the row it read before the change.
    /// </summary>
    private static Task LockEventAsync(SocialDbContext db, Guid eventId, CancellationToken cancellationToken) =>
        db.Database.LockKeyAsync($"feed-event:{eventId}", cancellationToken);

    /// <summary>
    /// Shows or hides every activity about <paramref name="eventId"/> as the feed's copy of the event says:
    /// shown only once it is known published (its organizer known, whose blocks hide it), public and not cancelled.
    /// After an activity being added about it (<see cref="LockEventAsync"/>).
    /// </summary>
    public static async Task RefreshEventAsync(SocialDbContext db, Guid eventId, CancellationToken cancellationToken)
    {
        await LockEventAsync(db, eventId, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE activities a SET visible = COALESCE((SELECT e.is_public AND NOT e.cancelled AND e.title IS NOT NULL
                AND e.organizer_id IS NOT NULL
                FROM feed_events e WHERE e.event_id = {eventId}), false)
            WHERE a.subject_id = {eventId}
                AND a.kind IN ({ActivityKinds.EventPublished}, {ActivityKinds.EventRsvp}, {ActivityKinds.PhotoAdded})
            """,
            cancellationToken
        );
    }

    /// <summary>
    /// Records <paramref name="actorId"/>'s activity of <paramref name="kind"/> about event <paramref name="eventId"/>,
    /// shown as the feed's copy of the event says (its own visibility from the event's row: refreshing every row about
    /// a big event per new one would rewrite them all). Once per actor, kind and event; <paramref name="bringForward"/>
    /// moves an existing one to a later time instead of keeping the first. Nothing for an erased account, nor for a
    /// <paramref name="signupId"/> that ended at or after <paramref name="at"/> (a confirmation handled after its
    /// cancellation); the caller holds <see cref="Signups.LockAsync"/> for it. After a change of the event's row being
    /// refreshed (<see cref="LockEventAsync"/>). The caller holds the <see cref="ErasureGate"/> from its first step.
    /// </summary>
    public static async Task AddAboutEventAsync(
        SocialDbContext db,
        string kind,
        Guid actorId,
        Guid eventId,
        DateTimeOffset at,
        bool bringForward,
        Guid? signupId,
        CancellationToken cancellationToken
    )
    {
        await LockEventAsync(db, eventId, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activities (id, kind, actor_id, subject_id, visible, occurred_at)
            SELECT {NewId.Next(at)}, {kind}, {actorId}, {eventId},
                   COALESCE((SELECT e.is_public AND NOT e.cancelled AND e.title IS NOT NULL
                       AND e.organizer_id IS NOT NULL FROM feed_events e WHERE e.event_id = {eventId}), false), {at}
            WHERE NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = {actorId} AND p.deleted_at IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM ended_signups s WHERE s.signup_id = {signupId}::uuid
                    AND s.ended_at >= {at})
            ON CONFLICT (kind, actor_id, subject_id) DO UPDATE
                SET occurred_at = GREATEST(activities.occurred_at, EXCLUDED.occurred_at)
                WHERE {bringForward}
            """,
            cancellationToken
        );
    }
}
