using System.Text.Json;
using Community.Contracts.Messaging;
using Community.ServiceDefaults.Messaging;
using Npgsql;

namespace Community.Messaging.Conversations;

/// <summary>
/// A send's writes in one statement (one round trip, in the send's transaction): the next number under the
/// conversation's row lock, the message, the sender's own read position (and a thread member's row), who hears it
/// and the MessageSent that names them in the outbox. Whom it reaches is read in the same snapshot as the number, and
/// the event is only written with the message.
/// </summary>
public static class MessageInsert
{
    /// <summary>What the statement did: <see cref="Claimed"/> null when the conversation is closed (or gone);
    /// <see cref="Seq"/> null when the sender's client_txn_id was already used (nothing written but the number, which
    /// the caller rolls back).</summary>
    public sealed record Outcome(
        long? Claimed,
        long? Seq,
        Guid[] Recipients,
        string? Username,
        string? DisplayName,
        bool SenderDeleted
    )
    {
        public UserRef Sender(Guid senderId) =>
            SenderDeleted ? new(senderId, null, null) : new(senderId, Username, DisplayName);
    }

    // The event's recipients are filled in by the statement under this key of its JSON (the outbox's web naming).
    private static readonly string RecipientsKey = JsonNamingPolicy.CamelCase.ConvertName(
        nameof(MessageSent.RecipientUserIds)
    );

    /// <summary>Per kind, how the sender's own read position moves up to the message.</summary>
    private static readonly Dictionary<string, string> OwnRead = new()
    {
        [ConversationKinds.EventChat] = OwnReadUpdate,
        // A thread's members come from its group: the member row is made on first use.
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

    private static string Statement(string kind) =>
        $$"""
            WITH claimed AS (
                UPDATE conversations
                SET last_seq = last_seq + 1, last_activity_at = GREATEST(last_activity_at, @now)
                WHERE id = @c AND NOT closed
                RETURNING last_seq),
            m AS (
                INSERT INTO messages
                    (id, conversation_id, seq, sender_id, text, reply_to, attachment_ids, client_txn_id, created_at)
                SELECT @id, @c, last_seq, @sender, @text, @reply_to, @attachments, @txn, @now FROM claimed
                ON CONFLICT (sender_id, client_txn_id) DO NOTHING
                RETURNING seq),
            own AS ({{OwnRead[kind]}}),
            audience AS (
                SELECT coalesce(array_agg(a.user_id), ARRAY[]::uuid[]) AS ids
                FROM ({{ConversationAudience.Of(kind)}}) a),
            event AS (
                INSERT INTO outbox_messages (id, type, payload, occurred_at, trace_parent)
                SELECT @event_id, @event_type, jsonb_set(@payload::jsonb, ARRAY[@key], to_jsonb(audience.ids)),
                    @now, @trace_parent
                FROM m, audience)
            SELECT (SELECT last_seq FROM claimed) AS claimed, (SELECT seq FROM m) AS seq, audience.ids AS recipients,
                u.username, u.display_name, u.deleted_at IS NOT NULL AS sender_deleted
            FROM audience LEFT JOIN user_profiles u ON u.user_id = @sender
            """;

    private static readonly Dictionary<string, string> Statements = OwnRead.Keys.ToDictionary(k => k, Statement);

    /// <summary>Runs the statement in <paramref name="db"/>'s current transaction. <paramref name="sent"/> is the
    /// event as published, its recipients left empty for the statement to fill.</summary>
    public static async Task<Outcome> RunAsync(
        MessagingDbContext db,
        Conversation conversation,
        Message message,
        MessageSent sent,
        CancellationToken cancellationToken
    )
    {
        var outbox = OutboxMessage.From(sent);
        var rows = await db
            .Database.SqlQueryRaw<Outcome>(
                Statements[conversation.Kind],
                [
                    .. ConversationAudience.Parameters(conversation, message.SenderId),
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
                ]
            )
            .ToListAsync(cancellationToken);
        return rows.Single();
    }
}
