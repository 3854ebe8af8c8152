using Community.Contracts;
using Community.Contracts.Events;
using Community.Contracts.Payments;
using Community.Contracts.Social;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Activity;

// The feed's items from other services' events: inbox consumers (a redelivery is skipped), and each item is unique per
// (user, source) besides, so a replay under a new message id adds nothing either.

/// <summary>
/// A public event near members who share its interests; events without a place or interests (older publishers) suggest
/// nothing.
/// </summary>
public sealed class ActivityEventPublishedConsumer(
    CompanionDbContext db,
    TimeProvider clock,
    IOptions<ActivityOptions> options,
    ILogger<ActivityEventPublishedConsumer> logger
) : IdempotentConsumer<EventPublished, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<EventPublished> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        if (
            m.Visibility != EventVisibility.Public
            || m.Interests is not { Count: > 0 }
            || (m.Region is null && m.City is null)
        )
            return Task.CompletedTask;
        var place = m.City ?? m.Region;
        var suggestion = new Suggestion(
            ActivityFeed.EventSource(m.EventId),
            ActivityTypes.Opportunity,
            m.OrganizerUserId,
            [.. m.Interests],
            m.Region,
            m.City,
            m.Country,
            "An event near you",
            $"{m.Title} in {place} on {LocalDay(m):yyyy-MM-dd} matches your interests: ",
            "View event",
            $"/api/v1/events/{m.EventId}"
        );
        return ActivityFeed.FanOutAsync(
            Db,
            suggestion,
            clock.GetUtcNow(),
            m.OccurredAt,
            options.Value.MaxItemsPerPublication,
            cancellationToken
        );
    }

    /// <summary>The day the event starts where it takes place (in UTC from publishers without its zone).</summary>
    private static DateTime LocalDay(EventPublished m) =>
        m.TimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? TimeZoneInfo.ConvertTime(m.StartsAt, zone).DateTime
            : m.StartsAt.UtcDateTime;
}

/// <summary>A public group in members' region that shares their interests (groups have a region, no city).</summary>
public sealed class ActivityGroupCreatedConsumer(
    CompanionDbContext db,
    TimeProvider clock,
    IOptions<ActivityOptions> options,
    ILogger<ActivityGroupCreatedConsumer> logger
) : IdempotentConsumer<GroupCreated, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<GroupCreated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        if (m.Visibility != GroupVisibility.Public || m.Interests is not { Count: > 0 } || m.Region is null)
            return Task.CompletedTask;
        var suggestion = new Suggestion(
            ActivityFeed.GroupSource(m.GroupId),
            ActivityTypes.Opportunity,
            m.OwnerUserId,
            [.. m.Interests],
            m.Region,
            null,
            null,
            "A circle for you",
            $"{m.Name} in {m.Region} matches your interests: ",
            "Join circle",
            $"/api/v1/groups/{m.GroupId}"
        );
        return ActivityFeed.FanOutAsync(
            Db,
            suggestion,
            clock.GetUtcNow(),
            m.OccurredAt,
            options.Value.MaxItemsPerPublication,
            cancellationToken
        );
    }
}

/// <summary>A course whose category is one of members' interests, wherever they live.</summary>
public sealed class ActivityCoursePublishedConsumer(
    CompanionDbContext db,
    TimeProvider clock,
    IOptions<ActivityOptions> options,
    ILogger<ActivityCoursePublishedConsumer> logger
) : IdempotentConsumer<CoursePublished, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<CoursePublished> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var suggestion = new Suggestion(
            ActivityFeed.CourseSource(m.CourseId),
            ActivityTypes.Insight,
            m.OrganizerUserId,
            [m.Category],
            null,
            null,
            null,
            "A course that fits",
            $"{m.Title} is a course for your interest in ",
            "View course",
            $"/api/v1/courses/{m.CourseId}"
        );
        return ActivityFeed.FanOutAsync(
            Db,
            suggestion,
            clock.GetUtcNow(),
            m.OccurredAt,
            options.Value.MaxItemsPerPublication,
            cancellationToken
        );
    }
}

public sealed class ActivityConnectionAcceptedConsumer(
    CompanionDbContext db,
    TimeProvider clock,
    ILogger<ActivityConnectionAcceptedConsumer> logger
) : IdempotentConsumer<ConnectionAccepted, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<ConnectionAccepted> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        return ActivityFeed.ConnectedAsync(
            Db,
            m.ConnectionId,
            m.FromUserId,
            m.ToUserId,
            clock.GetUtcNow(),
            m.OccurredAt,
            cancellationToken
        );
    }
}

public sealed class ActivityBoostPurchasedConsumer(
    CompanionDbContext db,
    ILogger<ActivityBoostPurchasedConsumer> logger
) : IdempotentConsumer<BoostPurchased, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<BoostPurchased> context, CancellationToken cancellationToken) =>
        ActivityFeed.BoostEndsAsync(
            Db,
            context.Message.UserId,
            context.Message.BoostedUntil,
            context.Message.OccurredAt,
            cancellationToken
        );
}

public sealed class ActivityBoostRevokedConsumer(CompanionDbContext db, ILogger<ActivityBoostRevokedConsumer> logger)
    : IdempotentConsumer<BoostRevoked, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<BoostRevoked> context, CancellationToken cancellationToken) =>
        ActivityFeed.BoostEndsAsync(
            Db,
            context.Message.UserId,
            context.Message.BoostedUntil,
            context.Message.OccurredAt,
            cancellationToken
        );
}

// What is gone is no longer suggested.

public sealed class ActivityEventCancelledConsumer(
    CompanionDbContext db,
    ILogger<ActivityEventCancelledConsumer> logger
) : IdempotentConsumer<EventCancelled, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<EventCancelled> context, CancellationToken cancellationToken) =>
        ActivityFeed.WithdrawAsync(
            Db,
            ActivityFeed.EventSource(context.Message.EventId),
            context.Message.OccurredAt,
            cancellationToken
        );
}

public sealed class ActivityGroupDeletedConsumer(CompanionDbContext db, ILogger<ActivityGroupDeletedConsumer> logger)
    : IdempotentConsumer<GroupDeleted, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<GroupDeleted> context, CancellationToken cancellationToken) =>
        ActivityFeed.WithdrawAsync(
            Db,
            ActivityFeed.GroupSource(context.Message.GroupId),
            context.Message.OccurredAt,
            cancellationToken
        );
}

/// <summary>An event made private is no longer suggested: its page is for its invitees only.</summary>
public sealed class ActivityEventUpdatedConsumer(CompanionDbContext db, ILogger<ActivityEventUpdatedConsumer> logger)
    : IdempotentConsumer<EventUpdated, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<EventUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var hidden = m.Visibility is { } visibility
            ? visibility != EventVisibility.Public
            : m.ChangedFields.Contains("visibility");
        return hidden
            ? ActivityFeed.WithdrawAsync(Db, ActivityFeed.EventSource(m.EventId), m.OccurredAt, cancellationToken)
            : Task.CompletedTask;
    }
}

/// <summary>
/// A group whose visibility changed is no longer suggested: only a public group ever was, so it no longer is one.
/// </summary>
public sealed class ActivityGroupUpdatedConsumer(CompanionDbContext db, ILogger<ActivityGroupUpdatedConsumer> logger)
    : IdempotentConsumer<GroupUpdated, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<GroupUpdated> context, CancellationToken cancellationToken) =>
        context.Message.ChangedFields.Contains("visibility")
            ? ActivityFeed.WithdrawAsync(
                Db,
                ActivityFeed.GroupSource(context.Message.GroupId),
                context.Message.OccurredAt,
                cancellationToken
            )
            : Task.CompletedTask;
}

public sealed class ActivityCourseWithdrawnConsumer(
    CompanionDbContext db,
    ILogger<ActivityCourseWithdrawnConsumer> logger
) : IdempotentConsumer<CourseWithdrawn, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<CourseWithdrawn> context, CancellationToken cancellationToken) =>
        ActivityFeed.WithdrawAsync(
            Db,
            ActivityFeed.CourseSource(context.Message.CourseId),
            context.Message.OccurredAt,
            cancellationToken
        );
}

public sealed class ActivityConnectionRemovedConsumer(
    CompanionDbContext db,
    ILogger<ActivityConnectionRemovedConsumer> logger
) : IdempotentConsumer<ConnectionRemoved, CompanionDbContext>(db, logger)
{
    protected override Task HandleAsync(
        ConsumeContext<ConnectionRemoved> context,
        CancellationToken cancellationToken
    ) =>
        ActivityFeed.WithdrawAsync(
            Db,
            ActivityFeed.ConnectionSource(context.Message.ConnectionId),
            context.Message.OccurredAt,
            cancellationToken
        );
}
