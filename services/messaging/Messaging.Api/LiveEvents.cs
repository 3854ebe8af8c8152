using Community.Messaging.Conversations;
using Community.Messaging.Conversations.Threads;
using Community.Messaging.Notifying;
using Community.ServiceDefaults.RealTime;

namespace Community.Messaging;

/// <summary>What the server sends over the chat hub: each event's name on the wire and its payload's type.</summary>
public static class LiveEvents
{
    public static readonly HubEvent<MessageDto> NewMessage = new(
        "new_message",
        "A message in a joined conversation (client_txn_id only on the sender's own connections)."
    );
    public static readonly HubEvent<MessageDto> MessageUpdated = new(
        "message_updated",
        "A message of a joined conversation was edited."
    );
    public static readonly HubEvent<MessageDto> MessageDeleted = new(
        "message_deleted",
        "A message of a joined conversation was deleted: its tombstone."
    );
    public static readonly HubEvent<TypingSignal> Typing = new(
        "typing",
        "Another member is typing in a joined conversation (with their username and display_name); stop_typing "
            + "follows when they stop, send, or do not repeat it within 5 seconds."
    );
    public static readonly HubEvent<TypingSignal> StopTyping = new(
        "stop_typing",
        "Another member stopped typing in a joined conversation: they said so, sent a message, or let 5 seconds pass."
    );
    public static readonly HubEvent<MemberChange> MemberJoined = new(
        "member_joined",
        "Someone joined the group of a joined thread (conversation_id the thread) or of a group subscribed to with "
            + "JoinGroup (conversation_id null)."
    );
    public static readonly HubEvent<MemberChange> MemberLeft = new(
        "member_left",
        "Someone left, or was removed from, the group of a joined thread or of a subscribed group (as member_joined)."
    );
    public static readonly HubEvent<AttendeeChange> AttendeeRegistered = new(
        "attendee_registered",
        "Someone registered for the event of a joined event chat (they are now among its members)."
    );
    public static readonly HubEvent<AttendeeChange> AttendeeCancelled = new(
        "attendee_cancelled",
        "Someone cancelled their registration for the event of a joined event chat (they left its members)."
    );
    public static readonly HubEvent<ChatPresence> UserJoined = new(
        "user_joined",
        "Someone opened a joined event chat (their first connection joined it); not told when they open it again "
            + "before their user_left was told."
    );
    public static readonly HubEvent<ChatPresence> UserLeft = new(
        "user_left",
        "Someone left a joined event chat: told 5 seconds after their last connection in it left or closed, and not "
            + "at all when they open it again meanwhile."
    );
    public static readonly HubEvent<ThreadDto> NewThread = new(
        "new_thread",
        "A thread was started in one of the user's groups (to every connection of its members, subscribed or not)."
    );
    public static readonly HubEvent<ReadReceipt> Read = new(
        "read",
        "A member's read position in a joined conversation moved."
    );
    public static readonly HubEvent<PresenceChange> Presence = new(
        "presence",
        "A connection of the user came online (their first hub connection) or went offline (their last one closed)."
    );
    public static readonly HubEvent<ConversationClosed> ConversationClosed = new(
        "conversation_closed",
        "A joined conversation is gone: its thread was deleted, or its group (reason thread_deleted or "
            + "group_deleted). Its messages can no longer be read or sent; a client stops showing them."
    );
    public static readonly HubEvent<NotificationItem> Notification = new(
        "notification",
        "A new notification for the user."
    );

    /// <summary>Every event above, in order: what the AsyncAPI document lists.</summary>
    public static IReadOnlyList<IHubEvent> All { get; } = HubEvents.DeclaredIn(typeof(LiveEvents));
}

/// <summary>
/// A joined conversation is gone, and why: <see cref="ThreadDeleted"/> or <see cref="GroupDeleted"/>.
/// </summary>
public sealed record ConversationClosed(Guid ConversationId, string Reason)
{
    public const string ThreadDeleted = "thread_deleted";
    public const string GroupDeleted = "group_deleted";
}

/// <summary>A member's read position moved (a read receipt).</summary>
public sealed record ReadReceipt(Guid ConversationId, Guid UserId, long ReadSeq);

/// <summary>Someone is typing, or stopped, in a conversation; their names as the conversation shows them (null for
/// a deleted account).</summary>
public sealed record TypingSignal(Guid ConversationId, Guid UserId, string? Username, string? DisplayName);

/// <summary>
/// Someone joined or left a group: pushed to a joined thread of the group (conversation_id the thread) or to the
/// connections subscribed to the group (conversation_id null).
/// </summary>
public sealed record MemberChange(Guid? ConversationId, Guid UserId, Guid? GroupId = null);

/// <summary>A connection of the user came online (their first hub connection opened) or went offline (their last one
/// closed).</summary>
public sealed record PresenceChange(Guid UserId, bool Online);

/// <summary>Someone registered for, or cancelled from, the event of an event chat.</summary>
public sealed record AttendeeChange(Guid ConversationId, Guid EventId, Guid UserId);

/// <summary>Someone opened or left an event chat; their names as the chat shows them (null for a deleted
/// account).</summary>
public sealed record ChatPresence(
    Guid ConversationId,
    Guid EventId,
    Guid UserId,
    string? Username,
    string? DisplayName
);
