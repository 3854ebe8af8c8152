using Community.Contracts;
using Community.Contracts.Events;
using MassTransit;

namespace Community.Social.Search;

// Events' messages keep the events' search documents; an older message changes nothing (as_of). Named Search... so
// their queues stay apart from the feed's consumers of the same messages.

/// <summary>A published event becomes findable (public ones by all, private ones by their organizer).</summary>
public sealed class SearchEventPublishedConsumer(SocialDbContext db, ILogger<SearchEventPublishedConsumer> logger)
    : IdempotentConsumer<EventPublished, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<EventPublished> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        var isPublic = m.Visibility == EventVisibility.Public;
        var body = EventBody(m);
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO search_documents AS d (kind, id, owner_id, title, body, is_public, as_of)
                VALUES ({SearchKinds.Events}, {m.EventId}, {m.OrganizerUserId}, {m.Title}, {body}, {isPublic}, {at})
            ON CONFLICT (kind, id) DO UPDATE SET owner_id = EXCLUDED.owner_id, title = EXCLUDED.title,
                body = EXCLUDED.body, is_public = EXCLUDED.is_public, as_of = EXCLUDED.as_of,
                revision = d.revision + CASE WHEN (d.title, d.body) IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.body)
                    THEN 1 ELSE 0 END
            WHERE d.as_of IS NULL OR d.as_of <= EXCLUDED.as_of
            """,
            cancellationToken
        );
    }

    /// <summary>What the event is about, beside its title (the message carries no description).</summary>
    private static string EventBody(EventPublished m) =>
        string.Join(
            ". ",
            new[]
            {
                m.Interests is { Count: > 0 } interests ? "Interests: " + string.Join(", ", interests) : null,
                string.Join(", ", new[] { m.City, m.Region, m.Country }.Where(x => !string.IsNullOrWhiteSpace(x))),
            }.Where(x => !string.IsNullOrWhiteSpace(x))
        );
}

/// <summary>A published event's new title or visibility.</summary>
public sealed class SearchEventUpdatedConsumer(SocialDbContext db, ILogger<SearchEventUpdatedConsumer> logger)
    : IdempotentConsumer<EventUpdated, SocialDbContext>(db, logger)
{
    protected override bool Concerns(EventUpdated message) =>
        message.ChangedFields.Contains("title") || message.ChangedFields.Contains("visibility");

    protected override Task HandleAsync(ConsumeContext<EventUpdated> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var at = m.OccurredAt.ToUniversalTime();
        var title = m.ChangedFields.Contains("title") ? m.Title : null;
        // A visibility change that does not say the new one hides the event: private is the safe guess.
        bool? isPublic = m.ChangedFields.Contains("visibility") ? m.Visibility == EventVisibility.Public : null;
        return Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE search_documents SET title = COALESCE({title}::text, title),
                is_public = COALESCE({isPublic}::boolean, is_public), as_of = {at},
                revision = revision + CASE WHEN {title}::text IS DISTINCT FROM NULL AND {title}::text <> title
                    THEN 1 ELSE 0 END
            WHERE kind = {SearchKinds.Events} AND id = {m.EventId} AND (as_of IS NULL OR as_of <= {at})
            """,
            cancellationToken
        );
    }
}

/// <summary>A cancelled event is found no more (a cancellation that overtook the publication is remembered).</summary>
public sealed class SearchEventCancelledConsumer(SocialDbContext db, ILogger<SearchEventCancelledConsumer> logger)
    : IdempotentConsumer<EventCancelled, SocialDbContext>(db, logger)
{
    protected override Task HandleAsync(ConsumeContext<EventCancelled> context, CancellationToken cancellationToken)
    {
        var eventId = context.Message.EventId;
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO search_documents AS d (kind, id, title, body, is_public, cancelled)
                VALUES ({SearchKinds.Events}, {eventId}, '', '', false, true)
            ON CONFLICT (kind, id) DO UPDATE SET cancelled = true, embedding = NULL, title = '', body = '',
                embedded_seq = nextval('search_documents_embedded_seq')
            """,
            cancellationToken
        );
    }
}
