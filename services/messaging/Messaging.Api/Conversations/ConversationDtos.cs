using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Community.Contracts;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.OpenApi;

namespace Community.Messaging.Conversations;

/// <summary>
/// A person as messaging knows them (from identity's events); names and picture are null for a deleted account.
/// </summary>
public sealed record UserRef(
    Guid UserId,
    string? Username,
    string? DisplayName,
    [property: Description(UserRef.PictureDescription)] string? ProfileImageUrl = null
)
{
    /// <summary>What a person's picture field holds, wherever messaging shows one.</summary>
    public const string PictureDescription =
        "Their picture as identity gives it: an uploaded one at GET /api/v1/users/{id}/picture (asked with a token), "
        + "or a linked address; null when they have none (or messaging has not heard of it yet).";
}

/// <summary>
/// The newest message of a conversation, as its list shows it; text is cut to 140 characters and null once deleted, or
/// while its sender and the viewer are in a block (hidden).
/// </summary>
public sealed record MessagePreview(
    Guid Id,
    long Seq,
    Guid SenderId,
    string? Text,
    bool Deleted,
    int AttachmentCount,
    DateTimeOffset CreatedAt,
    bool Hidden
);

/// <summary>A conversation as one of its members sees it.</summary>
public sealed record ConversationDto(
    Guid Id,
    [property: ValuesOf(typeof(ConversationKinds))] string Kind,
    [property: Description("The other person of a direct conversation.")] UserRef? OtherUser,
    Guid? GroupId,
    Guid? EventId,
    long LastSeq,
    long ReadSeq,
    [property: Description("last_seq - read_seq, computed by the server.")] long UnreadCount,
    bool Muted,
    [property: Description("Closed for sending: a cancelled event, a deleted group.")] bool Closed,
    [property: Description(
        "Whether the caller may send now (not closed, no block, still connected for a direct conversation)."
    )]
        bool CanSend,
    MessagePreview? LastMessage,
    DateTimeOffset LastActivityAt,
    DateTimeOffset CreatedAt
);

public sealed record AttachmentDto(Guid Id, string ContentType, string? FileName, long SizeBytes, string Url)
{
    /// <summary>Its URL is the blob store's public one, or the content route that checks who may read it.</summary>
    public static AttachmentDto From(Attachment a, IBlobStore blobs) =>
        new(
            a.Id,
            a.ContentType,
            a.FileName,
            a.SizeBytes,
            blobs.PublicUrl(a.BlobKey) ?? $"/api/v1/conversations/{a.ConversationId}/attachments/{a.Id}/content"
        );
}

/// <summary>
/// A message; a deleted one is a tombstone (text null, no attachments) that keeps its seq, and so is one hidden from
/// the viewer by a block between them and its sender (hidden true; the sender nameless), while the block lasts.
/// </summary>
public sealed record MessageDto(
    Guid Id,
    Guid ConversationId,
    long Seq,
    UserRef Sender,
    string? Text,
    Guid? ReplyTo,
    IReadOnlyList<AttachmentDto> Attachments,
    [property: Description("The sender's own client_txn_id; null for everyone else.")] string? ClientTxnId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    DateTimeOffset? DeletedAt,
    [property: Description(
        "Its sender and the viewer are in a block: the message keeps its place, without text or files, and its "
            + "sender without name or picture (as a deleted account)."
    )]
        bool Hidden
);

/// <summary>Messages in seq order; has_more says whether more lie beyond the page in the direction read.</summary>
public sealed record MessageHistory(IReadOnlyList<MessageDto> Items, bool HasMore, long LastSeq);

public sealed record ReadPosition(long ReadSeq, long LastSeq, long UnreadCount);

public sealed record UnreadByKind(long Direct, long Thread, long EventChat);

/// <summary>Unread messages over the caller's conversations (muted and hidden ones do not count).</summary>
public sealed record UnreadCountDto(long Total, UnreadByKind ByKind);

/// <summary>What a send carries; the REST body and the hub's SendMessage both come here.</summary>
/// <param name="Text">At most 4000 characters; required unless attachments are sent.</param>
/// <param name="Attachments">At most 10 distinct ids of attachments uploaded to this conversation.</param>
/// <param name="ReplyTo">A message of this conversation this one answers.</param>
/// <param name="ClientTxnId">The client's own id of this send (at most 64 characters): the same id again returns the
/// first message.</param>
public sealed record SendMessage(
    string? Text,
    IReadOnlyList<Guid>? Attachments,
    Guid? ReplyTo,
    [Required] string? ClientTxnId
) : IRequestExample<SendMessage>
{
    public static SendMessage Example => new("See you at the trailhead at 6!", null, null, "a6f1c2d4-0001");
}

/// <summary>The message a send made, or found when its client_txn_id was sent before (Created false), and the
/// notifications it made (pushed by the send, or by the caller whose transaction it joined once that
/// commits); <paramref name="Version"/> is the message row's version (its ETag).</summary>
public sealed record SendOutcome(
    MessageDto Message,
    bool Created,
    IReadOnlyList<Notifying.CreatedNotification> Notified,
    uint Version
);
