using System.ComponentModel;
using Community.Contracts;
using Community.Messaging.Conversations.Threads;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR;

namespace Community.Messaging.Conversations;

/// <summary>
/// The chat hub at /hubs/chat (WebSockets, signed-in users; see <see cref="LiveEvents"/> for what the server sends).
/// Every method checks membership and blocks through <see cref="ConversationAccess"/> and
/// <see cref="ConversationMessages"/>, the code the REST routes use; a refusal answers the call with an error ending
/// "HubException: 404 Not found: ..." and the connection stays. A joined connection is in the group of its user and
/// that conversation (<see cref="ChatPush"/>), which pushes name by the members allowed now.
/// </summary>
public sealed class ChatHub(
    MessagingDbContext db,
    ConversationMessages messages,
    MessageQueries queries,
    ConversationTyping typing,
    HubPresence presence,
    EventChatPresence chatPresence,
    ChatPush push
) : Hub
{
    /// <summary>How many messages a join answers with at most; has_more says to join again from the last one's
    /// seq.</summary>
    public const int JoinPageLimit = 100;

    public const string Path = "/hubs/chat";

    /// <summary>How many conversations one connection may have joined at once, and how many groups subscribed
    /// to.</summary>
    public const int MaxOpen = 100;

    /// <summary>The hub's AsyncAPI document, at the same path here and at the gateway.</summary>
    public const string AsyncApiPath = "/asyncapi/messaging.json";

    private Guid UserId => Context.User!.UserId();

    public override Task OnConnectedAsync() => presence.ConnectedAsync(Context.ConnectionId, UserId);

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        push.RemoveConnection(Context.ConnectionId);
        await presence.DisconnectedAsync(Context.ConnectionId, UserId, CancellationToken.None);
    }

    /// <summary>
    /// Starts live delivery of the conversation to this connection and answers with the messages after
    /// <paramref name="sinceSeq"/> (catch-up; at most <see cref="JoinPageLimit"/>, oldest first) or, without it, the
    /// newest page. The connection joins before the page is read, so a message is in the page, pushed live, or both
    /// (the client keeps one per seq).
    /// </summary>
    [Description(
        "Starts live delivery of the conversation to this connection; answers the messages after since_seq "
            + "(at most 100, oldest first; has_more: join again from the last) or, with null, the newest page. "
            + "An event chat's members hear user_joined when it is the caller's first connection in it (not when it "
            + "takes back a leave not told yet). A connection has at most 100 conversations joined at once."
    )]
    public async Task<MessageHistory> JoinConversation(Guid id, long? sinceSeq)
    {
        if (sinceSeq < 0)
            throw new RequestValidationException("since_seq", "since_seq must be 0 or more.");
        var access = await ConversationAccess.OpenAsync(db, id, UserId, Context.ConnectionAborted);
        var eventChat = access.Conversation.Kind == ConversationKinds.EventChat;
        if (!push.Add(Context.ConnectionId, ChatPush.JoinedGroup(id, UserId), MaxOpen, Context.ConnectionAborted))
            throw new BusinessRuleException(
                $"This connection has {MaxOpen} conversations open: leave one (LeaveConversation) to join another."
            );
        if (!eventChat)
            await presence.JoinedAsync(Context.ConnectionId, UserId, id);
        else if (await presence.JoinedEventChatAsync(Context.ConnectionId, UserId, id))
            await chatPresence.OpenedAsync(db, access.Conversation, UserId, Context.ConnectionAborted);
        return sinceSeq is { } since
            ? await queries.HistoryAsync(id, UserId, null, since, JoinPageLimit, Context.ConnectionAborted)
            : await queries.HistoryAsync(
                id,
                UserId,
                null,
                null,
                ConversationMessages.DefaultHistoryLimit,
                Context.ConnectionAborted
            );
    }

    [Description(
        "Stops live delivery of the conversation to this connection (an event chat's members hear user_left 5 "
            + "seconds after it was the caller's last connection in it, unless the caller opens it again meanwhile)."
    )]
    public async Task LeaveConversation(Guid id)
    {
        push.Remove(Context.ConnectionId, ChatPush.JoinedGroup(id, UserId));
        await presence.LeftAsync(Context.ConnectionId, UserId, id);
    }

    /// <summary>
    /// Subscribes this connection to the group's community events (member_joined, member_left; new_thread reaches
    /// every connection of a member anyway) while the caller stays a member; anyone else gets the 404 of no group.
    /// </summary>
    [Description(
        "Subscribes this connection to a group's member_joined and member_left (conversation_id null) while the "
            + "caller is a member; a non-member gets the 404 of a group that does not exist. At most 100 groups a "
            + "connection."
    )]
    public async Task JoinGroup(Guid groupId)
    {
        _ =
            await ThreadAccess.MembershipAsync(db, groupId, UserId, Context.ConnectionAborted)
            ?? throw new NotFoundException(ThreadAccess.NoSuchGroup);
        if (
            !push.Add(
                Context.ConnectionId,
                ChatPush.SubscribedGroup(groupId, UserId),
                MaxOpen,
                Context.ConnectionAborted
            )
        )
            throw new BusinessRuleException(
                $"This connection is subscribed to {MaxOpen} groups: leave one (LeaveGroup) to join another."
            );
    }

    [Description("Ends this connection's subscription to the group's community events.")]
    public Task LeaveGroup(Guid groupId)
    {
        push.Remove(Context.ConnectionId, ChatPush.SubscribedGroup(groupId, UserId));
        return Task.CompletedTask;
    }

    /// <summary>As POST /conversations/{id}/messages: the same <paramref name="clientTxnId"/> again answers with the
    /// first attempt's message.</summary>
    [Description(
        "Sends a message (idempotent per client_txn_id, as POST /conversations/{id}/messages); answers the message."
    )]
    public async Task<MessageDto> SendMessage(Guid id, string text, string clientTxnId, Guid? replyTo)
    {
        var input = new SendMessage(text, null, replyTo, clientTxnId);
        return (await messages.SendAsync(id, UserId, input, Context.ConnectionId, Context.ConnectionAborted)).Message;
    }

    [Description("Edits one of the caller's messages; answers the message.")]
    public Task<MessageDto> EditMessage(Guid id, Guid messageId, string? text) =>
        messages.EditAsync(id, messageId, UserId, text, Context.ConnectionId, null, Context.ConnectionAborted);

    [Description(
        "Deletes a message: the caller's own, or, as a thread's moderator or an event chat's organizer, anyone's; "
            + "answers its tombstone."
    )]
    public Task<MessageDto> DeleteMessage(Guid id, Guid messageId) =>
        messages.DeleteAsync(id, messageId, UserId, Context.ConnectionId, Context.ConnectionAborted);

    [Description("Moves the caller's read position to seq; answers the read position and unread count.")]
    public Task<ReadPosition> MarkRead(Guid id, long seq) =>
        messages.MarkReadAsync(id, UserId, seq, Context.ConnectionId, Context.ConnectionAborted);

    [HubCallLimit(callsPerSecond: 1, burst: 3)]
    [Description(
        "Tells the other members' joined connections the caller is typing (never stored); repeat it while typing: "
            + "stop_typing follows 5 seconds after the last call, or at once on a send or StopTyping."
    )]
    public Task Typing(Guid id) => SignalTypingAsync(id, started: true);

    [HubCallLimit(callsPerSecond: 1, burst: 3)]
    [Description("Tells the other members' joined connections the caller stopped typing.")]
    public Task StopTyping(Guid id) => SignalTypingAsync(id, started: false);

    // Only someone who may send now types; the signal is never stored.
    private async Task SignalTypingAsync(Guid id, bool started)
    {
        var access = await ConversationAccess.OpenAsync(db, id, UserId, Context.ConnectionAborted);
        access.EnsureCanSend();
        var recipients = await queries.RecipientsAsync(access.Conversation, UserId, Context.ConnectionAborted);
        if (started)
            await typing.TypingAsync(db, id, UserId, recipients, Context.ConnectionAborted);
        else
            await typing.StoppedAsync(db, id, UserId, recipients, Context.ConnectionAborted);
    }
}
