using System.Text.Json;
using Community.Contracts;
using Community.Contracts.Messaging;
using Community.Messaging.Notifying;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Community.Messaging.Conversations;

/// <summary>
/// A send's writes in one statement (one round trip): the next number under the conversation's row lock, the message,
/// the sender's own read position (and a thread member's row), who hears it and the MessageSent that names them in the
/// outbox. Whom it reaches is read in the same snapshot as the number, and the event is only written with the message.
/// Being one statement it is atomic on its own: a send with nothing else to write needs no transaction around it (no
/// BEGIN, no COMMIT round trip); it also runs in the caller's when there is one. The conversation's row is locked by a
/// statement sent before it in the same round trip (<see cref="LockFirst"/>), so its snapshot is taken once the lock is
/// held: a block or a departure that committed while it waited for another send is seen, never sent past. In a thread
/// the sender's profile is locked first the same way (<see cref="LockSenderFirst"/>), then the group's sends lock
/// shared (<see cref="LockGroupFirst"/>).
/// </summary>
public static class MessageInsert
{
    /// <summary>What the statement did: <see cref="Claimed"/> null when nothing was written, because the conversation
    /// is closed (or gone) or, with <see cref="Used"/>, because the sender's client_txn_id was already used; then
    /// <see cref="Seq"/> and <see cref="Version"/> (the message row's xmin, its ETag) are null too.</summary>
    public sealed record Outcome(
        long? Claimed,
        long? Seq,
        uint? Version,
        bool Used,
        Guid[] Recipients,
        string? Username,
        string? DisplayName,
        string? ProfileImageUrl,
        bool SenderDeleted,
        Guid[] NotifiedIds,
        Guid[] NotifiedUsers
    )
    {
        public UserRef Sender(Guid senderId) =>
            SenderDeleted ? new(senderId, null, null) : new(senderId, Username, DisplayName, ProfileImageUrl);
    }

    /// <summary>What a recipient who does not see the message arrive is told: <paramref name="Template"/> (its user
    /// left empty) with its data as stored (<see cref="NotificationStore.DataOf"/>); <paramref name="Watching"/>, who
    /// has the conversation open (nobody while Redis is away, so everyone is told).</summary>
    public sealed record Notice(NewNotification Template, string Data, IReadOnlyCollection<Guid> Watching);

    /// <summary>The unique (sender_id, client_txn_id) of messages (0002_conversations.sql): only an attempt racing
    /// the first one with the same client_txn_id, which the statement's snapshot cannot see yet, meets it; the
    /// statement then fails whole, its number included.</summary>
    public const string TxnConstraint = "messages_sender_id_client_txn_id_key";

    // The event's recipients are filled in by the statement under this key of its JSON (the outbox's web naming).
    private static readonly string RecipientsKey = JsonNamingPolicy.CamelCase.ConvertName(
        nameof(MessageSent.RecipientUserIds)
    );

    /// <summary>Per kind, how the sender's own read position moves up to the message.</summary>
    private static readonly Dictionary<string, string> OwnRead = new()
    {
        [ConversationKinds.EventChat] = OwnReadUpdate,
        // A thread's members come from its group: the member row is made on first use (not once the sender's erasure
        // deleted it: the send reads that erasure's ended memberships and refuses, LockSenderFirst).
        [ConversationKinds.Thread] = """
            INSERT INTO conversation_members (conversation_id, user_id, role, active, read_seq, muted, joined_at, as_of)
            SELECT @c, @sender, 'member', true, m.seq, false, @now, @now FROM m
            ON CONFLICT (conversation_id, user_id)
            DO UPDATE SET read_seq = GREATEST(conversation_members.read_seq, EXCLUDED.read_seq)
            """,
        [ConversationKinds.Direct] = OwnReadUpdate,
    };

    private const string OwnReadUpdate = """
        UPDATE conversation_members cm SET read_seq = m.seq FROM m
        WHERE cm.conversation_id = @c AND cm.user_id = @sender AND cm.read_seq < m.seq
        """;

    /// <summary>
    /// Per kind, whether the sender may send now as <see cref="ConversationAccess.OpenAsync"/> decides it, checked by
    /// the statement itself, also after that check (a block or a departure committed since): a direct conversation's
    /// sender is one of its pair (the caller's to check), no block either way and the two still connected; a thread's,
    /// an active member of a group not deleted, the thread not deleted; an event chat's, an active member. Closed is
    /// the statement's own condition. It may refuse what the access check allows, never the reverse: a refusal is
    /// answered by the access check (ConversationSendGuardTests holds the two together).
    /// </summary>
    private static readonly Dictionary<string, string> MaySend = new()
    {
        [ConversationKinds.EventChat] = """
            EXISTS (SELECT 1 FROM conversation_members s
                    WHERE s.conversation_id = @c AND s.user_id = @sender AND s.active)
            """,
        [ConversationKinds.Thread] = """
            EXISTS (SELECT 1 FROM group_members s WHERE s.group_id = @group AND s.user_id = @sender AND s.active)
            AND NOT EXISTS (SELECT 1 FROM groups s WHERE s.group_id = @group AND s.deleted)
            AND NOT EXISTS (SELECT 1 FROM threads s WHERE s.id = @c AND s.deleted_at IS NOT NULL)
            AND (NOT EXISTS (SELECT 1 FROM threads s JOIN blocks sb ON sb.blocked
                               AND ((sb.blocker_id = @sender AND sb.blocked_id = s.author_id)
                                 OR (sb.blocker_id = s.author_id AND sb.blocked_id = @sender))
                             WHERE s.id = @c)
                 OR EXISTS (SELECT 1 FROM group_members s WHERE s.group_id = @group AND s.user_id = @sender
                                AND s.active AND s.role IN ('owner', 'moderator')))
            """,
        [ConversationKinds.Direct] = """
            NOT EXISTS (SELECT 1 FROM blocks s WHERE s.blocked
                        AND ((s.blocker_id = @sender AND s.blocked_id = @other)
                          OR (s.blocker_id = @other AND s.blocked_id = @sender)))
            AND EXISTS (SELECT 1 FROM connections s WHERE s.connected
                        AND s.user_low = LEAST(@sender, @other) AND s.user_high = GREATEST(@sender, @other))
            """,
    };

    // An earlier attempt the snapshot sees stops the statement before the number moves: a retry writes nothing and
    // raises nothing (no error in the server's log); one racing its first attempt conflicts in the insert instead.
    // A deleted account is told nothing: its group membership lasts until social's departure arrives, after the
    // notifications were erased (NotificationsEraser). A send whose snapshot predates the tombstone still tells it:
    // the erasure's follow-up deletes that (ErasureFollowUpSweep).
    private static string Statement(string kind) =>
        $$"""
            WITH earlier AS (
                SELECT 1 FROM messages WHERE sender_id = @sender AND client_txn_id = @txn),
            claimed AS (
                UPDATE conversations
                SET last_seq = last_seq + 1, last_activity_at = GREATEST(last_activity_at, @now)
                WHERE id = @c AND NOT closed AND NOT EXISTS (SELECT 1 FROM earlier)
                    AND {{MaySend[kind]}}
                RETURNING last_seq),
            m AS (
                INSERT INTO messages
                    (id, conversation_id, seq, sender_id, text, reply_to, attachment_ids, client_txn_id, created_at)
                SELECT @id, @c, last_seq, @sender, @text, @reply_to, @attachments, @txn, @now FROM claimed
                RETURNING seq, xmin),
            own AS ({{OwnRead[kind]}}),
            audience AS (
                SELECT coalesce(array_agg(a.user_id), ARRAY[]::uuid[]) AS ids
                FROM ({{ConversationAudience.Of(kind)}}) a),
            event AS (
                INSERT INTO outbox_messages (id, type, payload, occurred_at, trace_parent)
                SELECT @event_id, @event_type, jsonb_set(@payload::jsonb, ARRAY[@key], to_jsonb(audience.ids)),
                    @now, @trace_parent
                FROM m, audience),
            notified AS (
                INSERT INTO notifications
                    (id, user_id, kind, actor_id, subject_type, subject_id, group_key, data, created_at)
                SELECT {{NotificationId}}, r.user_id, @n_kind, @sender, @n_subject, @c, @n_group, @n_data::jsonb, @now
                FROM m, audience, unnest(audience.ids) AS r(user_id)
                WHERE r.user_id <> ALL (@watching)
                  AND NOT EXISTS (SELECT 1 FROM conversation_members cm
                                  WHERE cm.conversation_id = @c AND cm.user_id = r.user_id
                                    AND (cm.muted OR NOT cm.active))
                  AND NOT EXISTS (SELECT 1 FROM user_profiles p
                                  WHERE p.user_id = r.user_id AND p.deleted_at IS NOT NULL)
                RETURNING id, user_id)
            SELECT (SELECT last_seq FROM claimed), (SELECT seq FROM m), (SELECT xmin FROM m),
                EXISTS (SELECT 1 FROM earlier), audience.ids,
                u.username, u.display_name, u.profile_image_url, u.deleted_at IS NOT NULL,
                (SELECT coalesce(array_agg(n.id ORDER BY n.id), '{}') FROM notified n),
                (SELECT coalesce(array_agg(n.user_id ORDER BY n.id), '{}') FROM notified n)
            FROM audience LEFT JOIN user_profiles u ON u.user_id = @sender
            """;

    // A recipient's notification of the message: the message's id (its time and the instance's order of ids, so
    // notifications sort as their messages do, and NotificationRetention finds the old ones by it) with the rest from
    // a hash of the message and the recipient (unique between a message's recipients).
    private const string NotificationId = """
        encode(overlay(uuid_send(@id) PLACING substring(decode(md5(@id::text || r.user_id::text), 'hex') FROM 1 FOR 7)
                       FROM 10 FOR 7), 'hex')::uuid
        """;

    /// <summary>
    /// The statement sent first, in the same command: a statement waiting for a row lock goes on with the snapshot it
    /// started with (PostgreSQL checks again only the locked row), where a block or a departure committed meanwhile is
    /// not seen. The send's statement, coming after this one, starts once the lock is held (both in the command's one
    /// implicit transaction, or the caller's).
    /// </summary>
    public const string LockFirst = "SELECT 1 FROM conversations WHERE id = @c FOR UPDATE;\n";

    /// <summary>
    /// In a thread, sent before <see cref="LockFirst"/>: the sender's profile under a share lock, as
    /// <see cref="Users.DeletedUsers"/> reads it, so an erasure of the account under way (its profile a tombstone
    /// first) is waited for and seen by the send's statement, which its ended memberships refuse
    /// (<see cref="MaySend"/>). Read before the erasure's commit, the send would make again the thread's member row
    /// the erasure deleted meanwhile (<see cref="OwnRead"/>: the insert waits on the deleted row, then finds its key
    /// free).
    /// </summary>
    public const string LockSenderFirst = "SELECT 1 FROM user_profiles WHERE user_id = @sender FOR SHARE;\n";

    /// <summary>
    /// In a thread, sent between <see cref="LockSenderFirst"/> and <see cref="LockFirst"/>: the group's sends lock
    /// shared (<see cref="SettlementLocks.GroupSendsAsync"/>, @group_lock its key), held until the send commits. A
    /// departure from the group, or its deletion, takes it exclusively before it forgets unread messages: it waits for
    /// the sends under way and deletes what they told, and a later send sees the person or the group gone. One lock for
    /// all the group's threads, however many, a new thread's first message too (in its create's transaction: a deletion
    /// waits for the whole create, and also closes the thread). (An account's erasure does not take it: a send racing
    /// the erasure may still leave the erased account a notification, which the erasure's follow-up deletes,
    /// <see cref="Notifications.ErasureFollowUpSweep"/>.)
    /// </summary>
    public const string LockGroupFirst = "SELECT pg_advisory_xact_lock_shared(hashtextextended(@group_lock, 0));\n";

    /// <summary>The statements sent before the send's, per kind (each answers a result the reader passes).</summary>
    private static readonly Dictionary<string, string[]> Locks = OwnRead.Keys.ToDictionary(
        k => k,
        k => k == ConversationKinds.Thread ? new[] { LockSenderFirst, LockGroupFirst, LockFirst } : [LockFirst]
    );

    /// <summary>What the send's command starts with in a conversation of <paramref name="kind"/>.</summary>
    public static string LocksOf(string kind) => string.Concat(Locks[kind]);

    private static readonly Dictionary<string, string> Statements = OwnRead.Keys.ToDictionary(
        k => k,
        k => LocksOf(k) + Statement(k)
    );

    /// <summary>Runs the statement in <paramref name="db"/>'s current transaction, or on its own when there is none.
    /// <paramref name="sent"/> is the event as published, its recipients left empty for the statement to fill;
    /// <paramref name="notice"/> the notification every recipient it does not name as watching gets, unless they
    /// muted the conversation or left it. It writes nothing unless the sender may send now (<see cref="MaySend"/>).
    /// Read
    /// through the context's connection without EF's query pipeline (building the raw query cost more than mapping
    /// one row). A <see cref="PostgresException"/> on <see cref="TxnConstraint"/> means an attempt raced this one.
    /// </summary>
    public static async Task<Outcome> RunAsync(
        MessagingDbContext db,
        Conversation conversation,
        Message message,
        MessageSent sent,
        Notice notice,
        CancellationToken cancellationToken
    )
    {
        var outbox = OutboxMessage.From(sent);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = (NpgsqlCommand)db.Database.GetDbConnection().CreateCommand();
            command.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = Statements[conversation.Kind];
            command.Parameters.AddRange(ConversationAudience.Parameters(conversation, message.SenderId));
            if (conversation.GroupId is { } groupId)
                command.Parameters.Add(new NpgsqlParameter("group_lock", SettlementLocks.GroupSendsKey(groupId)));
            command.Parameters.AddRange(
                (NpgsqlParameter[])
                    [
                        new NpgsqlParameter("sender", message.SenderId),
                        new NpgsqlParameter("now", message.CreatedAt),
                        new NpgsqlParameter("id", message.Id),
                        new NpgsqlParameter("text", message.Text),
                        new NpgsqlParameter("reply_to", (object?)message.ReplyTo ?? DBNull.Value)
                        {
                            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid,
                        },
                        new NpgsqlParameter("attachments", message.AttachmentIds.ToArray()),
                        new NpgsqlParameter("txn", message.ClientTxnId),
                        new NpgsqlParameter("event_id", outbox.Id),
                        new NpgsqlParameter("event_type", outbox.Type),
                        new NpgsqlParameter("payload", outbox.Payload),
                        new NpgsqlParameter("key", RecipientsKey),
                        new NpgsqlParameter("trace_parent", (object?)outbox.TraceParent ?? DBNull.Value)
                        {
                            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
                        },
                        new NpgsqlParameter("n_kind", notice.Template.Kind),
                        new NpgsqlParameter("n_subject", notice.Template.SubjectType),
                        new NpgsqlParameter("n_group", notice.Template.GroupKey),
                        new NpgsqlParameter("n_data", notice.Data),
                        new NpgsqlParameter("watching", notice.Watching.ToArray()),
                    ]
            );
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            // Past the locks' results to the send's.
            foreach (var _ in Locks[conversation.Kind])
                if (!await reader.NextResultAsync(cancellationToken))
                    throw new InvalidOperationException("The send's statement answered no result.");
            if (!await reader.ReadAsync(cancellationToken))
                throw new InvalidOperationException("The send's statement answered no row.");
            return new Outcome(
                reader.IsDBNull(0) ? null : reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<uint>(2),
                reader.GetBoolean(3),
                reader.GetFieldValue<Guid[]>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetBoolean(8),
                reader.GetFieldValue<Guid[]>(9),
                reader.GetFieldValue<Guid[]>(10)
            );
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
