using Community.Contracts;

namespace Community.Messaging.Conversations;

/// <summary>Reads of the caller's conversations: the list, one of them, unread counts; all from one visibility rule in
/// SQL.</summary>
public static class ConversationQueries
{
    public const int PreviewLength = 140;

    /// <summary>A row of the caller's visible memberships with its conversation, whether they may send, and the newest
    /// message.</summary>
    public sealed record MembershipRow(
        Guid Id,
        string Kind,
        Guid? DirectLow,
        Guid? DirectHigh,
        Guid? GroupId,
        Guid? EventId,
        long LastSeq,
        DateTimeOffset LastActivityAt,
        bool Closed,
        DateTimeOffset CreatedAt,
        long ReadSeq,
        bool Muted,
        bool CanSend,
        Guid? LastMessageId,
        Guid? LastSenderId,
        string? LastText,
        DateTimeOffset? LastAt,
        DateTimeOffset? LastDeletedAt,
        int? LastAttachments,
        bool LastHidden,
        long HiddenUnread
    )
    {
        /// <summary>Unread messages but those hidden by a block: the list's, a conversation's and the totals'
        /// counts.</summary>
        public long UnreadCount => LastSeq - ReadSeq - HiddenUnread;
    }

    /// <summary>
    /// The conversations <paramref name="userId"/> is an active member of and may see: a direct one unless the other
    /// person blocked them, a thread while they are in its group and it is not deleted. Composable (filter, order and
    /// page with LINQ). In a thread or event chat, messages of someone in a block with the caller (either way) are
    /// hidden: not unread, and a preview without text. A direct conversation keeps them for the blocker (the blocked
    /// side does not see it).
    /// </summary>
    public static IQueryable<MembershipRow> Visible(MessagingDbContext db, Guid userId) =>
        db.Database.SqlQuery<MembershipRow>(
            $"""
            SELECT c.id, c.kind, c.direct_low, c.direct_high, c.group_id,
                   c.event_id, c.last_seq, c.last_activity_at, c.closed,
                   c.created_at, LEAST(m.read_seq, c.last_seq) AS read_seq, m.muted,
                   (NOT c.closed AND (c.kind <> 'direct' OR (
                       NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked AND b.blocker_id = {userId}
                                   AND b.blocked_id IN (c.direct_low, c.direct_high))
                       AND EXISTS (SELECT 1 FROM connections p WHERE p.user_low = c.direct_low
                                   AND p.user_high = c.direct_high AND p.connected)))) AS can_send,
                   lm.id AS last_message_id, lm.sender_id AS last_sender_id, lm.text AS last_text,
                   lm.created_at AS last_at,
                   lm.deleted_at AS last_deleted_at, cardinality(lm.attachment_ids) AS last_attachments,
                   COALESCE(c.kind <> 'direct' AND lm.sender_id = ANY (ARRAY(
                       SELECT CASE WHEN b.blocker_id = {userId} THEN b.blocked_id ELSE b.blocker_id END
                       FROM blocks b
                       WHERE b.blocked AND (b.blocker_id = {userId} OR b.blocked_id = {userId}))), false)
                       AS last_hidden,
                   -- Counted only for someone with a block at all (the EXISTS runs once), over their unread messages.
                   CASE WHEN c.kind <> 'direct'
                             AND EXISTS (SELECT 1 FROM blocks b
                                         WHERE b.blocked AND (b.blocker_id = {userId} OR b.blocked_id = {userId}))
                        THEN (SELECT count(*) FROM messages hm
                              WHERE hm.conversation_id = c.id AND hm.seq > LEAST(m.read_seq, c.last_seq)
                                AND hm.sender_id = ANY (ARRAY(
                                    SELECT CASE WHEN b.blocker_id = {userId} THEN b.blocked_id ELSE b.blocker_id END
                                    FROM blocks b
                                    WHERE b.blocked AND (b.blocker_id = {userId} OR b.blocked_id = {userId}))))
                        ELSE 0 END AS hidden_unread
            FROM conversation_members m
            JOIN conversations c ON c.id = m.conversation_id
            LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq
            WHERE m.user_id = {userId} AND m.active
              AND (c.kind <> 'direct' OR NOT EXISTS (
                    SELECT 1 FROM blocks b WHERE b.blocked AND b.blocked_id = {userId}
                    AND b.blocker_id = CASE WHEN c.direct_low = {userId} THEN c.direct_high ELSE c.direct_low END))
              AND (c.kind <> 'thread' OR EXISTS (
                    SELECT 1 FROM group_members g WHERE g.group_id = c.group_id AND g.user_id = {userId} AND g.active)
                    AND NOT EXISTS (SELECT 1 FROM groups gr WHERE gr.group_id = c.group_id AND gr.deleted)
                    AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = c.id AND t.deleted_at IS NOT NULL)
                    -- hidden from those in a block with its author, but its moderators (ConversationAccess)
                    AND (NOT EXISTS (SELECT 1 FROM threads t JOIN blocks tb ON tb.blocked
                                       AND ((tb.blocker_id = {userId} AND tb.blocked_id = t.author_id)
                                         OR (tb.blocker_id = t.author_id AND tb.blocked_id = {userId}))
                                     WHERE t.id = c.id)
                         OR EXISTS (SELECT 1 FROM group_members g WHERE g.group_id = c.group_id
                                      AND g.user_id = {userId} AND g.active AND g.role IN ('owner', 'moderator'))))
            """
        );

    public static async Task<CursorPage<ConversationDto>> ListAsync(
        MessagingDbContext db,
        Guid userId,
        string? kind,
        TimeAndId? after,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var rows = Visible(db, userId);
        if (kind is not null)
            rows = rows.Where(r => r.Kind == kind);
        if (after is { } a)
            rows = rows.Where(r => r.LastActivityAt < a.At || (r.LastActivityAt == a.At && r.Id.CompareTo(a.Id) < 0));
        var page = await rows.OrderByDescending(r => r.LastActivityAt)
            .ThenByDescending(r => r.Id)
            .Take(Keyset.Probe(limit))
            .ToListAsync(cancellationToken);
        var names = await Names.LoadAsync(db, page.Select(r => OtherOf(r, userId)).OfType<Guid>(), cancellationToken);
        return Keyset.Page(page, limit, r => TimeAndId.Format(r.LastActivityAt, r.Id), r => ToDto(r, userId, names));
    }

    /// <summary>One conversation as <see cref="ListAsync"/> shows it, or null when the caller may not see it.</summary>
    public static async Task<ConversationDto?> FindAsync(
        MessagingDbContext db,
        Guid userId,
        Guid conversationId,
        CancellationToken cancellationToken
    )
    {
        var row = await Visible(db, userId).Where(r => r.Id == conversationId).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
            return null;
        var names = await Names.LoadAsync(db, OtherOf(row, userId) is { } other ? [other] : [], cancellationToken);
        return ToDto(row, userId, names);
    }

    public static async Task<UnreadCountDto> UnreadAsync(
        MessagingDbContext db,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var byKind = await Visible(db, userId)
            .Where(r => !r.Muted)
            .GroupBy(r => r.Kind)
            .Select(g => new { Kind = g.Key, Unread = g.Sum(r => r.LastSeq - r.ReadSeq - r.HiddenUnread) })
            .ToListAsync(cancellationToken);
        long Of(string kind) => byKind.FirstOrDefault(k => k.Kind == kind)?.Unread ?? 0;
        var kinds = new UnreadByKind(
            Of(ConversationKinds.Direct),
            Of(ConversationKinds.Thread),
            Of(ConversationKinds.EventChat)
        );
        return new(kinds.Direct + kinds.Thread + kinds.EventChat, kinds);
    }

    private static Guid? OtherOf(MembershipRow row, Guid userId) =>
        row.Kind == ConversationKinds.Direct ? (row.DirectLow == userId ? row.DirectHigh : row.DirectLow) : null;

    private static ConversationDto ToDto(MembershipRow r, Guid userId, IReadOnlyDictionary<Guid, UserRef> names)
    {
        var shown = r.LastDeletedAt is null && !r.LastHidden;
        var preview = r.LastMessageId is { } id
            ? new MessagePreview(
                id,
                r.LastSeq,
                r.LastSenderId!.Value,
                shown ? Cut(r.LastText) : null,
                r.LastDeletedAt is not null,
                shown ? r.LastAttachments ?? 0 : 0,
                r.LastAt!.Value,
                r.LastHidden
            )
            : null;
        var other = OtherOf(r, userId) is { } o ? Names.Of(names, o) : null;
        return new(
            r.Id,
            r.Kind,
            other,
            r.GroupId,
            r.EventId,
            r.LastSeq,
            r.ReadSeq,
            r.UnreadCount,
            r.Muted,
            r.Closed,
            r.CanSend,
            preview,
            r.LastActivityAt,
            r.CreatedAt
        );
    }

    private static string? Cut(string? text) => text is null ? null : SafeText.Cut(text, PreviewLength);
}

/// <summary>Display names of people, from the users projection.</summary>
public static class Names
{
    public static async Task<IReadOnlyDictionary<Guid, UserRef>> LoadAsync(
        MessagingDbContext db,
        IEnumerable<Guid> userIds,
        CancellationToken cancellationToken
    )
    {
        var ids = userIds.Distinct().ToList();
        if (ids.Count == 0)
            return new Dictionary<Guid, UserRef>();
        return await db
            .UserProfiles.AsNoTracking()
            .Where(u => ids.Contains(u.UserId))
            .ToDictionaryAsync(
                u => u.UserId,
                u =>
                    u.DeletedAt != null
                        ? new UserRef(u.UserId, null, null)
                        : new UserRef(u.UserId, u.Username, u.DisplayName, u.ProfileImageUrl),
                cancellationToken
            );
    }

    /// <summary>A person messaging has not heard of yet still appears, by id.</summary>
    public static UserRef Of(IReadOnlyDictionary<Guid, UserRef> names, Guid userId) =>
        names.TryGetValue(userId, out var name) ? name : new(userId, null, null);
}
