using Community.Contracts.Events;

namespace Community.Events.Photos;

/// <summary>
/// How an event's cover changes, for the cover endpoints and for the features that take a cover off an event.
/// </summary>
public static class CoverRules
{
    /// <summary>
    /// Takes the cover off an event, uploaded or linked and whatever the event's status, in the caller's unit of work:
    /// for the moderators' removal and an organizer's erasure, after which nobody may still be served it (a cancelled
    /// or past event stays visible). Returns the blob key it no longer uses, for the caller to delete once the row is
    /// saved; the row is the caller's to lock and save.
    /// </summary>
    public static string? Remove(EventsDbContext db, CommunityEvent e, DateTimeOffset now)
    {
        if (e.CoverImageUrl is null && e.CoverImageKey is null)
            return null;
        var removed = e.CoverImageKey;
        Set(db, e, url: null, key: null, now);
        return removed;
    }

    /// <summary>Points the event to another cover (null: none); a published event's change is announced.</summary>
    internal static void Set(EventsDbContext db, CommunityEvent e, string? url, string? key, DateTimeOffset now)
    {
        e.CoverImageUrl = url;
        e.CoverImageKey = key;
        e.UpdatedAt = now;
        if (e.Status == EventStatus.Published)
            db.AddIntegrationEvent(new EventUpdated(Guid.CreateVersion7(), now, e.Id, ["cover_image_url"]));
    }
}
