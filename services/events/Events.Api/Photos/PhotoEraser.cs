using Community.Events.Data;
using Community.Events.Users;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Photos;

/// <summary>
/// Photo files go with their rows: a deleted account's photos, and a deleted draft's. For an account
/// the rows go inside the UserDeleted transaction, then the blobs, best-effort. Blobs are not kept until
/// the commit: should it fail, the message is retried and the rows go then, and for an erased person a
/// missing file is the right side to err on.
/// </summary>
public sealed class PhotoEraser(EventsDbContext db, IBlobStore blobs, ILogger<PhotoEraser> logger) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        // Also the photos of the user's drafts, which the consumer deletes (the rows would go by cascade, the files would not).
        var photos = db.Set<EventPhoto>()
            .Where(p =>
                p.UploadedBy == userId
                || db.Events.Any(e => e.Id == p.EventId && e.OrganizerId == userId && e.Status == EventStatus.Draft)
            );
        var keys = await photos.Select(p => p.BlobKey).ToListAsync(cancellationToken);
        var draftCovers = await db
            .Events.Where(e => e.OrganizerId == userId && e.Status == EventStatus.Draft && e.CoverImageKey != null)
            .Select(e => e.CoverImageKey!)
            .ToListAsync(cancellationToken);
        if (keys.Count + draftCovers.Count == 0)
            return;

        await photos.ExecuteDeleteAsync(cancellationToken);
        await DeleteBlobsAsync(keys.Concat(draftCovers));
        logger.LogInformation(
            "Erased {Count} photos and {Covers} draft covers of deleted user {UserId}",
            keys.Count,
            draftCovers.Count,
            userId
        );
    }

    /// <summary>
    /// Locks a draft about to be deleted and returns its photos' and cover's blob keys, inside the deleting transaction: an upload
    /// racing the deletion waits for the lock and then fails, so no photo's row goes by cascade without its key listed.
    /// </summary>
    public async Task<IReadOnlyList<string>> LockDraftForDeletionAsync(
        Guid eventId,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Lock the draft inside the transaction that deletes it.");
        var locked = await db
            .Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM community_events WHERE id = {eventId} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (locked.Count == 0)
            throw new NotFoundException("No event has this id."); // deleted meanwhile
        var keys = await db.Set<EventPhoto>()
            .Where(p => p.EventId == eventId)
            .Select(p => p.BlobKey)
            .ToListAsync(cancellationToken);
        var cover = await db
            .Events.Where(e => e.Id == eventId)
            .Select(e => e.CoverImageKey)
            .FirstAsync(cancellationToken);
        return cover is null ? keys : [.. keys, cover];
    }

    /// <summary>Deletes the files of photo rows already gone, best-effort: a failure is logged and leaves an orphaned file.</summary>
    public async Task DeleteBlobsAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
            await blobs.TryDeleteAsync(key, logger);
    }
}
