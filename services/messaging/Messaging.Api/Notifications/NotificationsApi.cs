using System.ComponentModel;
using System.Security.Claims;
using Community.Messaging.Notifying;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Community.Messaging.Notifications;

public sealed record NotificationsQuery(
    string? Cursor,
    [property: Description("Only unread notifications.")] [FromQuery(Name = "unread_only")] bool? UnreadOnly,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public sealed record MarkNotificationsRead(
    [property: Description(
        "Notifications to mark read (1-100 ids), each with the earlier ones folded into its item (an item's id reads "
            + "the whole item); ids that are not the caller's change nothing. Not with all."
    )]
        IReadOnlyList<string>? Ids,
    [property: Description("true: mark every notification of the caller read. Not with ids.")] bool? All
);

public sealed record NotificationsMarked(
    [property: Description("How many notifications became read (already read ones and others' ids do not count).")]
        int Updated
);

public static class NotificationsApi
{
    public const int MaxIds = 100;

    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/notifications")
            .WithTags("Notifications")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", List)
            .WithName("ListNotifications")
            .WithSummary(
                "My notifications, newest first; repeats of one kind on one subject fold into one item "
                    + "(unread and read apart)"
            )
            .WithDescription(
                "A notification is kept 90 days (unless the deployment sets another period), read or unread, then "
                    + "deleted: it leaves the list, the unread count and the digest. A conversation's unread messages "
                    + "still count in its own unread_count, which no notification holds."
            );
        group
            .MapPatch("/read", MarkRead)
            .WithName("MarkNotificationsRead")
            .WithSummary("Mark some ({ids}) or all ({all: true}) of my notifications read");
        group
            .MapGet("/unread-count", UnreadCount)
            .WithName("GetNotificationUnreadCount")
            .WithSummary("My unread notifications, in total and per kind");
        return group;
    }

    private static async Task<Ok<CursorPage<NotificationItem>>> List(
        [AsParameters] NotificationsQuery query,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, NotificationQueries.ParseCursor, errors);
        errors.ThrowIfAny();
        return TypedResults.Ok(
            await NotificationQueries.ListAsync(
                db,
                principal.UserId(),
                query.UnreadOnly ?? false,
                after,
                limit,
                cancellationToken
            )
        );
    }

    private static async Task<Ok<NotificationsMarked>> MarkRead(
        MarkNotificationsRead body,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var all = body.All ?? false;
        var ids = new List<Guid>();
        if (body.Ids is not null && all)
            errors.Add("ids", "Send either ids or all, not both.");
        else if (body.Ids is null && !all)
            errors.Add("ids", "Send ids (the notifications to mark read) or all: true.");
        if (body.Ids is { } given)
        {
            if (given.Count == 0)
                errors.Add("ids", "ids must name at least one notification.");
            if (given.Count > MaxIds)
                errors.Add("ids", $"At most {MaxIds} ids at once; send all: true to mark everything read.");
            for (var i = 0; i < given.Count && i < MaxIds; i++)
                if (Guid.TryParse(given[i], out var id))
                    ids.Add(id);
                else
                    errors.Add($"ids[{i}]", "Not a notification id (a uuid).");
        }
        errors.ThrowIfAny();
        var (userId, now) = (principal.UserId(), clock.GetUtcNow());
        // Only what the caller is shown: one hidden by a block stays unread and uncounted until an unblock shows it.
        var updated = all
            ? await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE notifications SET read_at = {now}
                WHERE id IN (SELECT id FROM notifications_shown WHERE user_id = {userId} AND read_at IS NULL)
                """,
                cancellationToken
            )
            // Each id with the earlier ones of its group (what its item folds: an item lists at most 100 ids).
            : await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE notifications SET read_at = {now}
                WHERE id IN (SELECT s.id FROM notifications_shown s
                             JOIN notifications_shown named ON named.user_id = {userId}
                                 AND named.id = ANY({ids.Distinct().ToArray()})
                                 AND named.group_key = s.group_key AND s.id <= named.id
                             WHERE s.user_id = {userId} AND s.read_at IS NULL)
                """,
                cancellationToken
            );
        return TypedResults.Ok(new NotificationsMarked(updated));
    }

    private static async Task<Ok<NotificationUnreadCount>> UnreadCount(
        ClaimsPrincipal principal,
        MessagingDbContext db,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(await NotificationQueries.UnreadAsync(db, principal.UserId(), cancellationToken));
}
