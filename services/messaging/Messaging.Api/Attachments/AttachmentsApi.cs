using System.Security.Claims;
using Community.Contracts;
using Community.Messaging.Conversations;
using Community.Messaging.Relations;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Messaging.Attachments;

/// <summary>The upload form, for the OpenAPI document (the handler reads the form itself, after checking who may
/// upload).</summary>
public sealed record AttachmentUpload(IFormFile File);

/// <summary>Files for messages: uploaded to a conversation first, then named by id in a message its uploader sends
/// there.</summary>
public static class AttachmentsApi
{
    public const string BlobSection = "Messaging:Attachments";
    public const long MaxAttachmentBytes = 10 * 1024 * 1024;
    public const long MaxUploadBytes = MaxAttachmentBytes + ImageUploads.FormOverheadBytes;
    public const int MaxFileNameLength = 255;

    public static RouteGroupBuilder MapAttachmentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/conversations/{id:guid}/attachments")
            .DescribesPathParameter("id", "The conversation's id.")
            .DescribesPathParameter("attachment_id", "The id of one of the conversation's attachments.")
            .WithTags("Attachments")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Upload)
            .WithName("UploadAttachment")
            .WithSummary(
                "Upload a file for a message (JPEG, PNG, WebP or PDF judged by content, at most 10 MB; "
                    + "images re-encoded; form field file); 409 past 20 files uploaded and not sent, which are "
                    + "deleted a day after their upload"
            )
            .AcceptsImageUpload<AttachmentUpload>(MaxUploadBytes)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapGet("/{attachmentId:guid}/content", Content)
            .WithName("GetAttachmentContent")
            .WithSummary(
                "The file's bytes: for the conversation's members once sent, before that for its uploader only"
            )
            .ProducesFile([.. BlobDownloads.ImageTypes, DocumentFormat.Pdf.ContentType]);
        group
            .MapDelete("/{attachmentId:guid}", Delete)
            .WithName("DeleteAttachment")
            .WithSummary(
                "Remove a file uploaded and not sent yet (its uploader), freeing its place; one sent goes with its "
                    + "message (409)"
            )
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<NoContent> Delete(
        Guid id,
        Guid attachmentId,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        IBlobStore blobs,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        // The file written down with its row's deletion (BlobDeletions), so the retries delete it should nothing
        // after the commit run.
        List<string> keys;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // One statement: a send claiming the file at the same moment either gets it or finds it gone.
            keys = await db
                .Database.SqlQuery<string>(
                    $"""
                    DELETE FROM attachments WHERE id = {attachmentId} AND conversation_id = {id}
                        AND uploader_id = {userId} AND message_id IS NULL
                    RETURNING blob_key AS "Value"
                    """
                )
                .ToListAsync(cancellationToken);
            if (keys.Count == 0)
                throw await db.Attachments.AnyAsync(
                    a => a.Id == attachmentId && a.ConversationId == id && a.UploaderId == userId,
                    cancellationToken
                )
                    ? new ConflictException("This file was sent with a message: deleting the message removes it.")
                    : new NotFoundException("No such attachment.");
            await db.Database.WriteDownAsync(keys, "an unsent attachment removed by its uploader", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await blobs.DeleteWrittenDownAsync(
            db.Database,
            keys,
            loggers.CreateLogger(typeof(AttachmentsApi)),
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<Created<AttachmentDto>> Upload(
        Guid id,
        HttpRequest request,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        IBlobStore blobs,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var access = await ConversationAccess.OpenAsync(db, id, userId, cancellationToken);
        access.EnsureCanSend();
        var file = await FileUploads.ReadImageOrPdfAsync(
            request,
            MaxAttachmentBytes,
            ImageLimits.Photo,
            "attachment",
            cancellationToken
        );
        var now = clock.GetUtcNow();
        var attachmentId = NewId.Next(now);
        var attachment = new Attachment
        {
            Id = attachmentId,
            ConversationId = id,
            UploaderId = userId,
            BlobKey = $"conversations/{id:N}/{attachmentId:N}.{file.Extension}",
            ContentType = file.ContentType,
            FileName = file.DownloadName(MaxFileNameLength),
            SizeBytes = file.Length,
            CreatedAt = now,
        };
        // Counted and written in a short transaction, the file stored after it: nothing holds a connection or the
        // uploader's lock while up to 10 MB travel to the store.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // One upload of a person's at a time counts their unsent files, so uploads at once cannot pass the limit.
            await db.Database.LockKeyAsync("attachments:" + userId, cancellationToken);
            if (
                await db.Attachments.CountAsync(a => a.UploaderId == userId && a.MessageId == null, cancellationToken)
                >= UnsentAttachments.MaxPerUploader
            )
                throw new ConflictException(
                    $"You have {UnsentAttachments.MaxPerUploader} files uploaded and not sent yet: send them in a "
                        + "message, remove them, or wait a day, after which files never sent are deleted."
                );
            db.Attachments.Add(attachment);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        try
        {
            await using var content = file.OpenRead();
            await blobs.PutAsync(attachment.BlobKey, content, file.ContentType, cancellationToken);
        }
        catch
        {
            // Nobody holds its id yet: the row goes, and whatever reached the store with it.
            await db
                .Attachments.Where(a => a.Id == attachment.Id && a.MessageId == null)
                .ExecuteDeleteAsync(CancellationToken.None);
            await blobs.TryDeleteAsync(attachment.BlobKey, loggers.CreateLogger(typeof(AttachmentsApi)));
            throw;
        }
        var dto = AttachmentDto.From(attachment, blobs);
        return TypedResults.Created(dto.Url, dto);
    }

    private static async Task<FileStreamHttpResult> Content(
        Guid id,
        Guid attachmentId,
        ClaimsPrincipal principal,
        HttpResponse response,
        MessagingDbContext db,
        IBlobStore blobs,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var access = await ConversationAccess.OpenAsync(db, id, userId, cancellationToken);
        // Outside a direct conversation, the files of someone in a block with the caller are hidden as their
        // messages are (a message carries only files its sender uploaded), also to a caller who kept their ids.
        var acrossBlocks = access.Conversation.Kind == ConversationKinds.Direct;
        var attachment =
            await db
                .Attachments.AsNoTracking()
                .SingleOrDefaultAsync(
                    a =>
                        a.Id == attachmentId
                        && a.ConversationId == id
                        && (a.MessageId != null || a.UploaderId == userId)
                        && (acrossBlocks || !RelationQueries.BlockedWith(db, userId).Contains(a.UploaderId)),
                    cancellationToken
                )
            ?? throw new NotFoundException("No such attachment.");
        var blob =
            await blobs.OpenReadAsync(attachment.BlobKey, cancellationToken)
            ?? throw new NotFoundException("No such attachment.");
        // Named by what the content is, also for names stored before uploads were renamed so.
        var extension =
            attachment.ContentType == DocumentFormat.Pdf.ContentType
                ? DocumentFormat.Pdf.Extension
                : ImageFormat.All.FirstOrDefault(f => f.ContentType == attachment.ContentType)?.Extension ?? "bin";
        return response.Serve(
            blob,
            attachment.ContentType,
            DownloadNames.For(attachment.FileName, extension, MaxFileNameLength) ?? $"attachment.{extension}"
        );
    }
}
