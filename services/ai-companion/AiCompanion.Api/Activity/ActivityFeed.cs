using Community.ServiceDefaults.Data;

namespace Community.AiCompanion.Activity;

public static class ActivityTypes
{
    public const string Opportunity = "opportunity";
    public const string Connection = "connection";
    public const string Insight = "insight";
    public const string Boost = "boost";
    public static readonly string[] All = [Opportunity, Connection, Insight, Boost];
}

public static class ActivityPriorities
{
    public static readonly string[] All = ["high", "medium", "low"];
}

public sealed class ActivityOptions
{
    public const string Section = "Activity";

    /// <summary>
    /// At most this many members get an item for one published event, group or course: those sharing the most
    /// interests with it, then those whose profile changed most recently (the closest thing to "active" the companion
    /// knows).
    /// </summary>
    public int MaxItemsPerPublication { get; set; } = 500;
}

/// <summary>A published thing to suggest: who it belongs to, what it is about, where it is (null: anywhere).</summary>
public sealed record Suggestion(
    string Source,
    string Type,
    Guid OwnerId,
    string[] Interests,
    string? Region,
    string? City,
    string? Country,
    string Title,
    string DescriptionLead,
    string ActionText,
    string ActionLink
);

/// <summary>
/// Writes the feed's items. One item per (user, source): a repeat changes nothing. Nobody gets an item about their own
/// thing, about a deleted account, or across a block in either direction (the feed also hides items a later block
/// covers).
/// </summary>
public static class ActivityFeed
{
    /// <summary>
    /// The suggestion to every member whose interests meet its interests (case-insensitive) and, when it has a place,
    /// who lives in its region, or in its city (and country, when both are known); at most <paramref name="max"/> of
    /// them. Each item names the shared interests; two or more make it high priority.
    /// </summary>
    public static Task<int> FanOutAsync(
        CompanionDbContext db,
        Suggestion s,
        DateTimeOffset now,
        DateTimeOffset asOf,
        int max,
        CancellationToken cancellationToken
    )
    {
        var interests = s
            .Interests.Select(i => i.Trim().ToLowerInvariant())
            .Where(i => i.Length > 0)
            .Distinct()
            .ToArray();
        if (interests.Length == 0)
            return Task.FromResult(0);
        var anywhere = s.Region is null && s.City is null;
        var (region, city, country) = (s.Region ?? "", s.City ?? "", s.Country ?? "");
        return WithSourceLockedAsync(
            db,
            s.Source,
            () =>
                db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO activity_items (id, user_id, source, type, priority, title, description, action_text,
                        action_link, about_user_id, created_at, as_of)
                    SELECT gen_random_uuid(), m.user_id, {s.Source}, {s.Type},
                           CASE WHEN cardinality(m.shared) >= 2 THEN 'high' ELSE 'medium' END,
                           {s.Title}, {s.DescriptionLead} || array_to_string(m.shared, ', ') || '.',
                           {s.ActionText}, {s.ActionLink}, {s.OwnerId}, {now}, {asOf}
                    FROM (
                        SELECT u.user_id, u.as_of,
                               ARRAY(SELECT x FROM (SELECT lower(unnest(u.interests))
                                                    INTERSECT SELECT unnest({interests}::text[])) shared(x)
                                     ORDER BY x) AS shared
                        FROM user_profiles u
                        WHERE u.deleted_at IS NULL AND u.user_id <> {s.OwnerId}
                          AND ({anywhere}
                               OR ({region} <> '' AND lower(u.region) = lower({region}))
                               OR ({city} <> '' AND lower(u.city) = lower({city})
                                   AND ({country} = '' OR u.country IS NULL OR lower(u.country) = lower({country}))))
                          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                                          AND ((b.blocker_id = u.user_id AND b.blocked_id = {s.OwnerId})
                                               OR (b.blocker_id = {s.OwnerId} AND b.blocked_id = u.user_id)))
                    ) m
                    WHERE cardinality(m.shared) > 0
                      AND NOT EXISTS (SELECT 1 FROM activity_withdrawn w
                                      WHERE w.source = {s.Source} AND w.as_of >= {asOf})
                    ORDER BY cardinality(m.shared) DESC, m.as_of DESC, m.user_id
                    LIMIT {max}
                    ON CONFLICT (user_id, source) DO NOTHING
                    """,
                    cancellationToken
                ),
            cancellationToken
        );
    }

    /// <summary>
    /// A new connection: an item for each side naming the interests they share (none shared: no item).
    /// </summary>
    public static Task<int> ConnectedAsync(
        CompanionDbContext db,
        Guid connectionId,
        Guid a,
        Guid b,
        DateTimeOffset now,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    )
    {
        var source = ConnectionSource(connectionId);
        return WithSourceLockedAsync(
            db,
            source,
            () =>
                db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO activity_items (id, user_id, source, type, priority, title, description, action_text,
                        action_link, about_user_id, created_at, as_of)
                    SELECT gen_random_uuid(), p.me, {source}, 'connection',
                           CASE WHEN cardinality(p.shared) >= 2 THEN 'high' ELSE 'medium' END,
                           'A new connection with shared interests',
                           'You and ' || p.other_name || ' both enjoy ' || array_to_string(p.shared, ', ') || '.',
                           'Say hello', '/api/v1/profiles/' || p.other, p.other, {now}, {asOf}
                    FROM (
                        SELECT me.user_id AS me, other.user_id AS other, coalesce(other.username, '') AS other_name,
                               ARRAY(SELECT x FROM (SELECT lower(unnest(me.interests))
                                                    INTERSECT SELECT lower(unnest(other.interests))) shared(x)
                                     ORDER BY x) AS shared
                        FROM user_profiles me JOIN user_profiles other
                          ON (me.user_id = {a} AND other.user_id = {b}) OR (me.user_id = {b} AND other.user_id = {a})
                        WHERE me.deleted_at IS NULL AND other.deleted_at IS NULL
                          AND NOT EXISTS (SELECT 1 FROM blocks x WHERE x.blocked
                                          AND ((x.blocker_id = {a} AND x.blocked_id = {b}) OR (x.blocker_id = {b} AND
                                              x.blocked_id = {a})))
                    ) p
                    WHERE cardinality(p.shared) > 0
                      AND NOT EXISTS (SELECT 1 FROM activity_withdrawn w
                                      WHERE w.source = {source} AND w.as_of >= {asOf})
                    ON CONFLICT (user_id, source) DO NOTHING
                    """,
                    cancellationToken
                ),
            cancellationToken
        );
    }

    /// <summary>
    /// The user's one "boost ended" reminder, shown from the boost's end on (the feed hides it until then); a newer
    /// purchase or revocation moves it to the new end and makes it unread again, an older message changes nothing.
    /// </summary>
    public static async Task<int> BoostEndsAsync(
        CompanionDbContext db,
        Guid userId,
        DateTimeOffset boostedUntil,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(db, cancellationToken);
        var description =
            $"Your profile boost ended on {boostedUntil.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Boost again to be shown "
            + "first in discovery.";
        return await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO activity_items (id, user_id, source, type, priority, title, description, action_text,
                action_link, created_at, as_of)
            SELECT gen_random_uuid(), {userId}, 'boost', 'boost', 'low', 'Your boost has ended', {description},
                'Boost again', '/api/v1/boosts/me', {boostedUntil}, {asOf}
            WHERE NOT EXISTS (SELECT 1 FROM user_profiles WHERE user_id = {userId} AND deleted_at IS NOT NULL)
            ON CONFLICT (user_id, source) DO UPDATE SET description = EXCLUDED.description,
                created_at = EXCLUDED.created_at,
                as_of = EXCLUDED.as_of, read_at = NULL
            WHERE activity_items.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );
    }

    /// <summary>
    /// The thing is gone (cancelled, deleted, withdrawn, made private, the connection ended) as of
    /// <paramref name="asOf"/>: its items go too, and a publication of it older than that, handled later, suggests
    /// nothing (<c>activity_withdrawn</c>).
    /// </summary>
    public static Task<int> WithdrawAsync(
        CompanionDbContext db,
        string source,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    ) =>
        WithSourceLockedAsync(
            db,
            source,
            async () =>
            {
                await db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO activity_withdrawn (source, as_of) VALUES ({source}, {asOf})
                    ON CONFLICT (source) DO UPDATE SET as_of = GREATEST(activity_withdrawn.as_of, EXCLUDED.as_of)
                    """,
                    cancellationToken
                );
                return await db.Database.ExecuteSqlAsync(
                    $"DELETE FROM activity_items WHERE source = {source}",
                    cancellationToken
                );
            },
            cancellationToken
        );

    /// <summary>
    /// One writer of a source's items at a time (in the consumer's transaction): a withdrawal and a publication handled
    /// at once never leave the publication's items after the withdrawal. Inside the erasure gate (first, so every
    /// writer takes the two in one order).
    /// </summary>
    private static async Task<int> WithSourceLockedAsync(
        CompanionDbContext db,
        string source,
        Func<Task<int>> write,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(db, cancellationToken);
        await db.Database.LockKeyAsync("activity:" + source, cancellationToken);
        return await write();
    }

    public static string EventSource(Guid eventId) => "event:" + eventId.ToString("N");

    public static string GroupSource(Guid groupId) => "group:" + groupId.ToString("N");

    public static string CourseSource(Guid courseId) => "course:" + courseId.ToString("N");

    public static string ConnectionSource(Guid connectionId) => "connection:" + connectionId.ToString("N");
}
