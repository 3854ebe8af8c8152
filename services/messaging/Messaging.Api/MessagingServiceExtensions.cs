using Community.Contracts;
using Community.Messaging.Attachments;
using Community.Messaging.Conversations;
using Community.Messaging.Conversations.Threads;
using Community.Messaging.Groups;
using Community.Messaging.Notifications;
using Community.Messaging.Relations;
using Community.Messaging.Users;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Messaging;
using Community.ServiceDefaults.OpenApi;
using Community.ServiceDefaults.RealTime;

namespace Community.Messaging;

public static class MessagingServiceExtensions
{
    public static IHostApplicationBuilder AddMessagingServices(this IHostApplicationBuilder builder)
    {
        // Called here, in the service's own project, so the XML-comment generator adds its docs to the document.
        builder.Services.AddOpenApi(o => o.AddContract());
        builder.AddServiceDatabase<MessagingDbContext>(ResourceNames.Messaging);
        builder.AddEventBus(
            ResourceNames.Messaging,
            bus =>
                bus.UseOutbox<MessagingDbContext>()
                    .AddConsumers(typeof(MessagingServiceExtensions).Assembly)
                    .FollowSessionRevocations()
                    .RequireKnownUsers()
                    // MessageSent's notifier, until 2026-11-26: a message's notifications are written by its send.
                    .RetireQueues("messaging-message-sent-notifier")
        );
        builder.AddRealTime();
        builder.Services.AddSingleton<ChatPush>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChatPush>());
        builder.Services.AddSingleton<LiveDelivery>();
        builder.Services.AddSingleton<HubPresence>();
        builder.Services.AddSingleton<ConversationShapes>();
        builder.Services.AddHostedService<HubPresenceKeeper>();
        // An attachment is read only by its conversation's members, and sent as a download: never from a public URL.
        builder.AddBlobStore(AttachmentsApi.BlobSection, ".local/blobs/messaging", publicUrls: false);
        builder.Services.AddScoped<ConversationMessages>();
        builder.Services.AddScoped<MessageQueries>();
        builder.Services.AddSingleton<ConversationPush>();
        builder.Services.AddSingleton<ConversationTyping>();
        builder.Services.AddSingleton<EventChatPresence>();
        builder.Services.AddHostedService<EventChatLeaves>();
        // UserDeleted: the profile becomes a tombstone first (late messages about the account read it, DeletedUsers),
        // then its connections end and its own blocks, its places in conversations, its notifications, its unsent
        // files and when it was last online go; its notifications go once more when due (ErasureFollowUpSweep).
        builder.Services.AddUserDataEraser<UserProfileEraser>();
        builder.Services.AddUserDataEraser<ConnectionsEraser>();
        builder.Services.AddUserDataEraser<BlocksEraser>();
        builder.Services.AddUserDataEraser<ConversationMembersEraser>();
        builder.Services.AddUserDataEraser<GroupMembersEraser>();
        builder.Services.AddUserDataEraser<NotificationsEraser>();
        builder.Services.AddUserDataEraser<UnsentAttachmentsEraser>();
        builder.Services.AddUserDataEraser<HubPresenceEraser>();
        builder
            .Services.AddOptions<ErasureOptions>()
            .Bind(builder.Configuration.GetSection(ErasureOptions.Section))
            // PeriodicTimer takes at most ~49 days; a follow-up a month after the erasure is a misconfiguration anyway.
            .Validate(
                o => o.FollowUpAfter > TimeSpan.Zero && o.FollowUpAfter <= TimeSpan.FromDays(30),
                "Messaging:Erasure:FollowUpAfter must be more than 0 and at most 30 days."
            )
            .ValidateOnStart();
        builder.Services.AddSingleton<ErasureFollowUpSweep>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ErasureFollowUpSweep>());
        builder.Services.AddSingleton<UnsentAttachments>();
        builder.Services.AddHostedService(services => services.GetRequiredService<UnsentAttachments>());
        builder.AddNotifications();
        return builder;
    }

    public static WebApplication MapMessagingApi(this WebApplication app)
    {
        // Every create below honours Idempotency-Key (HonoursIdempotencyKey), unless its handler keeps its own.
        var api = app.MapGroup("").HonourIdempotencyKeys();
        api.MapConversationsApi();
        api.MapMessagesApi();
        api.MapAttachmentsApi();
        api.MapThreadsApi();
        api.MapNotificationsApi();
        var hub = app.MapRealTimeHub<ChatHub>(ChatHub.Path);
        hub.Add(endpoint => endpoint.RequestDelegate = RefuseUnknownUsers(endpoint.RequestDelegate!));
        app.MapHubAsyncApi(
            ChatHub.AsyncApiPath,
            new HubDescription(
                "Community chat hub",
                "The messaging service's SignalR hub: join conversations and groups, send, edit, delete, typing, read "
                    + "receipts; live messages, typing, read receipts, membership, event chat attendees and presence, "
                    + "group events and notifications.",
                ChatHub.Path,
                typeof(ChatHub),
                LiveEvents.All
            )
        );
        return app;
    }

    /// <summary>
    /// The known-subjects gate holds writes only, negotiate among them; the hub's WebSocket request is a GET that a
    /// client may send without negotiating, so every hub request from a user identity never announced, or deleted, is
    /// refused here with the gate's 403, before a connection is made.
    /// </summary>
    private static RequestDelegate RefuseUnknownUsers(RequestDelegate next) =>
        async http =>
        {
            var known = http.RequestServices.GetRequiredService<IKnownSubjects>();
            if (http.User.TryUserId() is { } userId && !await known.IsKnownAsync(userId, http.RequestAborted))
                throw new ForbiddenException(
                    "This account is not known to the platform: it does not exist or was deleted."
                );
            await next(http);
        };
}
