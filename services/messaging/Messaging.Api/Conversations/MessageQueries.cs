using Community.Contracts;
using Community.Messaging.Relations;
using Community.ServiceDefaults.Blobs;

namespace Community.Messaging.Conversations;

/// <summary>Messages as a member reads them: history, search, the DTOs every view shows, and who hears a
/// change.</summary>
public sealed class MessageQueries(MessagingDbContext db, IBlobStore blobs)
{
    /// <summary>
    /// A page of messages in seq order: before <paramref name="beforeSeq"/> (history, the newest of them), after
    /// <paramref name="afterSeq"/> (catch-up after a reconnect, the oldest of them), or the newest without either.
    /// </summary>
    public async Task<MessageHistory> HistoryAsync(
        Guid conversationId,
        Guid userId,
        long? beforeSeq,
        long? afterSeq,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var access = await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        // The page and last_seq from one snapshot: a message sent between two reads would give last_seq a message
        // the page says does not exist (has_more false, its newest seq below last_seq).
        var (rows, lastSeq) = await db.InSnapshotAsync(
            async () =>
            {
                var messages = db.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId);
                if (afterSeq is { } after)
                    messages = messages.Where(m => m.Seq > after).OrderBy(m => m.Seq);
                else
                    messages = (
                        beforeSeq is { } before ? messages.Where(m => m.Seq < before) : messages
                    ).OrderByDescending(m => m.Seq);
                return (
                    await messages.Take(Keyset.Probe(limit)).ToListAsync(cancellationToken),
                    await LastSeqAsync(access.Conversation.Id, cancellationToken)
                );
            },
            cancellationToken
        );
        var hasMore = rows.Count > limit;
        var page = rows.Take(limit).OrderBy(m => m.Seq).ToList();
        return new(await ToDtosAsync(page, userId, cancellationToken), hasMore, lastSeq);
    }

    /// <summary>
    /// One message as the history shows it (hidden in place across a block); 404 for someone who may not read the
    /// conversation, for a message of another conversation and for a deleted one.
    /// </summary>
    public async Task<(MessageDto Message, uint Version)> OneAsync(
        Guid conversationId,
        Guid messageId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        var message =
            await db
                .Messages.AsNoTracking()
                .SingleOrDefaultAsync(
                    m => m.Id == messageId && m.ConversationId == conversationId && m.DeletedAt == null,
                    cancellationToken
                )
            ?? throw new NotFoundException(NoSuchMessage);
        return ((await ToDtosAsync([message], userId, cancellationToken))[0], message.Version);
    }

    public const string NoSuchMessage = "No such message.";

    /// <summary>Messages whose text matches <paramref name="query"/> (PostgreSQL full-text search, web-search syntax),
    /// newest first.</summary>
    public async Task<MessageHistory> SearchAsync(
        Guid conversationId,
        Guid userId,
        string? query,
        long? beforeSeq,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (errors.Required("q", query))
            errors.MaxLength("q", query, ConversationMessages.MaxSearchLength);
        errors.ThrowIfAny();
        var access = await ConversationAccess.OpenAsync(db, conversationId, userId, cancellationToken);
        var before = beforeSeq ?? long.MaxValue;
        // The matches and last_seq from one snapshot, as the history reads them.
        var (rows, lastSeq) = await db.InSnapshotAsync(
            async () => (await MatchesAsync(), await LastSeqAsync(access.Conversation.Id, cancellationToken)),
            cancellationToken
        );
        return new(
            await ToDtosAsync(rows.Take(limit).ToList(), userId, cancellationToken),
            rows.Count > limit,
            lastSeq
        );

        Task<List<Message>> MatchesAsync() =>
            db
                .Messages.FromSql(
                    $"""
                    SELECT id, xmin, conversation_id, seq, sender_id, text, reply_to, attachment_ids, client_txn_id,
                           created_at, edited_at, deleted_at, search
                    FROM messages
                    WHERE conversation_id = {conversationId} AND deleted_at IS NULL AND seq < {before}
                      AND search @@ websearch_to_tsquery('simple', {query})
                    """
                )
                // Hidden messages are found by nobody they are hidden from.
                .Where(m =>
                    access.Conversation.Kind == ConversationKinds.Direct
                    || !RelationQueries.BlockedWith(db, userId).Contains(m.SenderId)
                )
                .AsNoTracking()
                .OrderByDescending(m => m.Seq)
                .Take(Keyset.Probe(limit))
                .ToListAsync(cancellationToken);
    }

    private Task<long> LastSeqAsync(Guid conversationId, CancellationToken cancellationToken) =>
        db.Conversations.Where(c => c.Id == conversationId).Select(c => c.LastSeq).SingleAsync(cancellationToken);

    /// <summary>
    /// Messages (of one conversation) as <paramref name="viewerId"/> sees them: sender names, attachments, their own
    /// client_txn_id only; in a thread or event chat, those of someone in a block with the viewer (either way) hidden:
    /// in place, without text or files.
    /// </summary>
    public async Task<IReadOnlyList<MessageDto>> ToDtosAsync(
        IReadOnlyList<Message> messages,
        Guid viewerId,
        CancellationToken cancellationToken
    )
    {
        var names = await Names.LoadAsync(db, messages.Select(m => m.SenderId), cancellationToken);
        var others = messages.Select(m => m.SenderId).Where(s => s != viewerId).Distinct().ToList();
        var conversations = messages.Select(m => m.ConversationId).Distinct().ToList();
        // A direct conversation keeps its history whole for the blocker (the blocked side no longer sees it at all).
        var hidden =
            others.Count == 0
                ? []
                : (
                    await RelationQueries
                        .BlockedWith(db, viewerId)
                        .Where(u =>
                            others.Contains(u)
                            && db.Conversations.Any(c =>
                                conversations.Contains(c.Id) && c.Kind != ConversationKinds.Direct
                            )
                        )
                        .ToListAsync(cancellationToken)
                ).ToHashSet();
        var ids = messages
            .Where(m => m.AttachmentIds.Count > 0 && !hidden.Contains(m.SenderId))
            .Select(m => m.Id)
            .ToList();
        var files =
            ids.Count == 0
                ? []
                : await db
                    .Attachments.AsNoTracking()
                    .Where(a => a.MessageId != null && ids.Contains(a.MessageId.Value))
                    .ToListAsync(cancellationToken);
        return messages
            .Select(m =>
            {
                var shown = m.DeletedAt is null && !hidden.Contains(m.SenderId);
                return new MessageDto(
                    m.Id,
                    m.ConversationId,
                    m.Seq,
                    // Across a block the sender is shown as a deleted account is: no name, no picture.
                    hidden.Contains(m.SenderId)
                        ? new UserRef(m.SenderId, null, null)
                        : Names.Of(names, m.SenderId),
                    shown ? m.Text : null,
                    m.ReplyTo,
                    shown
                        ? m
                            .AttachmentIds.Select(id => files.FirstOrDefault(f => f.Id == id))
                            .OfType<Attachment>()
                            .Select(f => AttachmentDto.From(f, blobs))
                            .ToList()
                        : [],
                    m.SenderId == viewerId ? m.ClientTxnId : null,
                    m.CreatedAt,
                    m.EditedAt,
                    m.DeletedAt,
                    hidden.Contains(m.SenderId)
                );
            })
            .ToList();
    }

    /// <summary>
    /// Whom MessageSent names and a live push reaches: the other members who may see the conversation now, but anyone
    /// in a block with the actor (<see cref="ConversationAudience"/>, the rule the send's statement reads too). One
    /// query, whatever the audience.
    /// </summary>
    public Task<IReadOnlyList<Guid>> RecipientsAsync(
        Conversation c,
        Guid senderId,
        CancellationToken cancellationToken
    ) => PeopleAsync(ConversationAudience.AsScalars(c.Kind), c, senderId, cancellationToken);

    /// <summary>
    /// Who may open the conversation and is shown <paramref name="senderId"/>'s messages there, the sender included:
    /// whom a change to one of them must reach whoever makes it, or a screen keeps what is gone
    /// (<see cref="ConversationAudience.ReadersAsScalars"/>).
    /// </summary>
    public Task<IReadOnlyList<Guid>> ReadersAsync(Conversation c, Guid senderId, CancellationToken cancellationToken) =>
        PeopleAsync(ConversationAudience.ReadersAsScalars(c.Kind), c, senderId, cancellationToken);

    /// <summary>The users one of <see cref="ConversationAudience"/>'s queries names for the sender.</summary>
    private async Task<IReadOnlyList<Guid>> PeopleAsync(
        string query,
        Conversation c,
        Guid senderId,
        CancellationToken cancellationToken
    ) =>
        await db
            .Database.SqlQueryRaw<Guid>(query, ConversationAudience.Parameters(c, senderId))
            .ToListAsync(cancellationToken);
}
