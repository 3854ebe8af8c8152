using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Community.Messaging.Conversations;

/// <summary>The direct conversation with another member: the existing one, or a new one.</summary>
/// <param name="UserId">The other member.</param>
public sealed record StartDirectConversation([Required] Guid? UserId) : IRequestExample<StartDirectConversation>
{
    public static StartDirectConversation Example => new(Guid.Parse("0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10"));
}

/// <param name="Text">The new text, 1-4000 characters (may be empty only when the message has attachments).</param>
public sealed record EditMessage(string? Text);

public sealed record MarkRead(
    [Required]
    [property: Description(
        "The seq read up to; a lower one than before changes nothing, a higher one than the last message stops there."
    )]
        long? Seq
);

/// <param name="Kind">
/// Only conversations of this kind: direct (with a connection), thread (in a group) or event_chat; absent: all of them.
/// </param>
public sealed record ConversationsQuery(
    [ValuesOf(typeof(ConversationKinds))] string? Kind,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public sealed record HistoryQuery(
    [property: Description("Messages before this seq (history), the newest of them first in the page's order.")]
    [FromQuery(Name = "before_seq")]
        long? BeforeSeq,
    [property: Description("Messages after this seq (catch-up after a reconnect).")]
    [FromQuery(Name = "after_seq")]
        long? AfterSeq,
    [PageSize(ConversationMessages.DefaultHistoryLimit)] int? Limit
);

public sealed record SearchQuery(
    [property: Description(
        "Words to find in the messages (web-search syntax: \"quoted phrase\", -without, or); required, at most 200 "
            + "characters."
    )]
    [RequiredParameter]
        string? Q,
    [property: Description("Matches before this seq (the next page: the last seq of the page before).")]
    [FromQuery(Name = "before_seq")]
        long? BeforeSeq,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public static class ConversationsApi
{
    public static RouteGroupBuilder MapConversationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/conversations")
            .DescribesPathParameter("id", "The conversation's id.")
            .DescribesPathParameter("message_id", "The id of one of the conversation's messages.")
            .DescribesPathParameter("event_id", "The event's id.")
            .WithTags("Conversations")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", List)
            .WithName("ListConversations")
            .WithSummary("My conversations, newest activity first, each with its unread count and last message");
        group
            .MapPost("/direct", StartDirect)
            .WithName("StartDirectConversation")
            .WithSummary(
                "The direct conversation with a connection: the existing one (200) or a new one (201); "
                    + "never across a block"
            )
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapGet("/by-event/{eventId:guid}", ByEvent)
            .WithName("GetEventChat")
            .WithSummary("An event's chat, for its organizer and confirmed attendees");
        group.MapGet("/{id:guid}", Get).WithName("GetConversation").WithSummary("One of my conversations");
        group
            .MapGet("/{id:guid}/messages", History)
            .WithName("ListMessages")
            .WithSummary(
                "Messages in seq order: before_seq pages back through history, after_seq catches up; "
                    + "neither gives the newest"
            );
        group
            .MapGet("/{id:guid}/messages/{messageId:guid}", GetMessage)
            .WithName("GetMessage")
            .AnswersETag()
            .WithSummary("One message, as the history shows it (hidden in place across a block); 404 once deleted");
        group
            .MapPost("/{id:guid}/messages", Send)
            .WithName("SendMessage")
            .AnswersETag()
            .WithSummary("Send a message (201); the same client_txn_id again returns the first attempt's message (200)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapGet("/{id:guid}/messages/search", Search)
            .WithName("SearchMessages")
            .WithSummary("Full-text search of the conversation's messages, newest first");
        group
            .MapPatch("/{id:guid}/messages/{messageId:guid}", Edit)
            .WithName("EditMessage")
            .HonoursIfMatch()
            .WithSummary("Change my message's text within 15 minutes of sending")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapDelete("/{id:guid}/messages/{messageId:guid}", Delete)
            .WithName("DeleteMessage")
            .WithSummary(
                "Delete a message, leaving a tombstone with its seq "
                    + "(its author, a thread's moderators, an event's organizer)"
            );
        group
            .MapPost("/{id:guid}/read", Read)
            .WithName("MarkConversationRead")
            .WithSummary("Move my read position forward");
        group
            .MapPut("/{id:guid}/mute", Mute)
            .WithName("MuteConversation")
            .WithSummary("Mute: the conversation leaves my unread total");
        group.MapDelete("/{id:guid}/mute", Unmute).WithName("UnmuteConversation").WithSummary("Unmute");
        return group;
    }

    public static RouteGroupBuilder MapMessagesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/messages")
            .WithTags("Conversations")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("/unread-count", UnreadCount)
            .WithName("GetUnreadCount")
            .WithSummary("Unread messages in my conversations, in total and per kind (muted ones excepted)");
        return group;
    }

    private static async Task<Ok<CursorPage<ConversationDto>>> List(
        [AsParameters] ConversationsQuery query,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        var kind = query.Kind?.Trim().ToLowerInvariant();
        errors.OneOf("kind", kind, ConversationKinds.All);
        errors.ThrowIfAny();
        return TypedResults.Ok(
            await ConversationQueries.ListAsync(db, principal.UserId(), kind, after, limit, cancellationToken)
        );
    }

    private static async Task<Results<Ok<ConversationDto>, Created<ConversationDto>>> StartDirect(
        StartDirectConversation body,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        errors.Required("user_id", body.UserId);
        errors.ThrowIfAny();
        var callerId = principal.UserId();
        var (id, created) = await DirectConversations.GetOrCreateAsync(
            db,
            callerId,
            body.UserId!.Value,
            clock,
            cancellationToken
        );
        // Not seen by the caller though just found or made: a block by the other person committed since the checks,
        // and the caller is answered as after it.
        var dto =
            await ConversationQueries.FindAsync(db, callerId, id, cancellationToken)
            ?? throw new NotFoundException("No such user.");
        return created ? TypedResults.Created($"/api/v1/conversations/{id}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Ok<ConversationDto>> Get(
        Guid id,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        if (await ConversationQueries.FindAsync(db, userId, id, cancellationToken) is { } found)
            return TypedResults.Ok(found);
        // A group member opening a thread for the first time has no member row yet (404 for anyone else).
        var access = await ConversationAccess.OpenAsync(db, id, userId, cancellationToken);
        await access.EnsureMemberRowAsync(db, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(
            await ConversationQueries.FindAsync(db, userId, id, cancellationToken)
                ?? throw new NotFoundException(ConversationAccess.NoSuchConversation)
        );
    }

    private static async Task<Ok<ConversationDto>> ByEvent(
        Guid eventId,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var id =
            await db
                .Conversations.Where(c => c.Kind == ConversationKinds.EventChat && c.EventId == eventId)
                .Select(c => (Guid?)c.Id)
                .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException(ConversationAccess.NoSuchConversation);
        return await Get(id, principal, db, clock, cancellationToken);
    }

    private static async Task<Ok<MessageHistory>> History(
        Guid id,
        [AsParameters] HistoryQuery query,
        ClaimsPrincipal principal,
        MessageQueries messages,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors, ConversationMessages.DefaultHistoryLimit);
        if (query.BeforeSeq is not null && query.AfterSeq is not null)
            errors.Add("before_seq", "Send either before_seq or after_seq, not both.");
        if (query.BeforeSeq < 1)
            errors.Add("before_seq", "before_seq must be 1 or more.");
        if (query.AfterSeq < 0)
            errors.Add("after_seq", "after_seq must be 0 or more.");
        errors.ThrowIfAny();
        return TypedResults.Ok(
            await messages.HistoryAsync(
                id,
                principal.UserId(),
                query.BeforeSeq,
                query.AfterSeq,
                limit,
                cancellationToken
            )
        );
    }

    private static async Task<Ok<MessageDto>> GetMessage(
        Guid id,
        Guid messageId,
        ClaimsPrincipal principal,
        MessageQueries messages,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var (message, version) = await messages.OneAsync(id, messageId, principal.UserId(), cancellationToken);
        EntityTag.Set(response, version);
        return TypedResults.Ok(message);
    }

    private static async Task<Results<Created<MessageDto>, Ok<MessageDto>>> Send(
        Guid id,
        SendMessage body,
        ClaimsPrincipal principal,
        ConversationMessages messages,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var outcome = await messages.SendAsync(id, principal.UserId(), body, null, cancellationToken);
        EntityTag.Set(response, outcome.Version);
        return outcome.Created
            ? TypedResults.Created(
                $"/api/v1/conversations/{id}/messages?after_seq={outcome.Message.Seq - 1}&limit=1",
                outcome.Message
            )
            : TypedResults.Ok(outcome.Message);
    }

    private static async Task<Ok<MessageHistory>> Search(
        Guid id,
        [AsParameters] SearchQuery query,
        ClaimsPrincipal principal,
        MessageQueries messages,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        if (query.BeforeSeq < 1)
            errors.Add("before_seq", "before_seq must be 1 or more.");
        errors.ThrowIfAny();
        return TypedResults.Ok(
            await messages.SearchAsync(id, principal.UserId(), query.Q, query.BeforeSeq, limit, cancellationToken)
        );
    }

    private static async Task<Ok<MessageDto>> Edit(
        Guid id,
        Guid messageId,
        EditMessage body,
        ClaimsPrincipal principal,
        ConversationMessages messages,
        MessagingDbContext db,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        // If-Match is checked on the locked message once the caller may edit it, and the edit commits before its push.
        var edited = await messages.EditAsync(
            id,
            messageId,
            principal.UserId(),
            body.Text,
            null,
            version => EntityTag.Check(http.Request, version),
            cancellationToken
        );
        EntityTag.Set(http.Response, await VersionAsync(db, messageId, cancellationToken));
        return TypedResults.Ok(edited);
    }

    // The tracked row when this request wrote or read it, else one query.
    private static async Task<uint> VersionAsync(
        MessagingDbContext db,
        Guid messageId,
        CancellationToken cancellationToken
    ) => (await db.Messages.FindAsync([messageId], cancellationToken))?.Version ?? 0;

    private static async Task<NoContent> Delete(
        Guid id,
        Guid messageId,
        ClaimsPrincipal principal,
        ConversationMessages messages,
        CancellationToken cancellationToken
    )
    {
        await messages.DeleteAsync(id, messageId, principal.UserId(), null, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ReadPosition>> Read(
        Guid id,
        MarkRead body,
        ClaimsPrincipal principal,
        ConversationMessages messages,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (body.Seq is null)
            errors.Add("seq", "seq is required.");
        errors.ThrowIfAny();
        return TypedResults.Ok(
            await messages.MarkReadAsync(id, principal.UserId(), body.Seq!.Value, null, cancellationToken)
        );
    }

    private static async Task<NoContent> Mute(
        Guid id,
        ClaimsPrincipal principal,
        ConversationMessages messages,
        CancellationToken cancellationToken
    )
    {
        await messages.SetMutedAsync(id, principal.UserId(), true, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unmute(
        Guid id,
        ClaimsPrincipal principal,
        ConversationMessages messages,
        CancellationToken cancellationToken
    )
    {
        await messages.SetMutedAsync(id, principal.UserId(), false, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<UnreadCountDto>> UnreadCount(
        ClaimsPrincipal principal,
        MessagingDbContext db,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(await ConversationQueries.UnreadAsync(db, principal.UserId(), cancellationToken));
}
