using Community.ServiceDefaults.Errors;

namespace Community.Events.Photos;

/// <summary>What other features read of an event's photos.</summary>
public static class PhotoQueries
{
    /// <summary>
    /// Locks a draft about to be deleted and returns its photos' and cover's blob keys, inside the deleting
    /// transaction: an upload racing the deletion waits for the lock and then fails, so no row goes by cascade without
    /// its key. A draft published since the caller read it is refused (409): deleting it would drop its registrations
    /// unannounced.
    /// </summary>
    public static async Task<IReadOnlyList<string>> LockDraftBlobKeysAsync(
        EventsDbContext db,
        Guid eventId,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Lock the draft inside the transaction that deletes it.");
        var status = await db
            .Database.SqlQuery<string>(
                $"SELECT status AS \"Value\" FROM community_events WHERE id = {eventId} FOR UPDATE"
            )
            .ToListAsync(cancellationToken);
        if (status.Count == 0)
            throw new NotFoundException("No event has this id."); // deleted meanwhile
        if (status[0] != EventStatus.Draft)
            throw new ConflictException(
                "This event was published meanwhile, so it is no longer a draft to delete; cancel it instead (delete "
                    + "it again), which tells whoever registered."
            );
        var keys = await db
            .EventPhotos.Where(p => p.EventId == eventId)
            .Select(p => p.BlobKey)
            .ToListAsync(cancellationToken);
        var cover = await db
            .CommunityEvents.Where(e => e.Id == eventId)
            .Select(e => e.CoverImageKey)
            .FirstAsync(cancellationToken);
        return cover is null ? keys : [.. keys, cover];
    }
}
