using System.Net.Http.Headers;
using Community.Contracts.Events;
using Community.Contracts.Identity;
using Community.ServiceDefaults.RealTime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Community.Messaging.Tests;

/// <summary>
/// The messaging service on real Kestrel with its own database, vhost and attachment folder, a movable clock, and
/// tokens signed by a test key. What other services would announce (users, connections, blocks, groups, events) the
/// tests publish on the bus as those services would, and wait until messaging's consumer handled it.
/// </summary>
public class MessagingFixture() : ServiceFixture<Program>(ResourceNames.Messaging)
{
    public string AttachmentRoot { get; } =
        Path.Combine(Path.GetTempPath(), "community-messaging-attachments-" + Guid.NewGuid().ToString("N"));

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Messaging:Attachments:LocalPath"] = AttachmentRoot };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(AttachmentRoot))
            Directory.Delete(AttachmentRoot, recursive: true);
    }

    /// <summary>A user identity announced, and a token for them.</summary>
    public async Task<(Guid Id, string Token)> RegisteredAsync()
    {
        var id = Guid.NewGuid();
        var username = "u" + id.ToString("N")[..10];
        await DeliverAsync(
            new UserRegistered(
                Guid.NewGuid(),
                Tick(),
                id,
                username,
                null,
                null,
                "User " + username,
                Roles.Member,
                "REF",
                null
            )
        );
        return (id, Tokens.Issue(id, Roles.Member));
    }

    public Task ConnectAsync(Guid a, Guid b) =>
        DeliverAsync(new ConnectionAccepted(Guid.NewGuid(), Tick(), Guid.NewGuid(), a, b));

    public Task DisconnectAsync(Guid a, Guid b) =>
        DeliverAsync(new ConnectionRemoved(Guid.NewGuid(), Tick(), Guid.NewGuid(), a, b));

    public Task BlockAsync(Guid blocker, Guid blocked) =>
        DeliverAsync(new UserBlocked(Guid.NewGuid(), Tick(), blocker, blocked));

    /// <summary>
    /// Publishes <paramref name="push"/> (JSON) on the service's push channel as another instance would: no instance
    /// of this fixture wrote it to its own connections first, so it reaches them through their subscription only.
    /// </summary>
    public async Task PublishPushAsync(string push)
    {
        var prefix = Host.Services.GetRequiredService<IOptions<RealTimeOptions>>().Value.RedisKeyPrefix;
        var redis = await Host.Services.GetRequiredService<RealTimeRedisConnection>().SubscriberAsync();
        await redis.PublishAsync(RedisChannel.Literal($"{prefix}{ResourceNames.Messaging}:pushes"), push);
    }

    /// <summary>A typing push for <paramref name="userId"/>'s connections that joined
    /// <paramref name="conversation"/>, from nobody (<see cref="Guid.Empty"/>), with <paramref name="extra"/> members
    /// after the known ones.</summary>
    public static string TypingPush(string conversation, Guid userId, string extra = "") =>
        $$"""
            {"kind":"joined","scope":"{{conversation}}","users":["{{userId}}"],"except":null,"target":"typing",
             "payload":{"conversation_id":"{{conversation}}","user_id":"{{Guid.Empty}}"}{{extra}}}
            """;

    /// <summary>Two registered, connected people and their direct conversation.</summary>
    public async Task<(Guid AId, string A, Guid BId, string B, string Conversation)> PairAsync()
    {
        var (aId, a) = await RegisteredAsync();
        var (bId, b) = await RegisteredAsync();
        await ConnectAsync(aId, bId);
        return (aId, a, bId, b, await DirectAsync(a, bId));
    }

    /// <summary>The direct conversation of the token's user with <paramref name="otherId"/> (connected), new.</summary>
    public async Task<string> DirectAsync(string token, Guid otherId) =>
        (
            await (
                await Client.PostJson("/api/v1/conversations/direct", new { user_id = otherId }, token)
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();

    /// <summary>A public group as social announces it: created by its owner, then joined by each member.</summary>
    public async Task<Guid> GroupAsync(Guid ownerId, string name, params Guid[] members)
    {
        var groupId = Guid.NewGuid();
        await DeliverAsync(new GroupCreated(Guid.NewGuid(), Tick(), groupId, ownerId, name, "public"));
        foreach (var id in members)
            await DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), Tick(), groupId, id));
        return groupId;
    }

    /// <summary>An event published by <paramref name="organizerId"/> as events announces it, two days ahead: its
    /// id.</summary>
    public async Task<Guid> EventAsync(Guid organizerId, string title)
    {
        var eventId = Guid.NewGuid();
        var starts = Clock.GetUtcNow().AddDays(2);
        await DeliverAsync(
            new EventPublished(
                Guid.NewGuid(),
                Tick(),
                eventId,
                organizerId,
                title,
                starts,
                starts.AddHours(2),
                0,
                "AED"
            )
        );
        return eventId;
    }

    /// <summary>A confirmed registration of <paramref name="userId"/> for <paramref name="eventId"/>, as events
    /// announces it.</summary>
    public async Task<RegistrationConfirmed> RegisteredForAsync(Guid eventId, Guid userId)
    {
        var confirmed = new RegistrationConfirmed(Guid.NewGuid(), Tick(), Guid.NewGuid(), eventId, userId, "T", null);
        await DeliverAsync(confirmed);
        return confirmed;
    }

    /// <summary>
    /// An event of a new organizer's with a new attendee's confirmed registration, and its chat as the attendee opens
    /// it.
    /// </summary>
    public async Task<EventChat> EventChatAsync(string title)
    {
        var (organizerId, organizer) = await RegisteredAsync();
        var (attendeeId, attendee) = await RegisteredAsync();
        var eventId = await EventAsync(organizerId, title);
        var registered = await RegisteredForAsync(eventId, attendeeId);
        var chat = (await (await Client.Get($"/api/v1/conversations/by-event/{eventId}", attendee)).AssertStatus(200))[
            "id"
        ]!.GetValue<string>();
        return new EventChat(organizerId, organizer, attendeeId, attendee, eventId, registered, chat);
    }

    /// <summary>
    /// The attendee's confirmed registration in <paramref name="chat"/> cancelled, as events announces it.
    /// </summary>
    public RsvpCancelled Cancelled(EventChat chat) =>
        new(
            Guid.NewGuid(),
            Tick(),
            chat.Registered.RegistrationId,
            chat.EventId,
            chat.AttendeeId,
            "confirmed",
            0,
            null,
            null
        );

    /// <summary>A thread started in a group by the token's user: its conversation id.</summary>
    public async Task<string> ThreadAsync(string token, Guid groupId, string title, string text) =>
        (
            await (
                await Client.PostJson(
                    "/api/v1/threads",
                    new
                    {
                        group_id = groupId,
                        title,
                        text,
                    },
                    token
                )
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();

    /// <summary>An event published by <paramref name="organizerId"/>, two days ahead, free.</summary>
    public EventPublished Published(Guid eventId, Guid organizerId) =>
        new(
            Guid.NewGuid(),
            Tick(),
            eventId,
            organizerId,
            "Dunes",
            Clock.GetUtcNow().AddDays(2),
            Clock.GetUtcNow().AddDays(2).AddHours(3),
            0,
            "AED"
        );

    /// <summary>
    /// A thread of <paramref name="groupId"/> by <paramref name="ownerId"/>, written directly, as the threads feature
    /// makes it.
    /// </summary>
    public async Task<Guid> ThreadRowAsync(Guid groupId, Guid ownerId)
    {
        var thread = Guid.NewGuid();
        await ExecuteAsync(
            """
            INSERT INTO conversations
                (id, kind, group_id, owner_id, created_by, last_seq, last_activity_at, closed, created_at)
            VALUES (@id, 'thread', @g, @o, @o, 0, now(), false, now())
            """,
            ("id", thread),
            ("g", groupId),
            ("o", ownerId)
        );
        return thread;
    }

    public async Task<JsonNode> SendAsync(
        string token,
        string conversation,
        string text,
        string? txn = null,
        int status = 201
    ) =>
        await (
            await Client.PostJson(
                $"/api/v1/conversations/{conversation}/messages",
                new { text, client_txn_id = txn ?? Guid.NewGuid().ToString("N") },
                token
            )
        ).AssertStatus(status);

    public async Task<HttpResponseMessage> UploadAsync(
        string token,
        string conversation,
        byte[] bytes,
        string fileName = "file.bin",
        string contentType = "application/octet-stream"
    )
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/conversations/{conversation}/attachments")
        {
            Content = new MultipartFormDataContent { { file, "file", fileName } },
        };
        request.Headers.Authorization = new("Bearer", token);
        return await Client.SendAsync(request);
    }
}

/// <summary>
/// An event's chat (<see cref="MessagingFixture.EventChatAsync"/>): its organizer, an attendee, and its id.
/// </summary>
public sealed record EventChat(
    Guid OrganizerId,
    string Organizer,
    Guid AttendeeId,
    string Attendee,
    Guid EventId,
    RegistrationConfirmed Registered,
    string Chat
);
