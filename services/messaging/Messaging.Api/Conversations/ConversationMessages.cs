using Community.Contracts.Messaging;
using Community.Messaging.Notifying;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Messaging;
using Npgsql;

namespace Community.Messaging.Conversations;

/// <summary>
/// What a member does in a conversation: send, edit, delete, read, mute, page through history and search. The REST
/// endpoints and the real-time hub call these same methods, so both follow the same rules; each checks who may see the
/// conversation (404 for anyone else) before anything else, and pushes what changed to the hub's clients once
/// committed.
/// </summary>
public sealed class ConversationMessages(
    MessagingDbContext db,
    TimeProvider clock,
    IBlobStore blobs,
    MessageQueries queries,
    LiveDelivery live,
    ConversationTyping typing,
    OutboxSignal outbox,
    HubPresence presence,
    ConversationShapes shapes,
    ILogger<ConversationMessages> logger
)
{
    public const int MaxTextLength = 4000;
    public const int MaxAttachments = 10;
    public const int MaxClientTxnIdLength = 64;
    public const int DefaultHistoryLimit = 50;
    public const int MaxSearchLength = 200;
    public static readonly TimeSpan EditWindow = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Posts a message, numbered by the database under the conversation's row lock. Idempotent per (sender,
    /// client_txn_id): a retry, also one racing the first attempt, returns the first attempt's message with Created
    /// false. A recipient who does not have the conversation open is notified in the same statement (none of their
    /// connections joined it: Redis, <see cref="HubPresence"/>; while it is away nobody counts as watching, so
    /// everyone is told); never in a muted conversation, never across a block.
    /// </summary>
    public Task<SendOutcome> SendAsync(
        Guid conversationId,
        Guid senderId,
        SendMessage input,
        string? originConnectionId,
        CancellationToken cancellationToken
    ) => SendAsync(conversationId, senderId, input, originConnectionId, checkedFirst: false, cancellationToken);

    // Unless checkedFirst, a plain message to a conversation this instance knows goes straight to the statement,
    // which checks who may send itself (MessageInsert.MaySend): a round trip less. Whatever it does not write
    // (a refusal, a closed conversation, a client_txn_id used) is then sent again checked first, which answers it as
    // before.
    private async Task<SendOutcome> SendAsync(
        Guid conversationId,
        Guid senderId,
        SendMessage input,
        string? originConnectionId,
        bool checkedFirst,
        CancellationToken cancellationToken
    )
    {
        // Who has the conversation open, asked of Redis while the database answers who may send.
        var watching = presence.WatchersAsync(conversationId);
        var inCallersTransaction = db.Database.CurrentTransaction is not null;
        var attachmentIds = input.Attachments ?? [];
        var known =
            checkedFirst || inCallersTransaction || attachmentIds.Count > 0 || input.ReplyTo is not null
                ? null
                : shapes.Find(conversationId, senderId);
        var errors = new ValidationErrors();
        var hasText = !string.IsNullOrWhiteSpace(input.Text);
        if (!hasText && attachmentIds.Count == 0)
            errors.Add("text", "text is required (or at least one attachment).");
        errors.MaxLength("text", input.Text, MaxTextLength);
        if (errors.Required("client_txn_id", input.ClientTxnId))
            errors.MaxLength("client_txn_id", input.ClientTxnId, MaxClientTxnIdLength);
        if (attachmentIds.Count > MaxAttachments)
            errors.Add("attachments", $"A message may carry at most {MaxAttachments} attachments.");
        if (attachmentIds.Any(a => a == Guid.Empty) || attachmentIds.Distinct().Count() != attachmentIds.Count)
            errors.Add("attachments", "attachments must be distinct attachment ids.");
        if (input.ReplyTo == Guid.Empty)
            errors.Add("reply_to", "reply_to must be a message id.");
        // Who may not see the conversation hears that before anything about their input.
        Conversation conversation;
        if (known is null || errors.Any)
        {
            var access = await ConversationAccess.OpenAsync(db, conversationId, senderId, cancellationToken);
            shapes.Remember(access.Conversation);
            errors.ThrowIfAny();
            // A retry answers with its first attempt's message, also once the sender may no longer send. Otherwise
            // the statement finds it (its insert conflicts), which saves the lookup on every first attempt.
            if (
                (access.SendRefusal is not null || inCallersTransaction)
                && await FindSentAsync(senderId, input.ClientTxnId!, conversationId, cancellationToken) is { } earlier
            )
                return earlier;
            access.EnsureCanSend();
            if (
                input.ReplyTo is { } replyTo
                && !await db.Messages.AnyAsync(
                    m => m.Id == replyTo && m.ConversationId == conversationId,
                    cancellationToken
                )
            )
                throw new RequestValidationException("reply_to", "reply_to must be a message of this conversation.");
            conversation = access.Conversation;
            known = null;
        }
        else
            conversation = known;
        var txn = input.ClientTxnId!;

        var now = clock.GetUtcNow();
        // As stored (microseconds), so the answer and the live push show what history will.
        now = now.AddTicks(-(now.Ticks % 10));
        var message = new Message
        {
            Id = NewId.Next(now),
            ConversationId = conversationId,
            SenderId = senderId,
            Text = input.Text ?? "",
            ReplyTo = input.ReplyTo,
            AttachmentIds = [.. attachmentIds],
            ClientTxnId = txn,
            CreatedAt = now,
        };
        var sent = new MessageSent(
            Guid.CreateVersion7(now),
            now,
            message.Id,
            conversationId,
            conversation.Kind,
            senderId,
            []
        );
        var notice = new NewNotification(
            Guid.Empty,
            NotificationKinds.MessageReceived,
            senderId,
            SubjectTypes.Conversation,
            conversationId,
            new
            {
                conversation_id = conversationId,
                conversation_kind = conversation.Kind,
                message_id = message.Id,
                // where a client opens it: a thread in its group, an event's chat at its event
                group_id = conversation.GroupId,
                event_id = conversation.EventId,
            }
        );
        var noticeData = NotificationStore.DataOf(notice);
        IReadOnlyList<Guid> recipients;
        IReadOnlyList<CreatedNotification> notified;
        UserRef sender;
        // The statement is atomic on its own: a plain message needs no transaction (no BEGIN, no COMMIT round trip).
        // Attachments are claimed in one with it; a caller's transaction is joined (a new thread posts its first
        // message with itself).
        var transaction =
            inCallersTransaction || attachmentIds.Count == 0
                ? null
                : await db.Database.BeginTransactionAsync(cancellationToken);
        var ownTransaction = transaction is null && !inCallersTransaction;
        await using (transaction)
        {
            MessageInsert.Outcome? written;
            try
            {
                written = await MessageInsert.RunAsync(
                    db,
                    conversation,
                    message,
                    sent,
                    new(notice, noticeData, await watching ?? new HashSet<Guid>()),
                    cancellationToken
                );
            }
            catch (PostgresException e)
                when (e.SqlState == PostgresErrorCodes.UniqueViolation
                    && e.ConstraintName == MessageInsert.TxnConstraint
                )
            {
                // An attempt with the same client_txn_id raced this one: nothing of this one was kept.
                written = null;
            }
            if (written is not { Seq: { } seq })
            {
                if (known is not null)
                    return await SendAsync(
                        conversationId,
                        senderId,
                        input,
                        originConnectionId,
                        checkedFirst: true,
                        cancellationToken
                    );
                // Refused since the check (a block, a departure, closed: answered as the check answers it now), or
                // the client_txn_id used (a retry, or one racing its first attempt): nothing is kept, the number
                // included.
                if (written is { Used: false })
                {
                    (
                        await ConversationAccess.OpenAsync(db, conversationId, senderId, cancellationToken)
                    ).EnsureCanSend();
                    throw ClosedForSending();
                }
                if (inCallersTransaction)
                    throw new ConflictException(TxnUsed);
                if (transaction is not null)
                    await transaction.RollbackAsync(cancellationToken);
                return await FindSentAsync(senderId, txn, conversationId, cancellationToken)
                    ?? throw new InvalidOperationException(
                        $"client_txn_id {txn} of {senderId} conflicted but its message cannot be read."
                    );
            }
            message.Seq = seq;
            message.Version = written.Version ?? 0;
            recipients = written.Recipients;
            sender = written.Sender(senderId);
            // Parsed once for all of them (and only when someone is told).
            var noticeElement = written.NotifiedIds.Length > 0 ? NotificationStore.Element(noticeData) : default;
            notified =
            [
                .. written.NotifiedIds.Zip(
                    written.NotifiedUsers,
                    (id, user) =>
                        NotificationStore.Created(
                            notice with
                            {
                                UserId = user,
                            },
                            id,
                            sender.DisplayName ?? sender.Username,
                            sender.ProfileImageUrl,
                            noticeElement,
                            now
                        )
                ),
            ];
            if (attachmentIds.Count > 0)
            {
                var ids = attachmentIds.ToList();
                var claimed = await db
                    .Attachments.Where(a =>
                        ids.Contains(a.Id)
                        && a.ConversationId == conversationId
                        && a.UploaderId == senderId
                        && a.MessageId == null
                    )
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.MessageId, message.Id), cancellationToken);
                if (claimed != ids.Count)
                    throw new RequestValidationException(
                        "attachments",
                        "attachments must be files you uploaded to this conversation that no other message carries."
                    );
            }
            // The statement wrote MessageSent to the outbox: the dispatcher is woken once it is committed. When the
            // statement was its own transaction, once the live push is on its way (below): the dispatcher's claim and
            // publish then run beside the delivery's last hops, not ahead of them.
            if (!ownTransaction)
                outbox.NotifyOnCommit(db);
            if (transaction is not null)
                await transaction.CommitAsync(cancellationToken);
        }
        // Built from what was written: only files need reading.
        var dto =
            attachmentIds.Count > 0
                ? (await queries.ToDtosAsync([message], senderId, cancellationToken))[0]
                : new MessageDto(
                    message.Id,
                    conversationId,
                    message.Seq,
                    sender,
                    message.Text,
                    message.ReplyTo,
                    [],
                    txn,
                    now,
                    null,
                    null,
                    false
                );
        // Inside a caller's transaction nothing is committed yet: the caller announces what it made after its commit.
        if (!inCallersTransaction)
        {
            Task pushed;
            try
            {
                pushed = Task.WhenAll(
                    live.MessageAsync(LiveEvents.NewMessage, dto, senderId, recipients, originConnectionId),
                    live.NotificationsAsync(notified)
                );
            }
            finally
            {
                if (ownTransaction)
                    outbox.Notify();
            }
            // The sender's typing ends beside the pushes (its Redis round trip with the message's publish, not after
            // it); a stop it pushes is still issued after the message's.
            await Task.WhenAll(pushed, typing.SentAsync(db, conversationId, senderId, recipients, cancellationToken));
        }
        return new(dto, true, notified, message.Version);
    }

    private const string TxnUsed = "client_txn_id was already used.";

    private static ConflictException ClosedForSending() => new("This conversation is closed for sending.");

    /// <summary>
    /// Changes a message's text: its author only, within <see cref="EditWindow"/> of sending, while they may still
    /// send. <paramref name="precondition"/> (an If-Match check) is handed the locked message's version once the
    /// caller may edit it, so a stranger hears the same 404 with or without one.
    /// </summary>
    public async Task<MessageDto> EditAsync(
        Guid conversationId,
        Guid messageId,
        Guid userId,
        string? text,
        string? originConnectionId,
        Action<uint>? precondition,
        CancellationToken cancellationToken
    )
    {
        // Asked first so that a stranger locks nothing, and again under the message's lock: a block, a removal or a
        // departure committed while the edit waited for the lock holds for it (as the send's statement asks).
        await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var message = await LockedMessageAsync(conversationId, messageId, cancellationToken);
        var access = await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        if (message.SenderId != userId)
            throw new ForbiddenException("Only the author may edit a message.");
        // Locked until the commit, so the version checked is the one the edit applies to.
        precondition?.Invoke(message.Version);
        if (message.DeletedAt is not null)
            throw new ConflictException("The message was deleted.");
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(text) && message.AttachmentIds.Count == 0)
            errors.Add("text", "text is required.");
        errors.MaxLength("text", text, MaxTextLength);
        errors.ThrowIfAny();
        var now = clock.GetUtcNow();
        if (now - message.CreatedAt > EditWindow)
            throw new BusinessRuleException(
                $"A message may be edited within {EditWindow.TotalMinutes:0} minutes of sending."
            );
        access.EnsureCanSend();
        message.Text = text ?? "";
        message.EditedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        // Committed before the push: nobody hears of an edit that could still be undone.
        await transaction.CommitAsync(cancellationToken);
        var edited = (await queries.ToDtosAsync([message], userId, cancellationToken))[0];
        await live.MessageAsync(
            LiveEvents.MessageUpdated,
            edited,
            userId,
            await queries.RecipientsAsync(access.Conversation, userId, cancellationToken),
            originConnectionId
        );
        return edited;
    }

    /// <summary>
    /// Deletes a message, leaving a tombstone with its seq: its author, a thread's group moderators and owner, an event
    /// chat's organizer. Deleting a tombstone again changes nothing. Its attachments' files go too.
    /// </summary>
    public async Task<MessageDto> DeleteAsync(
        Guid conversationId,
        Guid messageId,
        Guid userId,
        string? originConnectionId,
        CancellationToken cancellationToken
    )
    {
        // Asked again under the message's lock, as an edit does: a moderator demoted or a member gone meanwhile
        // deletes nothing of anyone's.
        await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var message = await LockedMessageAsync(conversationId, messageId, cancellationToken);
        var access = await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        if (message.SenderId != userId && !access.Moderates)
            throw new ForbiddenException("Only the author or a moderator may delete a message.");
        if (message.DeletedAt is not null)
            return (await queries.ToDtosAsync([message], userId, cancellationToken))[0];
        var deletion = await TombstoneAsync(access.Conversation, message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await AnnounceDeletedAsync(deletion, userId, originConnectionId, cancellationToken);
    }

    /// <summary>
    /// Deletes a message the platform's moderators removed (a report resolved with remove_content) as
    /// <see cref="DeleteAsync"/> does, asking nobody's membership: the decision is an admin's, made in social. Runs in
    /// the caller's transaction (an inbox consumer's); null when there is nothing to delete (no such message, or a
    /// tombstone already). Once that commits, the caller hands the deletion to <see cref="AnnounceDeletedAsync"/>.
    /// </summary>
    public async Task<MessageDeletion?> RemoveForModeratorsAsync(Guid messageId, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("A moderators' removal runs in its caller's transaction.");
        var conversationId = await db
            .Messages.Where(m => m.Id == messageId)
            .Select(m => (Guid?)m.ConversationId)
            .FirstOrDefaultAsync(cancellationToken);
        if (conversationId is not { } inConversation)
            return null;
        var message = await LockedMessageAsync(inConversation, messageId, cancellationToken);
        if (message.DeletedAt is not null)
            return null;
        var conversation = await db
            .Conversations.AsNoTracking()
            .SingleAsync(c => c.Id == inConversation, cancellationToken);
        return await TombstoneAsync(conversation, message, cancellationToken);
    }

    /// <summary>
    /// Empties a locked message into a tombstone keeping its seq, and removes its attachments' rows, in the caller's
    /// transaction; their files are written down in it (<see cref="BlobDeletions"/>: no row names them any more) and
    /// go once it commits (<see cref="AnnounceDeletedAsync"/>), or by the blob deletion retries should that not run.
    /// </summary>
    private async Task<MessageDeletion> TombstoneAsync(
        Conversation conversation,
        Message message,
        CancellationToken cancellationToken
    )
    {
        var files = await db.Attachments.Where(a => a.MessageId == message.Id).ToListAsync(cancellationToken);
        message.DeletedAt = clock.GetUtcNow();
        message.Text = "";
        message.AttachmentIds = [];
        db.Attachments.RemoveRange(files);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.WriteDownAsync(
            [.. files.Select(f => f.BlobKey)],
            "an attachment of a deleted message",
            cancellationToken
        );
        await NotificationStore.ForgetMessageAsync(db, conversation, message, cancellationToken);
        return new(conversation, message, files);
    }

    /// <summary>
    /// After a deletion's commit: its files go (best effort: one not deleted now stays written down for the blob
    /// deletion retries), and message_deleted is pushed, <paramref name="actorId"/>'s view to their other connections
    /// and the others' to everyone else shown the message (<see cref="MessageQueries.ReadersAsync"/>), whatever blocks
    /// the actor is in: a tombstone has no text to keep from anyone, and a screen left with a removed text is the harm.
    /// The tombstone as the actor sees it (<see cref="Guid.Empty"/>: nobody in particular, an admin's removal).
    /// </summary>
    public async Task<MessageDto> AnnounceDeletedAsync(
        MessageDeletion deletion,
        Guid actorId,
        string? originConnectionId,
        CancellationToken cancellationToken
    )
    {
        await blobs.DeleteWrittenDownAsync(
            db.Database,
            [.. deletion.Files.Select(f => f.BlobKey)],
            logger,
            cancellationToken
        );
        var tombstone = (await queries.ToDtosAsync([deletion.Message], actorId, cancellationToken))[0];
        // Nobody it is hidden from is a reader; the actor's own view is hidden across a block with its author (and
        // names nobody): the readers' is nobody's in particular.
        var forReaders = tombstone.Hidden
            ? (await queries.ToDtosAsync([deletion.Message], Guid.Empty, cancellationToken))[0]
            : tombstone with
            {
                ClientTxnId = null,
            };
        await live.MessageAsync(
            LiveEvents.MessageDeleted,
            tombstone,
            actorId,
            await queries.ReadersAsync(deletion.Conversation, deletion.Message.SenderId, cancellationToken),
            originConnectionId,
            forReaders
        );
        return tombstone;
    }

    /// <summary>
    /// Moves the caller's read position up to <paramref name="seq"/>: never backwards, never past the last message.
    /// Messages hidden from the caller by a block (in a thread or event chat) are not unread. The caller's
    /// message_received notifications of the conversation whose message is at or below the position become read in
    /// the same statement: a chat read is not still counted by the bell, nor mailed later by the digest
    /// (<see cref="Notifications.NotificationDigest"/>); one of a later message stays unread.
    /// </summary>
    public async Task<ReadPosition> MarkReadAsync(
        Guid conversationId,
        Guid userId,
        long seq,
        string? originConnectionId,
        CancellationToken cancellationToken
    )
    {
        if (seq < 0)
            throw new RequestValidationException("seq", "seq must be 0 or more.");
        var access = await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        var now = clock.GetUtcNow();
        await access.EnsureMemberRowAsync(db, now, cancellationToken);
        // A notification keeps its message's id (data.message_id, MessageInsert), not its seq: the message row says
        // where it stands. Notifications hidden by a block are read too: their messages are below the position as
        // well, and an unblock should not bring them back unread.
        // Whether the position moved, from the row as it was (locked, so two reads at once are ordered): an unchanged
        // position is told to nobody, or a client repeating its read would push to every member each time.
        var rows = await db
            .Database.SqlQuery<MovedPosition>(
                $"""
                WITH was AS (
                    SELECT read_seq FROM conversation_members
                    WHERE conversation_id = {conversationId} AND user_id = {userId} FOR NO KEY UPDATE
                ), moved AS (
                    UPDATE conversation_members m SET read_seq = GREATEST(m.read_seq, LEAST({seq}, c.last_seq))
                    FROM conversations c, was
                    WHERE c.id = m.conversation_id AND m.conversation_id = {conversationId} AND m.user_id = {userId}
                    RETURNING m.read_seq > was.read_seq AS moved, LEAST(m.read_seq, c.last_seq) AS read_seq, c.last_seq,
                        c.last_seq - LEAST(m.read_seq, c.last_seq) - (SELECT count(*) FROM messages hm
                            WHERE c.kind <> 'direct' AND hm.conversation_id = c.id
                              AND hm.seq > LEAST(m.read_seq, c.last_seq)
                              AND hm.sender_id IN (
                                  SELECT CASE WHEN b.blocker_id = {userId} THEN b.blocked_id ELSE b.blocker_id END
                                  FROM blocks b
                                  WHERE b.blocked AND (b.blocker_id = {userId} OR b.blocked_id = {userId})))
                            AS unread_count),
                cleared AS (
                    UPDATE notifications n SET read_at = {now}
                    FROM moved, messages r
                    WHERE n.user_id = {userId} AND n.kind = {NotificationKinds.MessageReceived} AND n.read_at IS NULL
                      AND n.subject_type = {SubjectTypes.Conversation} AND n.subject_id = {conversationId}
                      AND r.id = (n.data ->> 'message_id')::uuid AND r.conversation_id = {conversationId}
                      AND r.seq <= moved.read_seq)
                SELECT moved, read_seq, last_seq, unread_count FROM moved
                """
            )
            .ToListAsync(cancellationToken);
        // No row: the caller left or was removed between the access check and the update.
        var position = rows.SingleOrDefault() ?? throw new NotFoundException(ConversationAccess.NoSuchConversation);
        if (position.Moved)
            await live.ReadAsync(
                conversationId,
                userId,
                position.ReadSeq,
                await queries.RecipientsAsync(access.Conversation, userId, cancellationToken),
                originConnectionId
            );
        return new ReadPosition(position.ReadSeq, position.LastSeq, position.UnreadCount);
    }

    private sealed record MovedPosition(bool Moved, long ReadSeq, long LastSeq, long UnreadCount);

    public async Task SetMutedAsync(Guid conversationId, Guid userId, bool muted, CancellationToken cancellationToken)
    {
        var access = await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        await access.EnsureMemberRowAsync(db, clock.GetUtcNow(), cancellationToken);
        // No row: the caller left or was erased since the access check.
        if (
            await db
                .ConversationMembers.Where(m => m.ConversationId == conversationId && m.UserId == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Muted, muted), cancellationToken) == 0
        )
            throw new NotFoundException(ConversationAccess.NoSuchConversation);
    }

    private async Task<SendOutcome?> FindSentAsync(
        Guid senderId,
        string clientTxnId,
        Guid conversationId,
        CancellationToken cancellationToken
    )
    {
        var sent = await db
            .Messages.AsNoTracking()
            .SingleOrDefaultAsync(m => m.SenderId == senderId && m.ClientTxnId == clientTxnId, cancellationToken);
        if (sent is null)
            return null;
        if (sent.ConversationId != conversationId)
            throw new ConflictException("client_txn_id was already used for a message in another conversation.");
        return new((await queries.ToDtosAsync([sent], senderId, cancellationToken))[0], false, [], sent.Version);
    }

    /// <summary>
    /// The message, locked until the caller's transaction ends: an edit and a delete (or two deletes) of one message
    /// take turns, so a deletion's emptied text is never written over by an edit read before it, and its files go once.
    /// </summary>
    private async Task<Message> LockedMessageAsync(
        Guid conversationId,
        Guid messageId,
        CancellationToken cancellationToken
    )
    {
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM messages WHERE id = {messageId} AND conversation_id = {conversationId} FOR UPDATE",
            cancellationToken
        );
        return await db.Messages.SingleOrDefaultAsync(
                m => m.Id == messageId && m.ConversationId == conversationId,
                cancellationToken
            ) ?? throw new NotFoundException("No such message in this conversation.");
    }
}

/// <summary>A message just made a tombstone, in its conversation, and the attachments that went with it.</summary>
public sealed record MessageDeletion(Conversation Conversation, Message Message, IReadOnlyList<Attachment> Files);
