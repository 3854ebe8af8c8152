using System.ComponentModel;
using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Community.AiCompanion.Activity;

public sealed record ActivityQuery(
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit,
    [property: Description("Only items not yet read.")] [FromQuery(Name = "unread_only")] bool? UnreadOnly
);

public sealed record ActivityItem(
    Guid Id,
    [property: Description(
        "opportunity (an event or circle near me), connection (a new connection with shared interests), insight (a "
            + "course that fits), boost (my boost ended)."
    )]
    [property: ValuesOf(typeof(ActivityTypes))]
        string Type,
    [property: Description("high, medium or low."), ValuesOf(typeof(ActivityPriorities))] string Priority,
    string Title,
    string Description,
    string ActionText,
    [property: Description("A relative link to what the item is about.")] string ActionLink,
    DateTimeOffset CreatedAt,
    bool Read
);

public sealed record ActivityMarked(
    [property: Description("How many items became read (those already read do not count).")] int Updated
);

public static class ActivityApi
{
    private const string NoSuchItem = "No activity item of yours has this id.";

    public static RouteGroupBuilder MapActivityApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/activity")
            .DescribesPathParameter("id", "The feed item's id.")
            .WithTags("Activity")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", List)
            .WithName("ListActivity")
            .WithSummary(
                "My concierge feed, newest first (opportunities, connections, courses that fit, boost reminders); "
                    + "priority is a field, not the order"
            );
        group
            .MapPost("/{id:guid}/read", MarkRead)
            .WithName("MarkActivityRead")
            .WithSummary("Mark one of my items read (404 for anyone else's)");
        group
            .MapPost("/read-all", MarkAllRead)
            .WithName("MarkAllActivityRead")
            .WithSummary("Mark every item of my feed read");
        return group;
    }

    private static async Task<Ok<CursorPage<ActivityItem>>> List(
        [AsParameters] ActivityQuery query,
        ClaimsPrincipal principal,
        CompanionDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();
        var (userId, now, unreadOnly) = (principal.UserId(), clock.GetUtcNow(), query.UnreadOnly ?? false);
        var (beforeAt, beforeId) = after is { } position
            ? (position.At, position.Id)
            : (DateTimeOffset.MaxValue, Guid.AllBitsSet);
        var rows = await db
            .Database.SqlQuery<ItemRow>(
                $"""
                SELECT id, type, priority, title, description,
                       action_text, action_link, created_at, read_at IS NOT NULL AS read
                FROM activity_shown
                WHERE user_id = {userId} AND created_at <= {now} AND (read_at IS NULL OR NOT {unreadOnly})
                  AND (created_at, id) < ({beforeAt}, {beforeId})
                ORDER BY created_at DESC, id DESC
                LIMIT {Keyset.Probe(limit)}
                """
            )
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(
            Keyset.Page(
                rows,
                limit,
                r => TimeAndId.Format(r.CreatedAt, r.Id),
                r => new ActivityItem(
                    r.Id,
                    r.Type,
                    r.Priority,
                    r.Title,
                    r.Description,
                    r.ActionText,
                    r.ActionLink,
                    r.CreatedAt,
                    r.Read
                )
            )
        );
    }

    private static async Task<NoContent> MarkRead(
        Guid id,
        ClaimsPrincipal principal,
        CompanionDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var (userId, now) = (principal.UserId(), clock.GetUtcNow());
        // An item already read keeps its first read time but still counts as found.
        var found = await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE activity_items SET read_at = COALESCE(read_at, {now})
            WHERE id = (SELECT id FROM activity_shown WHERE id = {id} AND user_id = {userId} AND created_at <= {now})
            """,
            cancellationToken
        );
        if (found == 0)
            throw new NotFoundException(NoSuchItem);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ActivityMarked>> MarkAllRead(
        ClaimsPrincipal principal,
        CompanionDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var (userId, now) = (principal.UserId(), clock.GetUtcNow());
        // What the list shows only: an item a block hides is neither counted (the count would tell of the block) nor
        // marked (it comes back unread if the block is lifted).
        var updated = await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE activity_items SET read_at = {now}
            WHERE id IN (SELECT id FROM activity_shown
                         WHERE user_id = {userId} AND read_at IS NULL AND created_at <= {now})
            """,
            cancellationToken
        );
        return TypedResults.Ok(new ActivityMarked(updated));
    }

    private sealed class ItemRow
    {
        public Guid Id { get; init; }
        public string Type { get; init; } = "";
        public string Priority { get; init; } = "";
        public string Title { get; init; } = "";
        public string Description { get; init; } = "";
        public string ActionText { get; init; } = "";
        public string ActionLink { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public bool Read { get; init; }
    }
}
