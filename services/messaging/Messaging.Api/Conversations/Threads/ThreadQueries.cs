using System.Globalization;
using Community.Messaging.Relations;

namespace Community.Messaging.Conversations.Threads;

/// <summary>Where a group's thread list continues: pinned ones first, then newest activity, then id.</summary>
public readonly record struct ThreadPosition(int PinRank, DateTimeOffset At, Guid Id)
{
    public override string ToString() => $"{PinRank.ToString(CultureInfo.InvariantCulture)}~{TimeAndId.Format(At, Id)}";

    public static ThreadPosition? Parse(string position)
    {
        var parts = position.Split('~');
        if (parts.Length == 2 && parts[0] is ("0" or "1") && TimeAndId.Parse(parts[1]) is { } at)
            return new(parts[0] == "1" ? 1 : 0, at.At, at.Id);
        return null;
    }
}

/// <summary>Reads of threads, all from one visibility rule in SQL: not deleted, in a group the caller is an active
/// member of, not started by someone in a block with the caller.</summary>
public static class ThreadQueries
{
    public sealed record ThreadRow(
        Guid Id,
        Guid GroupId,
        Guid AuthorId,
        string Title,
        string[] Tags,
        DateTimeOffset? PinnedAt,
        int PinRank,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        DateTimeOffset LastActivityAt,
        long LastSeq,
        long MessageCount
    );

    /// <summary>
    /// The threads <paramref name="userId"/> may see; with <paramref name="search"/>, only those whose title or one of
    /// whose messages (not deleted, not hidden from them by a block) matches it (PostgreSQL full-text search,
    /// web-search syntax). Composable. A thread whose author is in a block with them (either way) is left out, as its
    /// new_thread push never reached them, unless they moderate its group (they may open and moderate it) or
    /// <paramref name="acrossBlocks"/> (the answer to a change they made).
    /// </summary>
    public static IQueryable<ThreadRow> Visible(
        MessagingDbContext db,
        Guid userId,
        string? search = null,
        bool acrossBlocks = false
    ) =>
        db.Database.SqlQuery<ThreadRow>(
            $"""
            SELECT t.id, t.group_id, t.author_id, t.title, t.tags,
                   t.pinned_at, (t.pinned_at IS NOT NULL)::int AS pin_rank, t.created_at,
                   t.updated_at, c.last_activity_at, c.last_seq,
                   (SELECT count(*) FROM messages m WHERE m.conversation_id = t.id AND m.deleted_at IS NULL)
                       AS message_count
            FROM threads t
            JOIN conversations c ON c.id = t.id
            WHERE t.deleted_at IS NULL
              AND EXISTS (SELECT 1 FROM group_members g
                          WHERE g.group_id = t.group_id AND g.user_id = {userId} AND g.active)
              AND NOT EXISTS (SELECT 1 FROM groups gr WHERE gr.group_id = t.group_id AND gr.deleted)
              AND ({acrossBlocks}::boolean OR NOT EXISTS (SELECT 1 FROM blocks ab WHERE ab.blocked
                  AND ((ab.blocker_id = {userId} AND ab.blocked_id = t.author_id)
                       OR (ab.blocker_id = t.author_id AND ab.blocked_id = {userId})))
                   -- its moderators keep it, as they may open and moderate it (ConversationAccess, ThreadAccess)
                   OR EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = t.group_id
                              AND gm.user_id = {userId} AND gm.active AND gm.role IN ('owner', 'moderator')))
              AND ({search}::text IS NULL
                   OR t.search @@ websearch_to_tsquery('simple', {search}::text)
                   OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = t.id AND m.deleted_at IS NULL
                              AND m.search @@ websearch_to_tsquery('simple', {search}::text)
                              AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                                  AND ((b.blocker_id = {userId} AND b.blocked_id = m.sender_id)
                                       OR (b.blocker_id = m.sender_id AND b.blocked_id = {userId})))))
            """
        );

    /// <summary>A group's threads: pinned first, then the newest activity.</summary>
    public static async Task<CursorPage<ThreadDto>> ListAsync(
        MessagingDbContext db,
        Guid userId,
        Guid groupId,
        ThreadPosition? after,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var rows = Visible(db, userId).Where(r => r.GroupId == groupId);
        if (after is { } p)
            rows = rows.Where(r =>
                r.PinRank < p.PinRank
                || (
                    r.PinRank == p.PinRank
                    && (r.LastActivityAt < p.At || (r.LastActivityAt == p.At && r.Id.CompareTo(p.Id) < 0))
                )
            );
        var page = await rows.OrderByDescending(r => r.PinRank)
            .ThenByDescending(r => r.LastActivityAt)
            .ThenByDescending(r => r.Id)
            .Take(Keyset.Probe(limit))
            .ToListAsync(cancellationToken);
        return await PageAsync(
            db,
            userId,
            page,
            limit,
            r => new ThreadPosition(r.PinRank, r.LastActivityAt, r.Id).ToString(),
            cancellationToken
        );
    }

    /// <summary>Threads matching <paramref name="search"/> in the caller's groups (or one of them), newest activity
    /// first.</summary>
    public static async Task<CursorPage<ThreadDto>> SearchAsync(
        MessagingDbContext db,
        Guid userId,
        string search,
        Guid? groupId,
        TimeAndId? after,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var rows = Visible(db, userId, search);
        if (groupId is { } g)
            rows = rows.Where(r => r.GroupId == g);
        if (after is { } a)
            rows = rows.Where(r => r.LastActivityAt < a.At || (r.LastActivityAt == a.At && r.Id.CompareTo(a.Id) < 0));
        var page = await rows.OrderByDescending(r => r.LastActivityAt)
            .ThenByDescending(r => r.Id)
            .Take(Keyset.Probe(limit))
            .ToListAsync(cancellationToken);
        return await PageAsync(
            db,
            userId,
            page,
            limit,
            r => TimeAndId.Format(r.LastActivityAt, r.Id),
            cancellationToken
        );
    }

    /// <summary>One thread as the lists show it, or null when the caller may not see it (see
    /// <see cref="Visible"/> for <paramref name="acrossBlocks"/>).</summary>
    public static async Task<ThreadDto?> FindAsync(
        MessagingDbContext db,
        Guid userId,
        Guid threadId,
        bool acrossBlocks,
        CancellationToken cancellationToken
    )
    {
        var row = await Visible(db, userId, acrossBlocks: acrossBlocks)
            .Where(r => r.Id == threadId)
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null)
            return null;
        return ToDto(row, await AuthorsAsync(db, userId, [row], cancellationToken));
    }

    private static async Task<CursorPage<ThreadDto>> PageAsync(
        MessagingDbContext db,
        Guid userId,
        List<ThreadRow> rows,
        int limit,
        Func<ThreadRow, string> positionOf,
        CancellationToken cancellationToken
    )
    {
        var names = await AuthorsAsync(db, userId, rows, cancellationToken);
        return Keyset.Page(rows, limit, positionOf, r => ToDto(r, names));
    }

    // A moderator sees a thread whose author is in a block with them (Visible), its author as a deleted account: no
    // name, no picture, as the author's messages show them.
    private static async Task<IReadOnlyDictionary<Guid, UserRef>> AuthorsAsync(
        MessagingDbContext db,
        Guid userId,
        IReadOnlyList<ThreadRow> rows,
        CancellationToken cancellationToken
    )
    {
        var authors = rows.Select(r => r.AuthorId).Where(a => a != userId).Distinct().ToList();
        var hidden =
            authors.Count == 0
                ? []
                : await RelationQueries
                    .BlockedWith(db, userId)
                    .Where(b => authors.Contains(b))
                    .ToListAsync(cancellationToken);
        var names = await Names.LoadAsync(
            db,
            rows.Select(r => r.AuthorId).Where(a => !hidden.Contains(a)),
            cancellationToken
        );
        if (hidden.Count == 0)
            return names;
        var shown = new Dictionary<Guid, UserRef>(names);
        foreach (var author in hidden)
            shown[author] = new UserRef(author, null, null);
        return shown;
    }

    private static ThreadDto ToDto(ThreadRow r, IReadOnlyDictionary<Guid, UserRef> names) =>
        new(
            r.Id,
            r.GroupId,
            r.Title,
            r.Tags,
            Names.Of(names, r.AuthorId),
            r.PinnedAt is not null,
            r.PinnedAt,
            r.MessageCount,
            r.LastSeq,
            r.LastActivityAt,
            r.CreatedAt,
            r.UpdatedAt
        );
}
