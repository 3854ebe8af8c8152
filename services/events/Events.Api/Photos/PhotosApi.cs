using System.Security.Claims;
using Community.Contracts.Events;
using Community.Events.Catalogue;
using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Community.Events.Photos;

public sealed record PhotoDto(
    Guid Id,
    Guid EventId,
    Guid UploadedBy,
    string ContentType,
    long SizeBytes,
    int? Width,
    int? Height,
    string? Caption,
    string Url,
    DateTimeOffset CreatedAt
)
{
    public static PhotoDto From(EventPhoto photo, IBlobStore blobs) =>
        new(
            photo.Id,
            photo.EventId,
            photo.UploadedBy,
            photo.ContentType,
            photo.SizeBytes,
            photo.Width,
            photo.Height,
            photo.Caption,
            blobs.PublicUrl(photo.BlobKey) ?? $"/api/v1/events/{photo.EventId}/photos/{photo.Id}/content",
            photo.CreatedAt
        );
}

/// <summary>
/// The upload form, for the OpenAPI document (the handler reads the form itself, after checking who may upload).
/// </summary>
public sealed record PhotoUpload(IFormFile File, string? Caption);

public sealed record PhotosQuery(int? Page, [PageSize(PageLimits.DefaultLimit)] int? Limit, string? Cursor);

public static class PhotosApi
{
    public const long MaxPhotoBytes = 10 * 1024 * 1024;

    /// <summary>The photo plus room for the multipart framing and the caption.</summary>
    public const long MaxUploadBytes = MaxPhotoBytes + ImageUploads.FormOverheadBytes;
    public const int MaxCaptionLength = 500;

    /// <summary>
    /// Photos one person keeps in one event's gallery: a member registered for any free event could otherwise fill
    /// the store without end, 10 MB a time, and keep the image decoders busy for everyone else.
    /// </summary>
    public const int MaxPhotosPerPerson = 100;

    public static RouteGroupBuilder MapPhotosApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/events/{id:guid}/photos")
            .DescribesPathParameter("id", "The event's id.")
            .DescribesPathParameter("photo_id", "The id of one of the event's photos.")
            .WithTags("Photos")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Upload)
            .WithName("UploadEventPhoto")
            .WithSummary(
                "Add a photo (JPEG, PNG or WebP, at most 10 MB, 12000 px a side and 50 megapixels; form fields file "
                    + "and caption; re-encoded): organizer or confirmed attendee"
            )
            .AcceptsImageUpload<PhotoUpload>(MaxUploadBytes)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("", List).WithName("ListEventPhotos").WithSummary("The event's photos, newest first");
        group
            .MapGet("/{photoId:guid}/content", Content)
            .WithName("GetEventPhotoContent")
            .WithSummary("The photo's image bytes")
            .ProducesFile(BlobDownloads.ImageTypes)
            .RevalidatedByValidators();
        group
            .MapDelete("/{photoId:guid}", Delete)
            .WithName("DeleteEventPhoto")
            .WithSummary("Remove a photo (its uploader, the organizer or an admin)");
        return group;
    }

    private static async Task<Created<PhotoDto>> Upload(
        Guid id,
        HttpRequest request,
        ClaimsPrincipal principal,
        EventsDbContext db,
        IBlobStore blobs,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var caller = CatalogueAccess.CallerOf(principal);
        var userId = caller.UserId!.Value;
        var e = await CatalogueAccess.VisibleAsync(db, id, caller, cancellationToken);
        await EnsureMayAddAsync(db, e, caller, cancellationToken);
        // Asked before the upload is read, so a full gallery costs no decoding; counted again, exactly, before saving.
        await EnsureRoomAsync(db, id, userId, cancellationToken);

        var image = await ImageUploads.ReadAsync(
            request,
            MaxPhotoBytes,
            ImageLimits.Photo,
            "photo",
            cancellationToken,
            (form, errors) => errors.MaxLength("caption", ((string?)form["caption"])?.Trim(), MaxCaptionLength)
        );
        var caption = ((string?)image.Form["caption"])?.Trim() is { Length: > 0 } text ? text : null;
        await using var content = image.OpenRead();
        var (format, size) = (image.Format, image.Size);

        var photoId = NewId.Next(clock);
        var photo = new EventPhoto
        {
            Id = photoId,
            EventId = id,
            UploadedBy = userId,
            BlobKey = EventPhoto.KeyFor(id, photoId, format),
            ContentType = format.ContentType,
            SizeBytes = image.Length,
            Width = size.Width,
            Height = size.Height,
            Caption = caption,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Add(photo);
        // The file first, then its row; whatever stops the row (the client leaving during the put, a put whose answer
        // was lost, the database out of reach, the event deleted meanwhile) deletes the file, so none is orphaned.
        try
        {
            await blobs.PutAsync(photo.BlobKey, content, format.ContentType, cancellationToken);
            // Stored: from here a client leaving no longer cancels; the photo it sent is kept, as if it had waited.
            // The person's uploads to the event are counted one at a time (a lock of theirs alone, never over the
            // blob call), so uploads at once cannot pass the limit together.
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            await db.Database.LockKeyAsync($"event-photos:{id}:{userId}", CancellationToken.None);
            // The event's row before the profile row, the order an organizer's erasure locks them in. A key share lock
            // (the insert's own): a seat change, an attendee's erasure's too, does not wait for it.
            var locked =
                (
                    await db
                        .CommunityEvents.FromSql($"SELECT *, xmin FROM community_events WHERE id = {id} FOR KEY SHARE")
                        .AsNoTracking()
                        .ToListAsync(CancellationToken.None)
                ).SingleOrDefault() ?? throw new NotFoundException("No event has this id.");
            // A cancellation answered before the profile row is waited for: an organizer's erasure holding it may be
            // about to lock this cancelled event's row for its cover.
            if (locked.Status == EventStatus.Cancelled)
                throw new ConflictException(CancelledEvent);
            await ErasedAccounts.ThrowIfErasedAsync(db, userId, CancellationToken.None);
            // Asked again, as the body may have taken long: a cancellation, refund or block since then refuses it.
            await EnsureMayAddAsync(db, locked, caller, CancellationToken.None);
            // Timed under the lock a deletion of theirs takes too: a deletion that counted none left comes before
            // this photo, and the feed keeps the news this one brings.
            photo.CreatedAt = clock.GetUtcNow();
            db.AddIntegrationEvent(new EventPhotoAdded(Guid.CreateVersion7(), photo.CreatedAt, photoId, id, userId));
            await EnsureRoomAsync(db, id, userId, CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The transaction is over (rolled back, unless a commit whose answer was lost went through): the file goes
            // unless its row is there, or cannot be asked about; a file left over is the lesser harm than a photo
            // whose content answers 404.
            if (!await MaybeSavedAsync(db, photoId))
                await blobs.TryDeleteAsync(photo.BlobKey, loggers.CreateLogger(typeof(PhotosApi)));
            if (exception is DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: "23503" } })
                throw new NotFoundException("No event has this id.");
            throw;
        }
        return TypedResults.Created($"/api/v1/events/{id}/photos/{photoId}", PhotoDto.From(photo, blobs));
    }

    private const string CancelledEvent = "This event was cancelled; it takes no new photos.";

    /// <summary>
    /// 409 when <paramref name="e"/> was cancelled; 403 unless the caller manages it or holds a confirmed
    /// registration, or when they are in a block with its organizer.
    /// </summary>
    private static async Task EnsureMayAddAsync(
        EventsDbContext db,
        CommunityEvent e,
        CatalogueAccess.Caller caller,
        CancellationToken cancellationToken
    )
    {
        var userId = caller.UserId!.Value;
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException(CancelledEvent);
        if (
            !e.IsManagedBy(userId, caller.IsAdmin)
            && !await db.Registrations.AnyAsync(
                r => r.EventId == e.Id && r.UserId == userId && r.Status == RegistrationStatus.Confirmed,
                cancellationToken
            )
        )
            throw new ForbiddenException(
                "Only the organizer and attendees with a confirmed registration may add photos."
            );
        // An attendee who registered before a block keeps their seat, not a place in the organizer's gallery.
        if (await CatalogueAccess.InBlockWithOrganizerAsync(db, e, caller, cancellationToken))
            throw new ForbiddenException(
                "You cannot add photos to an event whose organizer you blocked or who blocked you."
            );
    }

    private static async Task<bool> MaybeSavedAsync(EventsDbContext db, Guid photoId)
    {
        try
        {
            return await db.EventPhotos.AsNoTracking().AnyAsync(p => p.Id == photoId, CancellationToken.None);
        }
        catch (Exception)
        {
            return true;
        }
    }

    /// <summary>409 when <paramref name="userId"/> has <see cref="MaxPhotosPerPerson"/> photos in the event.</summary>
    private static async Task EnsureRoomAsync(
        EventsDbContext db,
        Guid eventId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        if (
            await db.EventPhotos.CountAsync(p => p.EventId == eventId && p.UploadedBy == userId, cancellationToken)
            >= MaxPhotosPerPerson
        )
            throw new ConflictException(
                $"You have {MaxPhotosPerPerson} photos in this event's gallery, as many as one person may add; "
                    + "delete one to add another."
            );
    }

    private static async Task<Ok<PageOf<PhotoDto>>> List(
        Guid id,
        [AsParameters] PhotosQuery query,
        ClaimsPrincipal principal,
        EventsDbContext db,
        IBlobStore blobs,
        IOptions<EventsOptions> options,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var start = NumberedCursor.Read(
            query.Page,
            query.Limit,
            query.Cursor,
            PageLimits.DefaultLimit,
            TimeAndId.Parse,
            errors
        );
        errors.ThrowIfAny();

        var caller = CatalogueAccess.CallerOf(principal);
        var e = await CatalogueAccess.VisibleAsync(db, id, caller, cancellationToken);
        var hidden = await HiddenUploadersAsync(db, e, caller, cancellationToken);
        var photos = db.Set<EventPhoto>().AsNoTracking().Where(p => p.EventId == id);
        if (hidden.Count > 0)
            photos = photos.Where(p => !hidden.Contains(p.UploadedBy));
        var (total, rows) = await db.TotalAndPageAsync(
            photos,
            options.Value.ExactTotalUpTo,
            listed => listed.NewestFirstPage(start).ToListAsync(cancellationToken),
            cancellationToken
        );
        return TypedResults.Ok(
            start.Page.Of(rows, total, p => new TimeAndId(p.CreatedAt, p.Id).ToString(), p => PhotoDto.From(p, blobs))
        );
    }

    private static async Task<FileStreamHttpResult> Content(
        Guid id,
        Guid photoId,
        ClaimsPrincipal principal,
        HttpResponse response,
        EventsDbContext db,
        IBlobStore blobs,
        CancellationToken cancellationToken
    )
    {
        var caller = CatalogueAccess.CallerOf(principal);
        var e = await CatalogueAccess.VisibleAsync(db, id, caller, cancellationToken);
        var photo = await FindAsync(db.Set<EventPhoto>().AsNoTracking(), id, photoId, cancellationToken);
        if ((await HiddenUploadersAsync(db, e, caller, cancellationToken)).Contains(photo.UploadedBy))
            throw new NotFoundException(NoSuchPhoto);
        var blob =
            await blobs.OpenReadAsync(photo.BlobKey, cancellationToken)
            ?? throw new NotFoundException("This photo's image is missing.");
        response.Headers.CacheControl = "private, max-age=86400";
        return response.Serve(
            blob,
            photo.ContentType,
            lastModified: photo.CreatedAt,
            entityTag: new EntityTagHeaderValue($"\"{photo.Id:N}\"")
        );
    }

    private static async Task<NoContent> Delete(
        Guid id,
        Guid photoId,
        ClaimsPrincipal principal,
        EventsDbContext db,
        IBlobStore blobs,
        ILoggerFactory loggers,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var caller = CatalogueAccess.CallerOf(principal);
        var photo = await db.Set<EventPhoto>()
            .AsNoTracking()
            .FirstOrDefaultAsync(p => p.Id == photoId && p.EventId == id, cancellationToken);
        // One's own photo is one's own to delete, even once the event is hidden from one (a registration cancelled and
        // a block with the organizer, an invitation withdrawn); anyone else's needs the event in sight and managed.
        if (photo is null || photo.UploadedBy != caller.UserId)
        {
            var e = await CatalogueAccess.VisibleAsync(db, id, caller, cancellationToken);
            if (photo is null)
                throw new NotFoundException(NoSuchPhoto);
            if (!e.IsManagedBy(caller.UserId!.Value, caller.IsAdmin))
                throw new ForbiddenException(
                    "Only the photo's uploader, the event's organizer or an admin may delete it."
                );
        }
        // Deleted by this statement or not at all: a second delete at the same moment finds it gone (404), and only the
        // one that removed the row removes its file, once it committed. The uploader's photos left are counted under
        // the lock their uploads take, so the feed hears "none left" only when none is.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Database.LockKeyAsync($"event-photos:{id}:{photo.UploadedBy}", cancellationToken);
            if (await db.Set<EventPhoto>().Where(p => p.Id == photo.Id).ExecuteDeleteAsync(cancellationToken) == 0)
                throw new NotFoundException("This event has no photo with this id.");
            var left = await db.Set<EventPhoto>()
                .CountAsync(p => p.EventId == id && p.UploadedBy == photo.UploadedBy, cancellationToken);
            db.AddIntegrationEvent(
                new EventPhotoRemoved(Guid.CreateVersion7(), clock.GetUtcNow(), photo.Id, id, photo.UploadedBy, left)
            );
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await blobs.TryDeleteAsync(photo.BlobKey, loggers.CreateLogger(typeof(PhotosApi)));
        return TypedResults.NoContent();
    }

    private const string NoSuchPhoto = "This event has no photo with this id.";

    /// <summary>
    /// Whose photos the caller does not see: the people in a block with them, either way, as everywhere else a blocked
    /// person's content is kept from the other. The event's managers and admins see every photo, to moderate them.
    /// </summary>
    private static async Task<List<Guid>> HiddenUploadersAsync(
        EventsDbContext db,
        CommunityEvent e,
        CatalogueAccess.Caller caller,
        CancellationToken cancellationToken
    ) =>
        caller.UserId is not { } userId || e.IsManagedBy(userId, caller.IsAdmin)
            ? []
            : await UserBlockQueries.WithAsync(db, userId, cancellationToken);

    private static async Task<EventPhoto> FindAsync(
        IQueryable<EventPhoto> photos,
        Guid eventId,
        Guid photoId,
        CancellationToken cancellationToken
    ) =>
        await photos.FirstOrDefaultAsync(p => p.Id == photoId && p.EventId == eventId, cancellationToken)
        ?? throw new NotFoundException(NoSuchPhoto);
}
