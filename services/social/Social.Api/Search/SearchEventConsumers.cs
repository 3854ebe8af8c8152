using Community.Contracts;
using Community.Contracts.Events;
using Community.Social.Feed;
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
            ON CONFLICT (kind, id) DO UPDATE SET owner_id = COALESCE(EXCLUDED.owner_id, d.owner_id),
                title = CASE WHEN d.as_of IS NULL OR d.as_of <= EXCLUDED.as_of THEN EXCLUDED.title ELSE d.title END,
                body = EXCLUDED.body,
                is_public = CASE WHEN d.as_of IS NULL OR d.as_of <= EXCLUDED.as_of THEN EXCLUDED.is_public
                    ELSE d.is_public END,
                as_of = GREATEST(d.as_of, EXCLUDED.as_of),
                revision = d.revision + CASE WHEN (d.title, d.body) IS DISTINCT FROM (
                    CASE WHEN d.as_of IS NULL OR d.as_of <= EXCLUDED.as_of THEN EXCLUDED.title ELSE d.title END,
                    EXCLUDED.body) THEN 1 ELSE 0 END
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
        var (title, isPublic) = EventStateRules.After(m);
        // Written even before its EventPublished was handled here: that older message then only adds what this one
        // does not carry (the organizer, the interests and place), so an event made private at once is never found.
        return Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO search_documents AS d (kind, id, title, body, is_public, as_of)
                VALUES ({SearchKinds.Events}, {m.EventId}, COALESCE({title}::text, ''), '',
                    COALESCE({isPublic}::boolean, false), {at})
            ON CONFLICT (kind, id) DO UPDATE SET title = COALESCE({title}::text, d.title),
                is_public = COALESCE({isPublic}::boolean, d.is_public), as_of = EXCLUDED.as_of,
                revision = d.revision + CASE WHEN {title}::text IS DISTINCT FROM NULL AND {title}::text <> d.title
                    THEN 1 ELSE 0 END
            WHERE d.as_of IS NULL OR d.as_of <= EXCLUDED.as_of
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
