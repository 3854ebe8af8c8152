using System.Text.Json;
using Community.Messaging.Notifying;

namespace Community.Messaging.Notifications;

public sealed record NotificationUnreadCount(long Total, IReadOnlyDictionary<string, long> ByKind);

public static class NotificationQueries
{
    public const int MaxIdsPerItem = 100;

    /// <summary>The caller's notifications, newest first, repeats of a kind on a subject folded; keyset-paged by the
    /// item's newest id. None about someone in a block with the caller (notifications_shown).</summary>
    public static async Task<CursorPage<NotificationItem>> ListAsync(
        MessagingDbContext db,
        Guid userId,
        bool unreadOnly,
        Guid? after,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var before = after ?? Guid.AllBitsSet;
        var probe = Keyset.Probe(limit);
        var rows = await db
            .Database.SqlQuery<ItemRow>(
                $"""
                WITH g AS (
                    SELECT (array_agg(id ORDER BY id DESC))[1:{MaxIdsPerItem}] AS ids, count(*) AS n,
                           count(DISTINCT actor_id) AS actors
                    FROM notifications_shown
                    WHERE user_id = {userId} AND (read_at IS NULL OR NOT {unreadOnly})
                    GROUP BY group_key, read_at IS NULL)
                SELECT n.id, g.ids, n.kind, n.subject_type, n.subject_id,
                       n.actor_id, g.actors AS actor_count, g.n AS count, n.data::text AS data,
                       n.created_at, n.read_at
                FROM g JOIN notifications n ON n.id = g.ids[1]
                WHERE g.ids[1] < {before}
                ORDER BY n.id DESC
                LIMIT {probe}
                """
            )
            .ToListAsync(cancellationToken);
        var actors = await ActorsAsync(
            db,
            rows.Where(r => r.ActorId is not null).Select(r => r.ActorId!.Value),
            cancellationToken
        );
        return Keyset.Page(
            rows,
            limit,
            r => r.Id.ToString("N"),
            r =>
                Item(
                    r.Id,
                    r.Ids,
                    r.Kind,
                    r.SubjectType,
                    r.SubjectId,
                    r.ActorId is { } a ? actors.GetValueOrDefault(a) ?? new NotificationActor(a, null, null) : null,
                    (int)r.ActorCount,
                    (int)r.Count,
                    JsonDocument.Parse(r.Data).RootElement.Clone(),
                    r.CreatedAt,
                    r.ReadAt
                )
        );
    }

    public static Guid? ParseCursor(string position) => Guid.TryParseExact(position, "N", out var id) ? id : null;

    public static async Task<NotificationUnreadCount> UnreadAsync(
        MessagingDbContext db,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var counts = await db
            .Database.SqlQuery<KindCount>(
                $"""
                SELECT kind, count(*) AS count FROM notifications_shown
                WHERE user_id = {userId} AND read_at IS NULL GROUP BY kind
                """
            )
            .ToListAsync(cancellationToken);
        var byKind = NotificationKinds.All.ToDictionary(
            k => k,
            k => counts.FirstOrDefault(c => c.Kind == k)?.Count ?? 0L
        );
        return new(counts.Sum(c => c.Count), byKind);
    }

    /// <summary>The names and pictures of the people notifications show (deleted accounts have none).</summary>
    public static async Task<Dictionary<Guid, NotificationActor>> ActorsAsync(
        MessagingDbContext db,
        IEnumerable<Guid> userIds,
        CancellationToken cancellationToken
    )
    {
        var ids = userIds.Distinct().ToArray();
        if (ids.Length == 0)
            return [];
        var actors = await db
            .Database.SqlQuery<ActorName>(
                $"""
                SELECT user_id, COALESCE(display_name, username) AS name, profile_image_url FROM user_profiles
                WHERE user_id = ANY({ids}) AND deleted_at IS NULL
                """
            )
            .ToListAsync(cancellationToken);
        return actors.ToDictionary(a => a.UserId, a => new NotificationActor(a.UserId, a.Name, a.ProfileImageUrl));
    }

    public static NotificationItem Item(
        Guid id,
        IReadOnlyList<Guid> ids,
        string kind,
        string subjectType,
        Guid subjectId,
        NotificationActor? actor,
        int actorCount,
        int count,
        JsonElement data,
        DateTimeOffset createdAt,
        DateTimeOffset? readAt
    ) =>
        new(
            id,
            ids,
            kind,
            subjectType,
            subjectId,
            actor,
            actorCount,
            count,
            data,
            Summary(kind, actor, actorCount, count, data),
            createdAt,
            readAt
        );

    /// <summary>The item as a sentence, for the list and the digest e-mail.</summary>
    public static string Summary(string kind, NotificationActor? actor, int actorCount, int count, JsonElement data)
    {
        var who =
            (actor?.Name ?? "Someone")
            + (actorCount > 1 ? $" and {actorCount - 1} other{(actorCount > 2 ? "s" : "")}" : "");
        return kind switch
        {
            NotificationKinds.ConnectionRequested => $"{who} asked to connect with you",
            NotificationKinds.ConnectionAccepted => $"{who} accepted your connection request",
            NotificationKinds.GroupJoinRequested => $"{who} asked to join your group",
            NotificationKinds.GroupJoinDecided => Bool(data, "approved")
                ? "Your request to join a group was approved"
                : "Your request to join a group was declined",
            NotificationKinds.GroupInvited => $"{who} invited you to join a group",
            NotificationKinds.RegistrationConfirmed =>
                $"Your registration is confirmed (ticket {Text(data, "ticket_code")})",
            NotificationKinds.PaymentSucceeded => $"Your payment of {Money(data)} went through",
            NotificationKinds.PaymentRefundFailed =>
                $"A refund of {Money(data)} could not be completed: please contact support",
            NotificationKinds.CourseEnrolled => "You are enrolled in a course",
            NotificationKinds.ReportResolved => $"Your report was reviewed: {Text(data, "action")}",
            NotificationKinds.ReportWarning => $"A moderator warned you after a report ({Text(data, "category")})",
            NotificationKinds.MessageReceived => count == 1
                ? $"{who} sent you a message"
                : $"{who} sent you {count} messages",
            NotificationKinds.EventRegistration => $"{who} registered for your event",
            NotificationKinds.EventCancellation => $"{who} cancelled their registration for your event",
            NotificationKinds.EventCancelled => "An event you have a ticket for was cancelled",
            NotificationKinds.WaitingListSeat =>
                $"A seat came free for you: pay {Money(data)} before the hold ends to keep it",
            _ => kind,
        };
    }

    private static bool Bool(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static string Money(JsonElement data) =>
        data.TryGetProperty("amount_cents", out var cents) && cents.TryGetInt64(out var minor)
            ? MinorUnits.Format(minor, Text(data, "currency"))
            : Text(data, "currency");

    private sealed class ItemRow
    {
        public Guid Id { get; init; }
        public Guid[] Ids { get; init; } = [];
        public string Kind { get; init; } = "";
        public string SubjectType { get; init; } = "";
        public Guid SubjectId { get; init; }
        public Guid? ActorId { get; init; }
        public long ActorCount { get; init; }
        public long Count { get; init; }
        public string Data { get; init; } = "{}";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? ReadAt { get; init; }
    }

    private sealed class KindCount
    {
        public string Kind { get; init; } = "";
        public long Count { get; init; }
    }

    private sealed class ActorName
    {
        public Guid UserId { get; init; }
        public string Name { get; init; } = "";
        public string? ProfileImageUrl { get; init; }
    }
}
