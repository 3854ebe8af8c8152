using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Feed;

/// <summary>What an item is about: an event (title), a group (name) or a person (name).</summary>
public sealed record FeedSubjectDto(string Type, Guid Id, string? Name);

/// <summary>
/// One thing that happened, or several of the same kind about the same subject folded together ("Amira and 3 others
/// joined Fitness Buddies"): the first few actors, newest first, how many there were, and when the latest happened.
/// </summary>
public sealed record FeedItemDto(
    string Kind,
    IReadOnlyList<UserSummary> Actors,
    int ActorCount,
    FeedSubjectDto Subject,
    DateTimeOffset OccurredAt
);

public sealed record FeedQuery(string? Cursor, [PageSize(Keyset.DefaultLimit)] int? Limit);

public static class FeedApi
{
    /// <summary>Actors named in a folded item; actor_count says how many there were.</summary>
    public const int ActorsShown = 3;

    // Before every activity: a page from the top reads "before" this (not MaxValue: Npgsql may send infinity).
    private static readonly TimeAndId Top = new(
        new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero),
        Guid.AllBitsSet
    );

    public static RouteGroupBuilder MapFeedApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/feed")
            .WithTags("Feed")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", Feed)
            .WithName("GetFeed")
            .WithSummary(
                "What the people I follow or am connected with did, and what happened in my groups, newest first. "
                    + "limit counts activities; repeats of a kind on one subject within the page are folded into one "
                    + "item"
            );
        return group;
    }

    private static async Task<Ok<CursorPage<FeedItemDto>>> Feed(
        [AsParameters] FeedQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();

        var rows = await PageAsync(db, callerId, after, Keyset.Probe(limit), cancellationToken);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit ? OpaqueCursor.Encode(TimeAndId.Format(page[^1].OccurredAt, page[^1].Id)) : null;
        return TypedResults.Ok(new CursorPage<FeedItemDto>(await ItemsAsync(db, page, cancellationToken), next));
    }

    /// <summary>
    /// A page of <paramref name="callerId"/>'s feed, newest first: the activity of the people they follow or are
    /// connected with and of their groups, nothing by or about anyone blocked either way (nor others' activity about an
    /// event or a course of theirs: its organizer from <c>feed_events</c>, <c>feed_courses</c>). The probe-th newest of
    /// each source's newest row bounds the page, so only sources that reach it are read further.
    /// </summary>
    public static Task<List<FeedRow>> PageAsync(
        SocialDbContext db,
        Guid callerId,
        TimeAndId? after,
        int probe,
        CancellationToken cancellationToken
    )
    {
        var (at, id) = after ?? Top;
        return db
            .Database.SqlQuery<FeedRow>(
                $"""
                WITH blocked AS (
                    SELECT blocked_id AS id FROM blocks WHERE blocker_id = {callerId}
                    UNION SELECT blocker_id FROM blocks WHERE blocked_id = {callerId}
                ),
                people AS (
                    SELECT followed_id AS id FROM follows WHERE follower_id = {callerId}
                    UNION SELECT other_id FROM connection_edges WHERE user_id = {callerId}
                ),
                person_newest AS (
                    SELECT p.id AS source, x.occurred_at, x.id FROM people p
                    CROSS JOIN LATERAL (
                        SELECT a.occurred_at, a.id FROM activities a
                        WHERE a.actor_id = p.id AND a.visible AND (a.occurred_at, a.id) < ({at}, {id})
                          AND (a.group_id IS NULL OR EXISTS (SELECT 1 FROM groups g WHERE g.id = a.group_id
                              AND g.visibility = 'public'))
                          AND (a.kind <> {ActivityKinds.ThreadStarted} OR EXISTS (SELECT 1 FROM group_members gm
                              WHERE gm.group_id = a.group_id AND gm.user_id = {callerId}))
                          AND (a.subject_user_id IS NULL OR a.subject_user_id NOT IN (SELECT id FROM blocked))
                          AND NOT (a.kind IN ({ActivityKinds.EventRsvp}, {ActivityKinds.PhotoAdded})
                              AND EXISTS (SELECT 1 FROM feed_events e WHERE e.event_id = a.subject_id
                                  AND e.organizer_id IN (SELECT id FROM blocked)))
                          AND NOT (a.kind = {ActivityKinds.CourseCompleted}
                              AND EXISTS (SELECT 1 FROM feed_courses c WHERE c.course_id = a.subject_id
                                  AND c.organizer_id IN (SELECT id FROM blocked)))
                        ORDER BY a.occurred_at DESC, a.id DESC
                        LIMIT 1) x
                    WHERE p.id NOT IN (SELECT id FROM blocked)
                ),
                group_newest AS (
                    SELECT m.group_id AS source, x.occurred_at, x.id FROM group_members m
                    CROSS JOIN LATERAL (
                        SELECT a.occurred_at, a.id FROM activities a
                        WHERE a.group_id = m.group_id AND a.visible AND (a.occurred_at, a.id) < ({at}, {id})
                            AND a.actor_id <> {callerId}
                          AND a.actor_id NOT IN (SELECT id FROM blocked)
                          AND (a.subject_user_id IS NULL OR a.subject_user_id NOT IN (SELECT id FROM blocked))
                          AND NOT (a.kind IN ({ActivityKinds.EventRsvp}, {ActivityKinds.PhotoAdded})
                              AND EXISTS (SELECT 1 FROM feed_events e WHERE e.event_id = a.subject_id
                                  AND e.organizer_id IN (SELECT id FROM blocked)))
                          AND NOT (a.kind = {ActivityKinds.CourseCompleted}
                              AND EXISTS (SELECT 1 FROM feed_courses c WHERE c.course_id = a.subject_id
                                  AND c.organizer_id IN (SELECT id FROM blocked)))
                        ORDER BY a.occurred_at DESC, a.id DESC
                        LIMIT 1) x
                    WHERE m.user_id = {callerId}
                ),
                -- Distinct rows (one may be the newest of a person and of a group); none: every source is read.
                bound AS (
                    SELECT c.occurred_at AS at, c.id FROM (
                        (SELECT occurred_at, id FROM person_newest UNION SELECT occurred_at, id FROM group_newest
                         ORDER BY occurred_at DESC, id DESC OFFSET {probe - 1} LIMIT 1)
                        UNION ALL SELECT '-infinity'::timestamptz, '00000000-0000-0000-0000-000000000000'::uuid) c
                    ORDER BY c.occurred_at DESC LIMIT 1
                )
                SELECT f.id, f.kind, f.actor_id, f.subject_id,
                       f.subject_user_id, f.group_id, f.occurred_at
                FROM (
                    SELECT x.* FROM person_newest s CROSS JOIN bound b
                    CROSS JOIN LATERAL (
                        SELECT a.id, a.kind, a.actor_id, a.subject_id, a.subject_user_id, a.group_id, a.occurred_at
                            FROM activities a
                        WHERE a.actor_id = s.source AND a.visible AND (a.occurred_at, a.id) < ({at}, {id})
                            AND (a.occurred_at, a.id) >= (b.at, b.id)
                          AND (a.group_id IS NULL OR EXISTS (SELECT 1 FROM groups g WHERE g.id = a.group_id
                              AND g.visibility = 'public'))
                          AND (a.kind <> {ActivityKinds.ThreadStarted} OR EXISTS (SELECT 1 FROM group_members gm
                              WHERE gm.group_id = a.group_id AND gm.user_id = {callerId}))
                          AND (a.subject_user_id IS NULL OR a.subject_user_id NOT IN (SELECT id FROM blocked))
                          AND NOT (a.kind IN ({ActivityKinds.EventRsvp}, {ActivityKinds.PhotoAdded})
                              AND EXISTS (SELECT 1 FROM feed_events e WHERE e.event_id = a.subject_id
                                  AND e.organizer_id IN (SELECT id FROM blocked)))
                          AND NOT (a.kind = {ActivityKinds.CourseCompleted}
                              AND EXISTS (SELECT 1 FROM feed_courses c WHERE c.course_id = a.subject_id
                                  AND c.organizer_id IN (SELECT id FROM blocked)))
                        ORDER BY a.occurred_at DESC, a.id DESC
                        LIMIT {probe}) x
                    WHERE (s.occurred_at, s.id) >= (b.at, b.id)
                    UNION
                    SELECT x.* FROM group_newest s CROSS JOIN bound b
                    CROSS JOIN LATERAL (
                        SELECT a.id, a.kind, a.actor_id, a.subject_id, a.subject_user_id, a.group_id, a.occurred_at
                            FROM activities a
                        WHERE a.group_id = s.source AND a.visible AND (a.occurred_at, a.id) < ({at}, {id})
                            AND (a.occurred_at, a.id) >= (b.at, b.id)
                          AND a.actor_id <> {callerId}
                          AND a.actor_id NOT IN (SELECT id FROM blocked)
                          AND (a.subject_user_id IS NULL OR a.subject_user_id NOT IN (SELECT id FROM blocked))
                          AND NOT (a.kind IN ({ActivityKinds.EventRsvp}, {ActivityKinds.PhotoAdded})
                              AND EXISTS (SELECT 1 FROM feed_events e WHERE e.event_id = a.subject_id
                                  AND e.organizer_id IN (SELECT id FROM blocked)))
                          AND NOT (a.kind = {ActivityKinds.CourseCompleted}
                              AND EXISTS (SELECT 1 FROM feed_courses c WHERE c.course_id = a.subject_id
                                  AND c.organizer_id IN (SELECT id FROM blocked)))
                        ORDER BY a.occurred_at DESC, a.id DESC
                        LIMIT {probe}) x
                    WHERE (s.occurred_at, s.id) >= (b.at, b.id)
                ) f
                ORDER BY f.occurred_at DESC, f.id DESC
                LIMIT {probe}
                """
            )
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The page's rows folded by kind and subject, in the order of each one's newest row, with the names they show.
    /// </summary>
    public static async Task<IReadOnlyList<FeedItemDto>> ItemsAsync(
        SocialDbContext db,
        IReadOnlyList<FeedRow> rows,
        CancellationToken cancellationToken
    )
    {
        var people = rows.Select(r => r.ActorId)
            .Concat(rows.Where(r => r.SubjectUserId is not null).Select(r => r.SubjectUserId!.Value))
            .Distinct()
            .ToList();
        var eventIds = rows.Where(r =>
                r.Kind is ActivityKinds.EventPublished or ActivityKinds.EventRsvp or ActivityKinds.PhotoAdded
            )
            .Select(r => r.SubjectId)
            .Distinct()
            .ToList();
        var courseIds = rows.Where(r => r.Kind == ActivityKinds.CourseCompleted)
            .Select(r => r.SubjectId)
            .Distinct()
            .ToList();
        var threadIds = rows.Where(r => r.Kind == ActivityKinds.ThreadStarted)
            .Select(r => r.SubjectId)
            .Distinct()
            .ToList();
        var groupIds = rows.Where(r => r.GroupId is not null).Select(r => r.GroupId!.Value).Distinct().ToList();
        var profiles = await db
            .UserProfiles.AsNoTracking()
            .Where(p => people.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        var titles = await db
            .Database.SqlQuery<EventTitle>(
                $"""SELECT event_id, title FROM feed_events WHERE event_id = ANY ({eventIds})"""
            )
            .ToDictionaryAsync(e => e.EventId, e => e.Title, cancellationToken);
        var courses = await db
            .Database.SqlQuery<EventTitle>(
                $"""SELECT course_id AS event_id, title FROM feed_courses WHERE course_id = ANY ({courseIds})"""
            )
            .ToDictionaryAsync(e => e.EventId, e => e.Title, cancellationToken);
        foreach (var (id, title) in courses)
            titles[id] = title;
        var threads = await db
            .Database.SqlQuery<EventTitle>(
                $"""SELECT thread_id AS event_id, title FROM feed_threads WHERE thread_id = ANY ({threadIds})"""
            )
            .ToDictionaryAsync(e => e.EventId, e => e.Title, cancellationToken);
        foreach (var (id, title) in threads)
            titles[id] = title;
        var groups = await db
            .Groups.AsNoTracking()
            .Where(g => groupIds.Contains(g.Id))
            .ToDictionaryAsync(g => g.Id, g => g.Name, cancellationToken);

        var folded = new List<(FeedRow Newest, List<Guid> Actors)>();
        var byKey = new Dictionary<(string, Guid), List<Guid>>();
        foreach (var row in rows)
        {
            // Two people who connected are one piece of news, whichever side's row comes first.
            if (
                row.Kind == ActivityKinds.ConnectionAccepted
                && byKey.TryGetValue((row.Kind, row.ActorId), out var reverse)
                && reverse.Contains(row.SubjectId)
            )
                continue;
            if (byKey.TryGetValue((row.Kind, row.SubjectId), out var actors))
            {
                if (!actors.Contains(row.ActorId))
                    actors.Add(row.ActorId);
                continue;
            }
            actors = [row.ActorId];
            byKey[(row.Kind, row.SubjectId)] = actors;
            folded.Add((row, actors));
        }

        return folded
            .Select(f => new FeedItemDto(
                f.Newest.Kind,
                f.Actors.Take(ActorsShown).Select(a => UserSummary.From(profiles.GetValueOrDefault(a), a)).ToList(),
                f.Actors.Count,
                Subject(f.Newest, profiles, titles, groups),
                f.Newest.OccurredAt
            ))
            .ToList();
    }

    private static FeedSubjectDto Subject(
        FeedRow row,
        Dictionary<Guid, UserProfile> profiles,
        Dictionary<Guid, string?> titles,
        Dictionary<Guid, string> groups
    ) =>
        row.Kind switch
        {
            ActivityKinds.EventPublished or ActivityKinds.EventRsvp or ActivityKinds.PhotoAdded => new(
                "event",
                row.SubjectId,
                titles.GetValueOrDefault(row.SubjectId)
            ),
            ActivityKinds.CourseCompleted => new("course", row.SubjectId, titles.GetValueOrDefault(row.SubjectId)),
            ActivityKinds.ThreadStarted => new("thread", row.SubjectId, titles.GetValueOrDefault(row.SubjectId)),
            ActivityKinds.GroupJoined => new("group", row.SubjectId, groups.GetValueOrDefault(row.SubjectId)),
            _ => new(
                "user",
                row.SubjectId,
                profiles.GetValueOrDefault(row.SubjectId) is { } p ? p.FullName ?? p.Username : null
            ),
        };

    public sealed record FeedRow(
        Guid Id,
        string Kind,
        Guid ActorId,
        Guid SubjectId,
        Guid? SubjectUserId,
        Guid? GroupId,
        DateTimeOffset OccurredAt
    );

    /// <summary>
    /// A title by id: an event's from feed_events, a course's from feed_courses, a thread's from feed_threads.
    /// </summary>
    public sealed record EventTitle(Guid EventId, string? Title);
}
