using Community.Contracts.Identity;
using Community.ServiceDefaults.Blobs;

namespace Community.Events.Photos;

/// <summary>
/// A deleted account's photos go, rows then files. The files are not kept until the commit: should it fail, the
/// message is retried and the rows go then, and for an erased person a missing file is the right side to err on.
/// </summary>
public sealed class PhotoEraser(EventsDbContext db, IBlobStore blobs, ILogger<PhotoEraser> logger) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        // Also the photos of the user's drafts, which are deleted too (the rows would go by cascade, the files would
        // not).
        var photos = db.EventPhotos.Where(p =>
            p.UploadedBy == userId
            || db.CommunityEvents.Any(e =>
                e.Id == p.EventId && e.OrganizerId == userId && e.Status == EventStatus.Draft
            )
        );
        var keys = await photos.Select(p => p.BlobKey).ToListAsync(cancellationToken);
        var draftCovers = await db
            .CommunityEvents.Where(e =>
                e.OrganizerId == userId && e.Status == EventStatus.Draft && e.CoverImageKey != null
            )
            .Select(e => e.CoverImageKey!)
            .ToListAsync(cancellationToken);
        if (keys.Count + draftCovers.Count == 0)
            return;

        await photos.ExecuteDeleteAsync(cancellationToken);
        foreach (var key in keys.Concat(draftCovers))
            await blobs.TryDeleteAsync(key, logger);
        logger.LogInformation(
            "Erased {Count} photos and {Covers} draft covers of deleted user {UserId}",
            keys.Count,
            draftCovers.Count,
            userId
        );
    }
}
