using Community.Contracts;
using Npgsql;

namespace Community.Messaging.Conversations;

/// <summary>
/// Who hears what one person does in a conversation (a message, an edit, a read receipt, typing): the other members
/// who may see it now, less anyone in a block with that person (either way), in every kind of conversation. Written
/// once, in SQL, so the send's single statement (<see cref="MessageInsert"/>) and every other push
/// (<see cref="MessageQueries.RecipientsAsync"/>) read the same rule. Parameters: @c (the conversation), @group (a
/// thread's group), @other (a direct conversation's other member) and @actor.
/// </summary>
public static class ConversationAudience
{
    /// <summary>
    /// Everyone in a block (either way) with the thread @c's author, read once for the statement (a hashed subplan),
    /// not once a member.
    /// </summary>
    private const string InABlockWithTheThreadsAuthor = """
        SELECT tb.blocked_id FROM blocks tb JOIN threads t ON t.id = @c AND tb.blocker_id = t.author_id
            WHERE tb.blocked
        UNION ALL SELECT tb.blocker_id FROM blocks tb JOIN threads t ON t.id = @c AND tb.blocked_id = t.author_id
            WHERE tb.blocked
        """;

    /// <summary>The other members who may see the conversation now, per kind, before blocks are taken out.</summary>
    private static readonly Dictionary<string, string> Members = new()
    {
        [ConversationKinds.EventChat] =
            "SELECT user_id FROM conversation_members WHERE conversation_id = @c AND active AND user_id <> @actor",
        // A thread's members are its group's, but those in a block with its author: the thread is hidden from them
        // (its list, search and page, as its new_thread push was), so nothing said in it is told to them. Its owner
        // and moderators keep it to moderate (ConversationAccess), so they hear the others in it; what its author
        // does stays away from them, as anyone's does from those in a block with them (below).
        [ConversationKinds.Thread] = $"""
            SELECT g.user_id FROM group_members g WHERE g.group_id = @group AND g.active AND g.user_id <> @actor
              AND (g.role IN ('owner', 'moderator') OR g.user_id NOT IN ({InABlockWithTheThreadsAuthor}))
            """,
        [ConversationKinds.Direct] = "SELECT @other AS user_id",
    };

    private static readonly Dictionary<string, string> Audiences = Members.ToDictionary(
        k => k.Key,
        k =>
            $"""
                SELECT a.user_id FROM ({k.Value}) a
                WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                    AND ((b.blocker_id = @actor AND b.blocked_id = a.user_id)
                      OR (b.blocker_id = a.user_id AND b.blocked_id = @actor)))
                """
    );

    // The audience as EF reads a list of scalars (one column named Value).
    private static readonly Dictionary<string, string> Scalars = Audiences.ToDictionary(
        k => k.Key,
        k => $"""SELECT r.user_id AS "Value" FROM ({k.Value}) r"""
    );

    /// <summary>
    /// Who may open the conversation and is shown @actor's (a message's sender's) messages in it, @actor included,
    /// whatever blocks anyone else is in: a thread's or event chat's members but those in a block with @actor (they
    /// see its messages hidden) or with a thread's author (unless they moderate its group), a direct conversation's
    /// two sides but one the other blocked (the blocker keeps the history whole).
    /// </summary>
    private static readonly Dictionary<string, string> Readers = new()
    {
        [ConversationKinds.EventChat] = """
            SELECT a.user_id FROM conversation_members a WHERE a.conversation_id = @c AND a.active
              AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                  AND ((b.blocker_id = @actor AND b.blocked_id = a.user_id)
                    OR (b.blocker_id = a.user_id AND b.blocked_id = @actor)))
            """,
        // Less those in a block with the thread's author (it is hidden from them) but its owner and moderators (who
        // keep it), the actor always one.
        [ConversationKinds.Thread] = $"""
            SELECT a.user_id FROM group_members a WHERE a.group_id = @group AND a.active
              AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked
                  AND ((b.blocker_id = @actor AND b.blocked_id = a.user_id)
                    OR (b.blocker_id = a.user_id AND b.blocked_id = @actor)))
              AND (a.user_id = @actor OR a.role IN ('owner', 'moderator')
                   OR a.user_id NOT IN ({InABlockWithTheThreadsAuthor}))
            """,
        [ConversationKinds.Direct] = """
            SELECT a.user_id FROM (VALUES (@actor), (@other)) a(user_id)
            WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocked AND b.blocked_id = a.user_id
                  AND b.blocker_id IN (@actor, @other) AND b.blocker_id <> a.user_id)
            """,
    };

    private static readonly Dictionary<string, string> ReaderScalars = Readers.ToDictionary(
        k => k.Key,
        k => $"""SELECT r.user_id AS "Value" FROM ({k.Value}) r"""
    );

    /// <summary>The audience of <paramref name="kind"/>: a query of one column, user_id.</summary>
    public static string Of(string kind) => Audiences[kind];

    /// <summary>The audience of <paramref name="kind"/> as a query of one column named Value (EF's scalar
    /// <c>SqlQueryRaw</c>).</summary>
    public static string AsScalars(string kind) => Scalars[kind];

    /// <summary>Who is shown @actor's messages in a conversation of <paramref name="kind"/> (<see cref="Readers"/>),
    /// as a query of one column named Value.</summary>
    public static string ReadersAsScalars(string kind) => ReaderScalars[kind];

    /// <summary>The parameters <see cref="Of"/> reads, for <paramref name="actor"/> in <paramref name="c"/>
    /// (<see cref="Guid.Empty"/>: nobody in particular, so every member who may see it).</summary>
    public static NpgsqlParameter[] Parameters(Conversation c, Guid actor) =>
        [
            new("c", c.Id),
            new("actor", actor),
            new("group", (object?)c.GroupId ?? DBNull.Value) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid },
            new("other", c.Kind == ConversationKinds.Direct ? c.OtherThan(actor) : Guid.Empty),
        ];
}
