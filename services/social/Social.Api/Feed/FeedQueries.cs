using Community.Contracts;
using Community.ServiceDefaults.OpenApi;

namespace Community.Social.Feed;

/// <summary>
/// One thing that happened in a group (someone joined, or started a thread), for the group's page.
/// </summary>
public sealed record GroupActivityDto(
    [property: ValuesOf(typeof(FeedQueries), nameof(FeedQueries.GroupActivityKinds))] string Kind,
    UserSummary Actor,
    FeedSubjectDto Subject,
    DateTimeOffset OccurredAt
);

/// <summary>The feed's activity as other features show it.</summary>
public static class FeedQueries
{
    /// <summary>A group's page shows this many of its latest activities.</summary>
    public const int GroupActivityShown = 10;

    public static readonly IReadOnlyList<string> GroupActivityKinds =
    [
        ActivityKinds.GroupJoined,
        ActivityKinds.ThreadStarted,
    ];

    /// <summary>
    /// The latest activity in a group the caller may see, newest first: a public group's joins for anyone, its threads
    /// for its members (threads are open to them only, as messaging serves them), a private or secret group's for its
    /// members only (else empty); never by anyone on either side of a block with the caller.
    /// </summary>
    public static async Task<IReadOnlyList<GroupActivityDto>> GroupActivityAsync(
        SocialDbContext db,
        Guid callerId,
        Group group,
        bool isMember,
        CancellationToken cancellationToken
    )
    {
        if (group.Visibility != GroupVisibility.Public && !isMember)
            return [];
        var rows = await db
            .Database.SqlQuery<FeedApi.FeedRow>(
                $"""
                SELECT a.id, a.kind, a.actor_id, a.subject_id, a.subject_user_id, a.group_id, a.occurred_at
                FROM activities a
                JOIN user_profiles p ON p.user_id = a.actor_id AND p.username IS NOT NULL AND p.deleted_at IS NULL
                WHERE a.group_id = {group.Id} AND a.visible AND ({isMember} OR a.kind <> {ActivityKinds.ThreadStarted})
                  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = {callerId} AND b.blocked_id = a.actor_id)
                      OR (b.blocker_id = a.actor_id AND b.blocked_id = {callerId}))
                ORDER BY a.occurred_at DESC, a.id DESC
                LIMIT {GroupActivityShown}
                """
            )
            .ToListAsync(cancellationToken);
        var actors = rows.Select(r => r.ActorId).Distinct().ToList();
        var profiles = await db
            .UserProfiles.AsNoTracking()
            .Where(p => actors.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        var threadIds = rows.Where(r => r.Kind == ActivityKinds.ThreadStarted).Select(r => r.SubjectId).ToArray();
        var titles = await db
            .Database.SqlQuery<FeedApi.EventTitle>(
                $"""SELECT thread_id AS event_id, title FROM feed_threads WHERE thread_id = ANY ({threadIds})"""
            )
            .ToDictionaryAsync(t => t.EventId, t => t.Title, cancellationToken);
        return rows.Select(r => new GroupActivityDto(
                r.Kind,
                UserSummary.From(profiles.GetValueOrDefault(r.ActorId), r.ActorId),
                r.Kind == ActivityKinds.ThreadStarted
                    ? new FeedSubjectDto("thread", r.SubjectId, titles.GetValueOrDefault(r.SubjectId))
                    : new FeedSubjectDto("group", group.Id, group.Name),
                r.OccurredAt
            ))
            .ToList();
    }
}
