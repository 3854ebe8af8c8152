using System.Security.Claims;
using Community.Messaging.Conversations;
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
        return group;
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
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One upload of a person's at a time counts their unsent files, so uploads at once cannot pass the limit.
        await db.Database.ExecuteSqlAsync(
            $"SELECT pg_advisory_xact_lock(hashtextextended('attachments:' || {userId}::text, 0))",
            cancellationToken
        );
        if (
            await db.Attachments.CountAsync(a => a.UploaderId == userId && a.MessageId == null, cancellationToken)
            >= UnsentAttachments.MaxPerUploader
        )
            throw new ConflictException(
                $"You have {UnsentAttachments.MaxPerUploader} files uploaded and not sent yet: send them in a "
                    + "message, or wait a day, after which files never sent are deleted."
            );
        await using (var content = file.OpenRead())
            await blobs.PutAsync(attachment.BlobKey, content, file.ContentType, cancellationToken);
        db.Attachments.Add(attachment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
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
        await ConversationAccess.OpenAsync(db, id, userId, cancellationToken);
        var attachment =
            await db
                .Attachments.AsNoTracking()
                .SingleOrDefaultAsync(
                    a =>
                        a.Id == attachmentId
                        && a.ConversationId == id
                        && (a.MessageId != null || a.UploaderId == userId),
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
