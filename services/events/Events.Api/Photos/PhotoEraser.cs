using Community.Events.Data;
using Community.Events.Users;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Photos;

/// <summary>
/// A deleted account's photos go: the rows inside the UserDeleted transaction, then the blobs,
/// best-effort. Blobs are not kept until the commit: should it fail, the message is retried and the
/// rows go then, and for an erased person a missing file is the right side to err on.
/// </summary>
public sealed class PhotoEraser(EventsDbContext db, IBlobStore blobs, ILogger<PhotoEraser> logger) : IUserDataEraser
{
    public async Task EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        // Also the photos of the user's drafts, which the consumer deletes (the rows would go by cascade, the files would not).
        var photos = db.Set<EventPhoto>().Where(p => p.UploadedBy == userId
            || db.Events.Any(e => e.Id == p.EventId && e.OrganizerId == userId && e.Status == EventStatus.Draft));
        var keys = await photos.Select(p => p.BlobKey).ToListAsync(cancellationToken);
        if (keys.Count == 0) return;

        await photos.ExecuteDeleteAsync(cancellationToken);
        foreach (var key in keys) await blobs.TryDeleteAsync(key, logger);
        logger.LogInformation("Erased {Count} photos of deleted user {UserId}", keys.Count, userId);
    }
}
