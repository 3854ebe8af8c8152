using Community.Messaging.Conversations;
using Community.Messaging.Data;
using Community.Messaging.Projections;
using Community.ServiceDefaults.RealTime;
using Microsoft.EntityFrameworkCore;

namespace Community.Messaging.RealTime;

/// <summary>A member's read position moved (a read receipt).</summary>
public sealed record ReadReceipt(Guid ConversationId, Guid UserId, long ReadSeq);

/// <summary>Someone is typing, or stopped, in a conversation.</summary>
public sealed record TypingSignal(Guid ConversationId, Guid UserId);

/// <summary>Someone joined or left a conversation's members (an event chat's attendees, a thread's group).</summary>
public sealed record MemberChange(Guid ConversationId, Guid UserId);

/// <summary>A connection of the user came online (their first hub connection opened) or went offline (their last one closed).</summary>
public sealed record PresenceChange(Guid UserId, bool Online);

/// <summary>
/// What a change in a conversation sends to the connections that joined it, once committed, from whichever origin (REST,
/// hub, consumer): to the members allowed now and to the actor's own other connections. A push never fails or holds up
/// its request for long: while Redis is down the backplane's publish waits for it, so it is cut short after
/// <see cref="Bound"/> and logged; clients catch up by seq when they join again.
/// </summary>
public sealed class LiveDelivery(ChatPush push, ILogger<LiveDelivery> logger)
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    /// <summary>The hub connection making the change, which has its answer already and gets no copy.</summary>
    public string? OriginConnectionId { get; set; }

    /// <summary>A new, edited or deleted message: the actor's view (with their client_txn_id) to their other connections, the others' view to the rest.</summary>
    public Task MessageAsync(
        HubEvent<MessageDto> target,
        MessageDto forActor,
        Guid actorId,
        IReadOnlyList<Guid> recipients
    ) =>
        BoundedAsync(
            target.Name,
            forActor.ConversationId,
            token =>
                Task.WhenAll(
                    push.ToJoinedAsync(forActor.ConversationId, [actorId], target, forActor, OriginConnectionId, token),
                    push.ToJoinedAsync(
                        forActor.ConversationId,
                        recipients.Where(r => r != actorId),
                        target,
                        forActor with
                        {
                            ClientTxnId = null,
                        },
                        null,
                        token
                    )
                )
        );

    public Task ReadAsync(Guid conversationId, Guid userId, long readSeq, IReadOnlyList<Guid> recipients)
    {
        var receipt = new ReadReceipt(conversationId, userId, readSeq);
        return BoundedAsync(
            LiveEvents.Read.Name,
            conversationId,
            token =>
                Task.WhenAll(
                    push.ToJoinedAsync(conversationId, [userId], LiveEvents.Read, receipt, OriginConnectionId, token),
                    push.ToJoinedAsync(
                        conversationId,
                        recipients.Where(r => r != userId),
                        LiveEvents.Read,
                        receipt,
                        null,
                        token
                    )
                )
        );
    }

    /// <summary>Typing signals go to the others only; they are never stored.</summary>
    public Task TypingAsync(
        HubEvent<TypingSignal> target,
        Guid conversationId,
        Guid userId,
        IReadOnlyList<Guid> recipients
    ) =>
        BoundedAsync(
            target.Name,
            conversationId,
            token =>
                push.ToJoinedAsync(
                    conversationId,
                    recipients.Where(r => r != userId),
                    target,
                    new TypingSignal(conversationId, userId),
                    null,
                    token
                )
        );

    /// <summary>member_joined / member_left to <paramref name="audience"/> (the members now, and the one who left).</summary>
    public Task MemberAsync(
        HubEvent<MemberChange> target,
        Guid conversationId,
        Guid userId,
        IReadOnlyList<Guid> audience
    ) =>
        BoundedAsync(
            target.Name,
            conversationId,
            token =>
                push.ToJoinedAsync(
                    conversationId,
                    audience,
                    target,
                    new MemberChange(conversationId, userId),
                    null,
                    token
                )
        );

    /// <summary>An event chat's member joined or left: they and its active members hear it, but those in a block with them.</summary>
    public async Task EventChatMemberAsync(
        MessagingDbContext db,
        Guid conversationId,
        Guid userId,
        bool joined,
        CancellationToken cancellationToken
    )
    {
        var blocked = Relations.BlockedWith(db, userId);
        var members = await db
            .Members.Where(m => m.ConversationId == conversationId && m.Active && !blocked.Contains(m.UserId))
            .Select(m => m.UserId)
            .ToListAsync(cancellationToken);
        await MemberAsync(
            joined ? LiveEvents.MemberJoined : LiveEvents.MemberLeft,
            conversationId,
            userId,
            [.. members, userId]
        );
    }

    /// <summary>A group's member joined or left: each of its open threads' conversations hears it, as the event chat's members do.</summary>
    public async Task GroupMemberAsync(
        MessagingDbContext db,
        Guid groupId,
        Guid userId,
        bool joined,
        CancellationToken cancellationToken
    )
    {
        var threads = await db
            .Conversations.Where(c => c.Kind == ConversationKinds.Thread && c.GroupId == groupId && !c.Closed)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        if (threads.Count == 0)
            return;
        var blocked = Relations.BlockedWith(db, userId);
        var members = await db
            .GroupMembers.Where(g => g.GroupId == groupId && g.Active && !blocked.Contains(g.UserId))
            .Select(g => g.UserId)
            .ToListAsync(cancellationToken);
        foreach (var thread in threads)
            await MemberAsync(
                joined ? LiveEvents.MemberJoined : LiveEvents.MemberLeft,
                thread,
                userId,
                [.. members, userId]
            );
    }

    public Task PresenceAsync(Guid userId, bool online, IReadOnlyList<Guid> audience) =>
        audience.Count == 0
            ? Task.CompletedTask
            : BoundedAsync(
                LiveEvents.Presence.Name,
                userId,
                token => push.ToUsersAsync(audience, LiveEvents.Presence, new PresenceChange(userId, online), token)
            );

    private async Task BoundedAsync(string target, Guid about, Func<CancellationToken, Task> send)
    {
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            // WaitAsync too: a publish that ignores its token still lets the request go.
            await send(timeout.Token).WaitAsync(Bound + TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            logger.LogWarning(
                "Live {Target} for {About} not delivered within {Bound}: the backplane is unavailable; clients catch up by seq",
                target,
                about,
                Bound
            );
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Live {Target} for {About} not delivered; clients catch up by seq", target, about);
        }
    }
}
