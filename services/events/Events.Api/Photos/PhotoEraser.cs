using Community.Contracts.Identity;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Blobs;

namespace Community.Events.Photos;

/// <summary>
/// A deleted account's photos go, rows then files, and so do the covers of every event the account organised: a
/// draft's with the draft; a cancelled or past event's taken off its row, as the event stays visible and its cover
/// would go on being served. The files are not kept until the commit: should it fail, the message is retried and the
/// rows go then (a cover meanwhile answers 404), and for an erased person a missing file is the right side to err on.
/// </summary>
public sealed class PhotoEraser(EventsDbContext db, IBlobStore blobs, TimeProvider clock, ILogger<PhotoEraser> logger)
    : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        // The account's profile row first: an upload of theirs under way holds it shared until its photo commits, so
        // that photo is waited for and erased below; one that comes after finds the tombstone (PhotosApi).
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM user_profiles WHERE user_id = {userId} FOR UPDATE",
            cancellationToken
        );
        // Also the photos of the user's drafts, which are deleted too (the rows would go by cascade, the files would
        // not).
        var photos = db.EventPhotos.Where(p =>
            p.UploadedBy == userId
            || db.CommunityEvents.Any(e =>
                e.Id == p.EventId && e.OrganizerId == userId && e.Status == EventStatus.Draft
            )
        );
        var keys = await photos.Select(p => p.BlobKey).ToListAsync(cancellationToken);
        var covers = await RemoveCoversAsync(userId, cancellationToken);
        if (keys.Count + covers.Count == 0)
            return;

        await photos.ExecuteDeleteAsync(cancellationToken);
        foreach (var key in keys.Concat(covers))
            await blobs.TryDeleteAsync(key, logger);
        logger.LogInformation(
            "Erased {Count} photos and {Covers} uploaded covers of deleted user {UserId}",
            keys.Count,
            covers.Count,
            userId
        );
    }

    /// <summary>
    /// Takes the cover, uploaded or linked, off every event the user organised (saved with the rest), and returns the
    /// uploaded ones' blob keys. Locked as the cover endpoints lock them, so an admin's change at the same moment takes
    /// its turn: the events not yet cancelled are locked already (OrganizerEventsEraser), the cancelled ones are not.
    /// </summary>
    private async Task<List<string>> RemoveCoversAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
            $"""
            SELECT 1 FROM community_events WHERE organizer_id = {userId} AND cover_image_url IS NOT NULL
            ORDER BY id FOR UPDATE
            """,
            cancellationToken
        );
        // Tracked: the events OrganizerEventsEraser cancelled or deleted are the instances it changed. An uploaded
        // cover has its address in cover_image_url too.
        var covered = await db
            .CommunityEvents.Where(e => e.OrganizerId == userId && e.CoverImageUrl != null)
            .ToListAsync(cancellationToken);
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
        var keys = new List<string>();
        foreach (var e in covered)
        {
            // A draft being deleted takes its row with it: only its file is left to delete.
            var key = db.Entry(e).State == EntityState.Deleted ? e.CoverImageKey : CoverRules.Remove(db, e, now);
            if (key is not null)
                keys.Add(key);
        }
        return keys;
    }
}
