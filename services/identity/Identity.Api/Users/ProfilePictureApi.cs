using System.Security.Claims;
using Community.Identity.Blocks;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.OpenApi;
using Microsoft.Net.Http.Headers;

namespace Community.Identity.Users;

/// <summary>The picture form, for the OpenAPI document (the handler reads the form itself).</summary>
public sealed record ProfilePictureUpload(IFormFile File);

/// <summary>
/// A member's uploaded profile picture: stored in the blob store named by Identity:Blobs, its address put in
/// profile_image_url and published in UserProfileUpdated. A profile_image_url given in PATCH still works;
/// uploading or deleting replaces either kind.
/// </summary>
public static class ProfilePictureApi
{
    public const string BlobSection = "Identity:Blobs";
    public const long MaxPictureBytes = 2 * 1024 * 1024;
    public const long MaxUploadBytes = MaxPictureBytes + ImageUploads.FormOverheadBytes;

    public static RouteGroupBuilder MapProfilePictureApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/users")
            .DescribesPathParameter("id", "The user's id.")
            .WithTags("Users")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPut("/me/picture", Upload)
            .WithName("UploadMyProfilePicture")
            .HonoursIfMatch()
            .WithSummary(
                "Set my profile picture (JPEG, PNG or WebP, at most 2 MB, 4096 px a side and 16.8 megapixels; "
                    + "form field file; re-encoded)"
            )
            .AcceptsImageUpload<ProfilePictureUpload>(MaxUploadBytes);
        group
            .MapDelete("/me/picture", Delete)
            .WithName("DeleteMyProfilePicture")
            .HonoursIfMatch()
            .WithSummary("Remove my profile picture, uploaded or linked");
        group
            .MapGet("/{id:guid}/picture", Content)
            .WithName("GetProfilePicture")
            .WithSummary("A member's uploaded profile picture's image bytes")
            .ProducesFile(BlobDownloads.ImageTypes)
            .RevalidatedByValidators();
        return group;
    }

    /// <summary>
    /// Where clients read a picture: the bucket's public address when there is one, else the content route.
    /// </summary>
    public static string UrlOf(Guid userId, string key, IBlobStore blobs) =>
        blobs.PublicUrl(key) ?? $"/api/v1/users/{userId}/picture";

    private static async Task<Ok<UserDto>> Upload(
        HttpRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        IBlobStore blobs,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var image = await ImageUploads.ReadAsync(
            request,
            MaxPictureBytes,
            ImageLimits.Avatar,
            "profile picture",
            cancellationToken
        );
        var key = $"users/{userId}/picture-{NewId.Next(clock):N}.{image.Format.Extension}";
        string? replaced = null;
        var user = await blobs.StoreAndSwapAsync(
            key,
            image,
            async ct =>
            {
                (var swapped, replaced) = await ReplaceAsync(
                    db,
                    request,
                    userId,
                    key,
                    UrlOf(userId, key, blobs),
                    clock,
                    ct
                );
                // None for the swap to delete: the replaced picture is deleted below, and crossed off where the swap's
                // transaction wrote it down.
                return (swapped, (string?)null);
            },
            ct => NamesPictureAsync(db, userId, key, ct),
            loggers.CreateLogger(typeof(ProfilePictureApi)),
            cancellationToken
        );
        await DeleteReplacedAsync(blobs, db, replaced, loggers, cancellationToken);
        EntityTag.Set(request.HttpContext.Response, user.Version);
        return TypedResults.Ok(UserDto.From(user, Rules.Today(clock)));
    }

    /// <summary>
    /// Whether the user's row names <paramref name="key"/>, read once any transaction still writing the row has ended:
    /// a commit whose answer was lost may not be visible yet (with synchronous replication, not until the standby has
    /// it), and a read around it would take the new picture for unused and delete it.
    /// </summary>
    public static async Task<bool> NamesPictureAsync(
        IdentityDbContext db,
        Guid userId,
        string key,
        CancellationToken cancellationToken
    )
    {
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR SHARE", cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == userId && u.ProfileImageKey == key, cancellationToken);
    }

    private static async Task<NoContent> Delete(
        HttpRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        IBlobStore blobs,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var (user, replaced) = await ReplaceAsync(
            db,
            request,
            principal.UserId(),
            key: null,
            url: null,
            clock,
            cancellationToken
        );
        EntityTag.Set(request.HttpContext.Response, user.Version);
        await DeleteReplacedAsync(blobs, db, replaced, loggers, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// After the commit that wrote <paramref name="replaced"/> down: deleted now, or by the deletion retries if this
    /// fails or never runs.
    /// </summary>
    private static Task DeleteReplacedAsync(
        IBlobStore blobs,
        IdentityDbContext db,
        string? replaced,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    ) =>
        replaced is null
            ? Task.CompletedTask
            : blobs.DeleteWrittenDownAsync(
                db.Database,
                [replaced],
                loggers.CreateLogger(typeof(ProfilePictureApi)),
                cancellationToken
            );

    /// <summary>
    /// Sets the picture under a row lock, so two racing uploads each delete the blob the other replaced; returns the
    /// user and the blob key no longer used, written down for deletion by the same transaction (deleted by the caller
    /// after the commit, never under the lock). A stale If-Match is a 412.
    /// </summary>
    private static async Task<(User User, string? Replaced)> ReplaceAsync(
        IdentityDbContext db,
        HttpRequest request,
        Guid userId,
        string? key,
        string? url,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken);
        await db.CheckIfMatchAsync<User>(request, userId, cancellationToken);
        var user =
            await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        var replaced = user.ProfileImageKey;
        if (user.ProfileImageUrl != url || replaced != key)
        {
            var now = clock.GetUtcNow();
            user.ProfileImageUrl = url;
            user.ProfileImageKey = key;
            user.UpdatedAt = now;
            db.AddIntegrationEvent(ProfileEvents.Updated(user, now, ["profile_image_url"]));
            await db.SaveChangesAsync(cancellationToken);
        }
        // Once the row no longer names it, nothing else could find it again: an instance stopping after the commit
        // would leave it in the bucket for good.
        if (replaced is not null && replaced != key)
            await db.Database.WriteDownAsync([replaced], "a profile picture replaced or removed", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (user, replaced == key ? null : replaced);
    }

    /// <summary>A member's picture, as their account: 404 across a block either way, as for an unknown id.</summary>
    private static async Task<FileStreamHttpResult> Content(
        Guid id,
        ClaimsPrincipal principal,
        HttpResponse response,
        IdentityDbContext db,
        IBlobStore blobs,
        CancellationToken cancellationToken
    )
    {
        var user =
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
            ?? throw new NotFoundException("No member has this id.");
        var callerId = principal.UserId();
        if (callerId != id && await BlockQueries.EitherBlockedAsync(db, callerId, id, cancellationToken))
            throw new NotFoundException("No member has this id.");
        if (user.ProfileImageKey is not { } key)
            throw new NotFoundException("This member has no uploaded profile picture.");
        var blob =
            await blobs.OpenReadAsync(key, cancellationToken)
            ?? throw new NotFoundException("This member's picture is missing.");
        // One address for every picture the member has had: caches keep it but ask (the key is the validator) before
        // reusing it.
        response.Headers.CacheControl = "private, no-cache";
        return response.Serve(
            blob,
            ImageFormat.FromKey(key)?.ContentType ?? blob.ContentType,
            lastModified: user.UpdatedAt,
            entityTag: new EntityTagHeaderValue($"\"{Path.GetFileNameWithoutExtension(key)}\"")
        );
    }
}
