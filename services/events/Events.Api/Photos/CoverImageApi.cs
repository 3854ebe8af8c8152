using System.Security.Claims;
using Community.Events.Catalogue;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Community.Events.Photos;

/// <summary>
/// The cover form, for the OpenAPI document (the handler reads the form itself, after checking who may upload).
/// </summary>
public sealed record CoverImageUpload(IFormFile File);

/// <summary>
/// An event's uploaded cover image: stored in the photos' blob store, its address put in cover_image_url.
/// A cover_image_url the organizer gives in PATCH still works; uploading or deleting replaces either kind. A cancelled
/// event stays visible, and so would its cover: it takes no new one, but its cover can still be removed.
/// </summary>
public static class CoverImageApi
{
    public const long MaxCoverBytes = 5 * 1024 * 1024;
    public const long MaxUploadBytes = MaxCoverBytes + ImageUploads.FormOverheadBytes;

    public static RouteGroupBuilder MapCoverImageApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/events/{id:guid}/cover")
            .DescribesPathParameter("id", "The event's id.")
            .WithTags("Events")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPut("", Upload)
            .WithName("UploadEventCover")
            .HonoursIfMatch()
            .WithSummary(
                "Set the cover image (JPEG, PNG or WebP, at most 5 MB, 12000 px a side and 50 megapixels; form field "
                    + "file; re-encoded): owner or admin"
            )
            .WithDescription(
                "409 for a cancelled event, and for a published one that has ended; DELETE still removes a cover."
            )
            .AcceptsImageUpload<CoverImageUpload>(MaxUploadBytes)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapDelete("", Delete)
            .WithName("DeleteEventCover")
            .HonoursIfMatch()
            .WithSummary("Remove the cover image, uploaded or linked (owner or admin)")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapGet("", Content)
            .AllowAnonymousWithOptionalToken()
            .WithName("GetEventCover")
            .WithSummary("The uploaded cover's image bytes (whoever may see the event)")
            .ProducesFile(BlobDownloads.ImageTypes)
            .RevalidatedByValidators();
        return group;
    }

    /// <summary>
    /// Where clients read a cover: the bucket's public address when there is one, else the content route.
    /// </summary>
    public static string UrlOf(Guid eventId, string key, IBlobStore blobs) =>
        blobs.PublicUrl(key) ?? $"/api/v1/events/{eventId}/cover";

    private static async Task<Ok<EventDto>> Upload(
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
        EnsureChangeable(await CatalogueAccess.ManagedAsync(db, id, principal, cancellationToken), clock);
        var image = await ImageUploads.ReadAsync(
            request,
            MaxCoverBytes,
            ImageLimits.Photo,
            "cover image",
            cancellationToken
        );
        var key = $"events/{id}/cover-{NewId.Next(clock):N}.{image.Format.Extension}";
        var e = await blobs.StoreAndSwapAsync(
            key,
            image,
            ct => ReplaceAsync(db, request, id, principal, key, UrlOf(id, key, blobs), clock, ct),
            ct => NamesCoverAsync(db, id, key, ct),
            loggers.CreateLogger(typeof(CoverImageApi)),
            cancellationToken
        );
        EntityTag.Set(request.HttpContext.Response, e.Version);
        return TypedResults.Ok(EventDto.From(e, manager: true));
    }

    /// <summary>
    /// Whether the event's row names <paramref name="key"/>, read once any transaction still writing the row has
    /// ended: a commit whose answer was lost may not be visible yet (with synchronous replication, not until the
    /// standby has it), and a read around it would take the new cover for unused and delete it.
    /// </summary>
    public static async Task<bool> NamesCoverAsync(
        EventsDbContext db,
        Guid id,
        string key,
        CancellationToken cancellationToken
    )
    {
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM community_events WHERE id = {id} FOR SHARE",
            cancellationToken
        );
        return await db.CommunityEvents.AnyAsync(row => row.Id == id && row.CoverImageKey == key, cancellationToken);
    }

    private static async Task<NoContent> Delete(
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
        // Who may do this is answered first (404, 403); a cancelled event's cover may go, as the event is still shown.
        await CatalogueAccess.ManagedAsync(db, id, principal, cancellationToken);
        var (e, replaced) = await ReplaceAsync(
            db,
            request,
            id,
            principal,
            key: null,
            url: null,
            clock,
            cancellationToken
        );
        EntityTag.Set(request.HttpContext.Response, e.Version);
        if (replaced is not null)
            await blobs.TryDeleteAsync(replaced, loggers.CreateLogger(typeof(CoverImageApi)));
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Sets the cover under a row lock, so two uploads racing each delete the blob the other replaced and none is
    /// orphaned; returns the event and the blob key it no longer uses. Blobs are written before and deleted after,
    /// never under the lock. A stale If-Match (the event's ETag) is a 412 and changes nothing; the new blob is then
    /// deleted by the caller. A new cover (<paramref name="key"/> not null) is refused on a cancelled event; removing
    /// one is not; nor on an event that is over.
    /// </summary>
    private static async Task<(CommunityEvent Event, string? Replaced)> ReplaceAsync(
        EventsDbContext db,
        HttpRequest request,
        Guid id,
        ClaimsPrincipal principal,
        string? key,
        string? url,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // deleted meanwhile, or cancelled for an upload: refused like before
        var e = await CatalogueAccess.LockedManagedAsync(
            db,
            id,
            principal,
            cancellationToken,
            whileLocked: () => db.CheckIfMatchAsync<CommunityEvent>(request, id, cancellationToken)
        );
        if (key is not null)
            EnsureChangeable(e, clock);
        var replaced = e.CoverImageKey;
        if (e.CoverImageUrl != url || replaced != key)
        {
            CoverRules.Set(db, e, url, key, UtcTimestamps.AsStored(clock.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return (e, replaced == key ? null : replaced);
    }

    private static void EnsureChangeable(CommunityEvent e, TimeProvider clock)
    {
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException("A cancelled event cannot be changed.");
        CancellationRules.ThrowIfOver(e, UtcTimestamps.AsStored(clock.GetUtcNow()));
    }

    private static async Task<FileStreamHttpResult> Content(
        Guid id,
        ClaimsPrincipal principal,
        HttpResponse response,
        EventsDbContext db,
        IBlobStore blobs,
        CancellationToken cancellationToken
    )
    {
        var e = await CatalogueAccess.VisibleAsync(db, id, CatalogueAccess.CallerOf(principal), cancellationToken);
        if (e.CoverImageKey is not { } key)
            throw new NotFoundException("This event has no uploaded cover image.");
        var blob =
            await blobs.OpenReadAsync(key, cancellationToken)
            ?? throw new NotFoundException("This event's cover image is missing.");
        // One address for every cover the event has had: caches keep it but ask (the key is the validator) before
        // reusing it.
        response.Headers.CacheControl = "private, no-cache";
        return response.Serve(
            blob,
            ImageFormat.FromKey(key)?.ContentType ?? blob.ContentType,
            lastModified: e.UpdatedAt,
            entityTag: new EntityTagHeaderValue($"\"{Path.GetFileNameWithoutExtension(key)}\"")
        );
    }
}
