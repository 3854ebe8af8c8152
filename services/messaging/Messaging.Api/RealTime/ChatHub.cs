using Microsoft.AspNetCore.SignalR;

namespace Community.Messaging.RealTime;

/// <summary>
/// The chat hub at /hubs/chat (WebSockets, signed-in users; see <see cref="ChatPush"/> for what the server sends).
/// Client methods: JoinConversation, LeaveConversation, SendMessage, EditMessage, DeleteMessage, Typing,
/// StopTyping, MarkRead. Every one checks membership and blocks through the same code the REST routes use.
/// </summary>
public sealed class ChatHub : Hub;
