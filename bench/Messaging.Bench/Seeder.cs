using Npgsql;
using NpgsqlTypes;

namespace Community.Messaging.Bench;

/// <summary>
/// The people of the live run: client i is a member of conversation i % conversations (event chats, empty at first).
/// </summary>
public sealed record LiveWorld(Guid[] Users, Guid[] Conversations)
{
    public Guid ConversationOf(int client) => Conversations[client % Conversations.Length];
}

/// <summary>The reader of the read run and the conversations they are a member of, all with history.</summary>
public sealed record ReaderWorld(Guid Reader, Guid[] Conversations, long Messages);

/// <summary>
/// Writes what messaging would have learned from identity, social and events (users, connections, groups, event chats
/// and their members) and the messages straight into its database by binary COPY, then ANALYZE.
/// </summary>
public sealed class Seeder(NpgsqlDataSource database, DateTimeOffset now)
{
    private readonly List<(Guid Id, string Name)> _users = [];
    private readonly List<(
        Guid Id,
        string Kind,
        Guid? Low,
        Guid? High,
        Guid? Group,
        Guid? Event,
        Guid? Owner,
        long LastSeq
    )> _conversations = [];
    private readonly List<(Guid Conversation, Guid User, string Role, long ReadSeq)> _members = [];
    private readonly List<(Guid Low, Guid High)> _connections = [];
    private readonly List<(Guid Group, Guid User)> _groupMembers = [];
    private readonly List<(Guid Conversation, int Count, Guid[] Senders)> _histories = [];

    public LiveWorld Live(int clients, int conversations)
    {
        var users = Enumerable.Range(0, clients).Select(_ => User()).ToArray();
        var chats = Enumerable.Range(0, conversations).Select(_ => Guid.NewGuid()).ToArray();
        for (var c = 0; c < conversations; c++)
            _conversations.Add((chats[c], "event_chat", null, null, null, Guid.NewGuid(), users[c % clients], 0));
        for (var i = 0; i < clients; i++)
            _members.Add((chats[i % conversations], users[i], i < conversations ? "organizer" : "attendee", 0));
        return new LiveWorld(users, chats);
    }

    /// <summary>
    /// One reader in <paramref name="conversations"/> conversations (60% event chats, 20% direct, 20% group threads),
    /// each with
    /// <paramref name="messagesEach"/> messages from the reader and one other person, read up to a random point.
    /// </summary>
    public ReaderWorld Reader(int conversations, int messagesEach, Random random)
    {
        var reader = User();
        var ids = new Guid[conversations];
        for (var c = 0; c < conversations; c++)
        {
            var id = ids[c] = Guid.NewGuid();
            var other = User();
            var kind = (c % 5) switch
            {
                0 => "direct",
                1 => "thread",
                _ => "event_chat",
            };
            var (low, high) = reader.CompareTo(other) < 0 ? (reader, other) : (other, reader);
            Guid? group = kind == "thread" ? Guid.NewGuid() : null;
            _conversations.Add(
                (
                    id,
                    kind,
                    kind == "direct" ? low : null,
                    kind == "direct" ? high : null,
                    group,
                    kind == "event_chat" ? Guid.NewGuid() : null,
                    other,
                    messagesEach
                )
            );
            var role = kind == "event_chat" ? "attendee" : "member";
            _members.Add((id, reader, role, random.Next(messagesEach + 1)));
            _members.Add((id, other, kind == "event_chat" ? "organizer" : "member", messagesEach));
            if (kind == "direct")
                _connections.Add((low, high));
            if (group is { } g)
            {
                _groupMembers.Add((g, reader));
                _groupMembers.Add((g, other));
            }
            _histories.Add((id, messagesEach, [reader, other]));
        }
        return new ReaderWorld(reader, ids, (long)conversations * messagesEach);
    }

    private Guid User()
    {
        var id = Guid.NewGuid();
        _users.Add((id, "u" + id.ToString("N")[..12]));
        return id;
    }

    public async Task WriteAsync()
    {
        await using var connection = await database.OpenConnectionAsync();
        await using (
            var users = await connection.BeginBinaryImportAsync(
                "COPY user_profiles (user_id, username, display_name, deleted_at, as_of) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var (id, name) in _users)
                await users.WriteRowAsync(default, id, name, "User " + name, (DateTimeOffset?)null, now);
            await users.CompleteAsync();
        }
        await using (
            var pairs = await connection.BeginBinaryImportAsync(
                "COPY connections (user_low, user_high, connected, as_of) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var (low, high) in _connections)
                await pairs.WriteRowAsync(default, low, high, true, now);
            await pairs.CompleteAsync();
        }
        await using (
            var groups = await connection.BeginBinaryImportAsync(
                "COPY groups (group_id, deleted, as_of) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var g in _groupMembers.Select(m => m.Group).Distinct())
                await groups.WriteRowAsync(default, g, false, now);
            await groups.CompleteAsync();
        }
        await using (
            var members = await connection.BeginBinaryImportAsync(
                "COPY group_members (group_id, user_id, role, active, as_of) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var (g, user) in _groupMembers)
                await members.WriteRowAsync(default, g, user, "member", true, now);
            await members.CompleteAsync();
        }
        await using (
            var conversations = await connection.BeginBinaryImportAsync(
                "COPY conversations (id, kind, direct_low, direct_high, group_id, event_id, owner_id, created_by, "
                    + "last_seq, last_activity_at, closed, created_at) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            var i = 0;
            foreach (var c in _conversations)
            {
                // Spread activity over the last days, so the list's order is not the insertion order.
                var activity = now.AddSeconds(-(i++ * 37 % 86_400));
                await conversations.StartRowAsync();
                await conversations.WriteAsync(c.Id, NpgsqlDbType.Uuid);
                await conversations.WriteAsync(c.Kind, NpgsqlDbType.Text);
                await WriteNullableAsync(conversations, c.Low);
                await WriteNullableAsync(conversations, c.High);
                await WriteNullableAsync(conversations, c.Group);
                await WriteNullableAsync(conversations, c.Event);
                await WriteNullableAsync(conversations, c.Owner);
                await WriteNullableAsync(conversations, c.Owner);
                await conversations.WriteAsync(c.LastSeq, NpgsqlDbType.Bigint);
                await conversations.WriteAsync(activity, NpgsqlDbType.TimestampTz);
                await conversations.WriteAsync(false, NpgsqlDbType.Boolean);
                await conversations.WriteAsync(now.AddDays(-30), NpgsqlDbType.TimestampTz);
            }
            await conversations.CompleteAsync();
        }
        await using (
            var members = await connection.BeginBinaryImportAsync(
                "COPY conversation_members (conversation_id, user_id, role, active, read_seq, muted, joined_at, as_of) "
                    + "FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var (conversation, user, role, readSeq) in _members)
                await members.WriteRowAsync(
                    default,
                    conversation,
                    user,
                    role,
                    true,
                    readSeq,
                    false,
                    now.AddDays(-30),
                    now.AddDays(-30)
                );
            await members.CompleteAsync();
        }
        await using (
            var messages = await connection.BeginBinaryImportAsync(
                "COPY messages (id, conversation_id, seq, sender_id, text, client_txn_id, "
                    + "created_at) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var (conversation, count, senders) in _histories)
            {
                for (var seq = 1; seq <= count; seq++)
                {
                    var at = now.AddMinutes(-(count - seq));
                    await messages.WriteRowAsync(
                        default,
                        Guid.CreateVersion7(at),
                        conversation,
                        (long)seq,
                        senders[seq % senders.Length],
                        $"Message {seq} of the history, with enough words to look like a chat line.",
                        Guid.NewGuid().ToString("N"),
                        at
                    );
                }
            }
            await messages.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, Guid? value) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Uuid) : importer.WriteNullAsync();
}
