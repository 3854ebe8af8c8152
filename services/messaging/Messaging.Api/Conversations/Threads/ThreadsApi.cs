using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.Contracts.Messaging;
using Community.Messaging.Notifying;
using Community.Messaging.Relations;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Messaging;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Messaging.Conversations.Threads;

/// <summary>
/// Threads in groups: titled conversations open to the group's members. A thread's messages are its conversation's
/// (/api/v1/conversations/{id}/messages); these routes make, list, search, edit, pin and delete the threads themselves.
/// </summary>
public static class ThreadsApi
{
    /// <summary>How long a request waits for the live new_thread push before answering anyway.</summary>
    public static readonly TimeSpan PushWait = TimeSpan.FromSeconds(2);

    private static readonly string[] EditableFields = ["title", "tags"];

    public static RouteGroupBuilder MapThreadsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/threads")
            .DescribesPathParameter("id", "The thread's id.")
            .DescribesPathParameter("message_id", "The id of the thread's message the replies answer.")
            .WithTags("Threads")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Create)
            .WithName("CreateThread")
            .WithSummary(
                "Start a thread in a group I belong to, with its first message "
                    + "(NewThread; new_thread to the group's members)"
            );
        group
            .MapGet("", List)
            .WithName("ListThreads")
            .WithSummary("A group's threads: pinned first, then the newest activity");
        group
            .MapGet("/search", Search)
            .WithName("SearchThreads")
            .WithSummary(
                "Threads of my groups whose title or messages match q (full-text search), newest activity first"
            );
        group
            .MapGet("/{id:guid}", Get)
            .WithName("GetThread")
            .AnswersETag()
            .WithSummary("A thread with its message count, last activity, pin, tags and author");
        group
            .MapPatch("/{id:guid}", Update)
            .WithName("UpdateThread")
            .HonoursIfMatch()
            .WithSummary(
                "Change a thread's title or tags, its author or a group moderator "
                    + "(JSON merge: absent keeps, null clears tags)"
            )
            .Accepts<ThreadChanges>("application/json");
        group
            .MapDelete("/{id:guid}", Delete)
            .WithName("DeleteThread")
            .WithSummary(
                "Delete a thread, its author or a group moderator: it leaves the lists and its messages every read"
            );
        group
            .MapPost("/{id:guid}/pin", Pin)
            .WithName("PinThread")
            .WithSummary("Pin a thread to the top of its group's list (moderators; idempotent)");
        group
            .MapPost("/{id:guid}/unpin", Unpin)
            .WithName("UnpinThread")
            .WithSummary("Unpin a thread (moderators; idempotent)");
        group
            .MapGet("/{id:guid}/messages/{messageId:guid}/replies", Replies)
            .WithName("ListReplies")
            .WithSummary("The messages replying to a message of the thread, oldest first");
        return group;
    }

    private static async Task<Created<ThreadDto>> Create(
        CreateThread body,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        ConversationMessages messages,
        ChatPush push,
        LiveDelivery live,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        errors.Required("group_id", body.GroupId);
        var title = ThreadRules.Title(errors, body.Title);
        if (errors.Required("text", body.Text))
            errors.MaxLength("text", body.Text, ConversationMessages.MaxTextLength);
        var tags = ThreadRules.Tags(errors, body.Tags);
        errors.ThrowIfAny();
        var groupId = body.GroupId!.Value;
        _ =
            await ThreadAccess.MembershipAsync(db, groupId, callerId, cancellationToken)
            ?? throw new NotFoundException(ThreadAccess.NoSuchGroup);

        var now = clock.GetUtcNow();
        var id = NewId.Next(now);
        SendOutcome first;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            db.Conversations.Add(
                new Conversation
                {
                    Id = id,
                    Kind = ConversationKinds.Thread,
                    GroupId = groupId,
                    OwnerId = callerId,
                    CreatedBy = callerId,
                    LastActivityAt = now,
                    CreatedAt = now,
                }
            );
            db.Threads.Add(
                new GroupThread
                {
                    Id = id,
                    GroupId = groupId,
                    AuthorId = callerId,
                    Title = title!,
                    Tags = tags,
                    CreatedAt = now,
                    UpdatedAt = now,
                }
            );
            db.AddIntegrationEvent(new NewThread(Guid.CreateVersion7(now), now, id, groupId, callerId, title!));
            await db.SaveChangesAsync(cancellationToken);
            // The first message goes through the same send as every other, inside this transaction: it takes the
            // group's sends lock (shared) until the commit, so a group's deletion waits for the whole create and closes
            // the thread, or the create's send waits for the deletion, refuses, and nothing is kept (404). Taken there,
            // not before the thread's row: the send reads who is watching from Redis first, and no departure should
            // wait on that.
            first = await messages.SendAsync(
                id,
                callerId,
                new SendMessage(body.Text, [], null, "thread-" + id.ToString("N")),
                null,
                cancellationToken
            );
            await transaction.CommitAsync(cancellationToken);
        }
        // The group's members are told of the first message (nobody can have had the thread open).
        await live.NotificationsAsync(first.Notified);
        // Not seen by its author though just made: they left the group (or it was deleted) since, and are answered as
        // after it.
        var thread =
            await ThreadQueries.FindAsync(db, callerId, id, acrossBlocks: false, cancellationToken)
            ?? throw new NotFoundException(ThreadAccess.NoSuchGroup);
        await PushNewThreadAsync(
            db,
            push,
            thread,
            loggers.CreateLogger(typeof(ThreadsApi).FullName!),
            cancellationToken
        );
        return TypedResults.Created($"/api/v1/threads/{id}", thread);
    }

    // The thread is committed; a slow or failed live push only means clients see it on their next list.
    private static async Task PushNewThreadAsync(
        MessagingDbContext db,
        ChatPush push,
        ThreadDto thread,
        ILogger logger,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var blocked = RelationQueries.BlockedWith(db, thread.Author.UserId);
            var members = await db
                .GroupMembers.Where(g => g.GroupId == thread.GroupId && g.Active && !blocked.Contains(g.UserId))
                .Select(g => g.UserId)
                .ToListAsync(cancellationToken);
            await push.ToUsersAsync(members, LiveEvents.NewThread, thread, cancellationToken)
                .WaitAsync(PushWait, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(
                e,
                "The live new_thread push of thread {ThreadId} failed; members see it on their next list",
                thread.Id
            );
        }
    }

    private static async Task<Ok<CursorPage<ThreadDto>>> List(
        [AsParameters] ThreadsQuery query,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        errors.Required("group_id", query.GroupId);
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, ThreadPosition.Parse, errors);
        errors.ThrowIfAny();
        var callerId = principal.UserId();
        var groupId = query.GroupId!.Value;
        _ =
            await ThreadAccess.MembershipAsync(db, groupId, callerId, cancellationToken)
            ?? throw new NotFoundException(ThreadAccess.NoSuchGroup);
        return TypedResults.Ok(await ThreadQueries.ListAsync(db, callerId, groupId, after, limit, cancellationToken));
    }

    private static async Task<Ok<CursorPage<ThreadDto>>> Search(
        [AsParameters] ThreadSearchQuery query,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (errors.Required("q", query.Q))
            errors.MaxLength("q", query.Q, ConversationMessages.MaxSearchLength);
        if (query.GroupId == Guid.Empty)
            errors.Add("group_id", "group_id must be a group id.");
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();
        var callerId = principal.UserId();
        if (query.GroupId is { } groupId)
            _ =
                await ThreadAccess.MembershipAsync(db, groupId, callerId, cancellationToken)
                ?? throw new NotFoundException(ThreadAccess.NoSuchGroup);
        return TypedResults.Ok(
            await ThreadQueries.SearchAsync(db, callerId, query.Q!, query.GroupId, after, limit, cancellationToken)
        );
    }

    private static async Task<Ok<ThreadDto>> Get(
        Guid id,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        // Read before the thread: a change in between makes the tag older than the body, so an If-Match with it fails
        // safe.
        var version = await db
            .Threads.Where(t => t.Id == id)
            .Select(t => t.Version)
            .FirstOrDefaultAsync(cancellationToken);
        var thread =
            await ThreadQueries.FindAsync(db, principal.UserId(), id, acrossBlocks: false, cancellationToken)
            ?? throw new NotFoundException(ThreadAccess.NoSuchThread);
        EntityTag.Set(response, version);
        return TypedResults.Ok(thread);
    }

    private static async Task<Ok<ThreadDto>> Update(
        Guid id,
        JsonObject body,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        // Who may change the thread answers first (404, 403), as without If-Match: a 412 would tell anyone it exists.
        var access = await ThreadAccess.OpenAsync(db, id, callerId, cancellationToken);
        access.EnsureMayChange("edit");
        // One change of a thread at a time, its time read under the row's lock: of two, the later commit carries the
        // later time, which is how social keeps the latest title (ThreadRenamed). And the If-Match check's lock.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.CheckIfMatchAsync<GroupThread>(http.Request, id, cancellationToken);
        // Opened again under the lock, so the change applies to the version it found (or If-Match named).
        access = await LockAndOpenAsync(db, id, callerId, cancellationToken);
        access.EnsureMayChange("edit");
        var thread = access.Thread;
        var titled = thread.Title;
        var errors = new ValidationErrors();
        JsonMergePatch.ApplyMembers(
            body,
            EditableFields,
            errors,
            (field, node) =>
            {
                if (field == "title")
                {
                    if (ThreadRules.Title(errors, node?.GetValue<string>()) is { } title)
                        thread.Title = title;
                }
                else
                    thread.Tags = ThreadRules.Tags(errors, node?.AsArray().Select(t => t?.GetValue<string>()).ToList());
            }
        );
        if (db.ChangeTracker.HasChanges())
        {
            var now = clock.GetUtcNow();
            thread.UpdatedAt = now;
            // Social's feed shows the title: the new one replaces what it showed (abuse or a phone number edited out).
            if (thread.Title != titled)
                db.AddIntegrationEvent(
                    new ThreadRenamed(Guid.CreateVersion7(now), now, thread.Id, thread.GroupId, thread.Title)
                );
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        EntityTag.Set(http.Response, thread.Version);
        // A moderator in a block with the author still moderates the thread, and sees what they changed.
        return TypedResults.Ok(
            await ThreadQueries.FindAsync(db, callerId, id, acrossBlocks: true, cancellationToken)
                ?? throw new NotFoundException(ThreadAccess.NoSuchThread)
        );
    }

    private static async Task<NoContent> Delete(
        Guid id,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        LiveDelivery live,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        (await ThreadAccess.OpenAsync(db, id, callerId, cancellationToken)).EnsureMayChange("delete");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Under the lock: of two deletions at once the second finds it gone (404, announced once), and a moderator
        // demoted meanwhile is refused.
        var access = await LockAndOpenAsync(db, id, callerId, cancellationToken);
        access.EnsureMayChange("delete");
        var now = clock.GetUtcNow();
        access.Thread.DeletedAt = now;
        access.Thread.DeletedBy = callerId;
        db.AddIntegrationEvent(new ThreadDeleted(Guid.CreateVersion7(now), now, id, access.Thread.GroupId, callerId));
        await db.SaveChangesAsync(cancellationToken);
        // Closed as well, so no send (REST or hub) can number a message in it whatever path it takes.
        await db
            .Conversations.Where(c => c.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Closed, true), cancellationToken);
        await NotificationStore.ForgetUnreadMessagesOfMembersAsync(db, access.Thread.GroupId, id, cancellationToken);
        // Whoever has it open stops showing it: the group's members, read with the deletion.
        var members = await db
            .GroupMembers.Where(g => g.GroupId == access.Thread.GroupId && g.Active)
            .Select(g => g.UserId)
            .ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await live.ConversationClosedAsync(id, ConversationClosed.ThreadDeleted, members);
        return TypedResults.NoContent();
    }

    private static Task<Ok<ThreadDto>> Pin(
        Guid id,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    ) => SetPinnedAsync(id, true, principal, db, clock, cancellationToken);

    private static Task<Ok<ThreadDto>> Unpin(
        Guid id,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    ) => SetPinnedAsync(id, false, principal, db, clock, cancellationToken);

    private static async Task<Ok<ThreadDto>> SetPinnedAsync(
        Guid id,
        bool pinned,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        (await ThreadAccess.OpenAsync(db, id, callerId, cancellationToken)).EnsureModerates(pinned ? "pin" : "unpin");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Under the lock, as a deletion: two pins at once keep the first's time, and a demoted moderator is refused.
        var access = await LockAndOpenAsync(db, id, callerId, cancellationToken);
        access.EnsureModerates(pinned ? "pin" : "unpin");
        // Pinning a pinned thread keeps its first pin time, so repeating the call changes nothing.
        if (pinned && access.Thread.PinnedAt is null)
        {
            access.Thread.PinnedAt = clock.GetUtcNow();
            access.Thread.PinnedBy = callerId;
        }
        else if (!pinned)
        {
            access.Thread.PinnedAt = null;
            access.Thread.PinnedBy = null;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // As Update: the moderator sees the thread they pinned, its author in a block with them or not.
        return TypedResults.Ok(
            await ThreadQueries.FindAsync(db, callerId, id, acrossBlocks: true, cancellationToken)
                ?? throw new NotFoundException(ThreadAccess.NoSuchThread)
        );
    }

    /// <summary>
    /// Inside a change's transaction: locks the thread's row and opens it again, so the change applies to the thread as
    /// it is now and by someone still allowed to make it (not deleted meanwhile, their role not taken away).
    /// </summary>
    private static async Task<ThreadAccess> LockAndOpenAsync(
        MessagingDbContext db,
        Guid id,
        Guid callerId,
        CancellationToken cancellationToken
    )
    {
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM threads WHERE id = {id} FOR UPDATE", cancellationToken);
        db.ChangeTracker.Clear();
        return await ThreadAccess.OpenAsync(db, id, callerId, cancellationToken);
    }

    private static async Task<Ok<CursorPage<MessageDto>>> Replies(
        Guid id,
        Guid messageId,
        [AsParameters] RepliesQuery query,
        ClaimsPrincipal principal,
        MessagingDbContext db,
        MessageQueries messages,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors, ConversationMessages.DefaultHistoryLimit);
        var after = Keyset.After(query.Cursor, ParseSeq, errors);
        errors.ThrowIfAny();
        var callerId = principal.UserId();
        // Read as the thread's messages are: hidden, too, from those in a block with its author.
        if (
            (await ConversationAccess.OpenAsync(db, id, callerId, cancellationToken)).Conversation.Kind
            != ConversationKinds.Thread
        )
            throw new NotFoundException(ThreadAccess.NoSuchThread);
        if (!await db.Messages.AnyAsync(m => m.Id == messageId && m.ConversationId == id, cancellationToken))
            throw new NotFoundException("No such message in this thread.");
        var replies = db.Messages.AsNoTracking().Where(m => m.ConversationId == id && m.ReplyTo == messageId);
        if (after is { } seq)
            replies = replies.Where(m => m.Seq > seq);
        var rows = await replies.OrderBy(m => m.Seq).Take(Keyset.Probe(limit)).ToListAsync(cancellationToken);
        var dtos = await messages.ToDtosAsync(rows.Take(limit).ToList(), callerId, cancellationToken);
        var next =
            rows.Count > limit ? OpaqueCursor.Encode(rows[limit - 1].Seq.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new CursorPage<MessageDto>(dtos, next));
    }

    private static long? ParseSeq(string position) =>
        long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0 ? seq : null;
}
