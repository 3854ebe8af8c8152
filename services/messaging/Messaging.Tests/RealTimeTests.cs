using System.Net;
using Community.Contracts.Events;
using Community.Contracts.Identity;
using Community.Messaging.Conversations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Messaging.Tests;

/// <summary>The chat hub over real WebSockets through the real gateway, with a client on each of two
/// instances.</summary>
public sealed class RealTimeTests(RealTimeFixture fx) : IClassFixture<RealTimeFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    private HubPresence Presence => fx.Host.Services.GetRequiredService<HubPresence>();

    private static Task<JsonElement> Join(LiveConnection client, string conversation, long? sinceSeq = null) =>
        client.Connection.InvokeAsync<JsonElement>("JoinConversation", conversation, sinceSeq);

    private static Task<JsonElement> Send(
        LiveConnection client,
        string conversation,
        string text,
        string? txn = null,
        string? replyTo = null
    ) =>
        client.Connection.InvokeAsync<JsonElement>(
            "SendMessage",
            conversation,
            text,
            txn ?? Guid.NewGuid().ToString("N"),
            replyTo
        );

    /// <summary>Alice on the first instance and on the second, Bob on the second, all joined to their
    /// conversation.</summary>
    private sealed record JoinedPair(
        Guid AId,
        LiveConnection Alice,
        LiveConnection AliceElsewhere,
        LiveConnection Bob,
        string Conversation
    ) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await AliceElsewhere.DisposeAsync();
            await Bob.DisposeAsync();
        }
    }

    private async Task<JoinedPair> JoinedPairAsync()
    {
        var (aId, a, _, b, c) = await fx.PairAsync();
        var pair = new JoinedPair(
            aId,
            await fx.ConnectAsync(a),
            await fx.ConnectAsync(a, viaB: true),
            await fx.ConnectAsync(b, viaB: true),
            c
        );
        foreach (var client in new[] { pair.Alice, pair.AliceElsewhere, pair.Bob })
            await Join(client, c);
        return pair;
    }

    [Fact]
    public async Task A_connection_joins_at_most_a_hundred_conversations_at_once_and_leaving_one_makes_room()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Many threads");
        var threads = new List<string>();
        for (var i = 0; i <= ChatHub.MaxOpen; i++)
            threads.Add(await fx.ThreadAsync(owner, groupId, $"Thread {i}", "First"));
        await using var client = await fx.ConnectAsync(owner);
        foreach (var thread in threads.Take(ChatHub.MaxOpen))
            await Join(client, thread);

        var refused = await Assert.ThrowsAsync<HubException>(() => Join(client, threads[^1]));
        Assert.Contains("100 conversations open", refused.Message);
        // One already joined may be joined again (to catch up); one left makes room for another.
        await Join(client, threads[0], 0);
        await client.Connection.InvokeAsync("LeaveConversation", threads[0]);
        await Join(client, threads[^1]);
        await fx.SendAsync(owner, threads[^1], "Heard live");
        await client.WaitForAsync("new_message", m => m.Arguments[0].GetProperty("text").GetString() == "Heard live");
    }

    [Fact]
    public async Task Messages_sent_on_one_instance_reach_the_other_instances_client_exactly_once_in_seq_order()
    {
        await using var pair = await JoinedPairAsync();
        var (_, alice, aliceElsewhere, bob, c) = pair;

        const int count = 100;
        for (var i = 1; i <= count; i++)
        {
            var sent = await Send(alice, c, $"Message {i}", $"txn-{i}");
            Assert.Equal(i, sent.GetProperty("seq").GetInt64());
        }

        var received = await bob.WaitForCountAsync(LiveEvents.NewMessage, count);
        await Task.Delay(Quiet);
        received = bob.ReceivedOf(LiveEvents.NewMessage);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), received.Select(m => m.Seq()));
        Assert.All(received, m => Assert.Null(m.Str("client_txn_id")));
        Assert.Equal("Message 100", received[^1].Str("text"));
        // The sender's other connection gets its own view; the sending connection has its answers and no copy.
        var mine = await aliceElsewhere.WaitForCountAsync(LiveEvents.NewMessage, count);
        Assert.Equal("txn-100", mine[^1].Str("client_txn_id"));
        Assert.Empty(alice.ReceivedOf(LiveEvents.NewMessage));
    }

    [Fact]
    public async Task Pushes_reach_the_sending_instances_own_connections_once_in_the_order_the_other_instance_hears()
    {
        // The sending instance writes its pushes to its own connections itself and skips them when Redis relays them
        // back: bob's connection there gets each once, in the order his connection on the other instance gets them.
        var (_, a, _, b, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a);
        await using var aliceAgain = await fx.ConnectAsync(a);
        await using var bobHere = await fx.ConnectAsync(b);
        await using var bobThere = await fx.ConnectAsync(b, viaB: true);
        foreach (var client in new[] { alice, aliceAgain, bobHere, bobThere })
            await Join(client, c);

        const int each = 20;
        // Two connections sending at once: instance A publishes their pushes in an order of its own.
        await Task.WhenAll(
            new[] { alice, aliceAgain }.Select(async sender =>
            {
                for (var i = 0; i < each; i++)
                    await Send(sender, c, $"Message {i} of {sender.Connection.ConnectionId}");
            })
        );

        await bobHere.WaitForCountAsync(LiveEvents.NewMessage, 2 * each);
        await bobThere.WaitForCountAsync(LiveEvents.NewMessage, 2 * each);
        await Task.Delay(Quiet);
        var here = bobHere.ReceivedOf(LiveEvents.NewMessage).Select(m => m.Seq()).ToList();
        var there = bobThere.ReceivedOf(LiveEvents.NewMessage).Select(m => m.Seq()).ToList();
        Assert.Equal(Enumerable.Range(1, 2 * each).Select(i => (long)i), here.Order());
        Assert.Equal(there, here);
        // Each of alice's connections hears the other's messages (its own view) once, and none of its own.
        Assert.Equal(each, alice.ReceivedOf(LiveEvents.NewMessage).Count);
        Assert.Equal(each, aliceAgain.ReceivedOf(LiveEvents.NewMessage).Count);
    }

    [Fact]
    public async Task A_read_receipt_reaches_the_readers_other_connections_and_the_others_but_not_the_reading_one()
    {
        await using var pair = await JoinedPairAsync();
        var (aId, alice, aliceElsewhere, bob, c) = pair;
        await Send(bob, c, "Read me");

        await alice.Connection.InvokeAsync<JsonElement>("MarkRead", c, 1);

        var mine = await aliceElsewhere.WaitForAsync(LiveEvents.Read);
        Assert.Equal(aId.ToString(), mine.Str("user_id"));
        Assert.Equal(1, mine.Arguments[0].GetProperty("read_seq").GetInt64());
        Assert.Equal(aId.ToString(), (await bob.WaitForAsync(LiveEvents.Read)).Str("user_id"));
        await Task.Delay(Quiet);
        Assert.Empty(alice.ReceivedOf(LiveEvents.Read));
        Assert.Single(aliceElsewhere.ReceivedOf(LiveEvents.Read));

        // A read that moves nothing (again, or behind the position) is answered and told to nobody: the next receipt
        // anyone hears is the next move.
        await alice.Connection.InvokeAsync<JsonElement>("MarkRead", c, 1);
        var behind = await alice.Connection.InvokeAsync<JsonElement>("MarkRead", c, 0);
        Assert.Equal(1, behind.GetProperty("read_seq").GetInt64());
        await Send(bob, c, "And me");
        await alice.Connection.InvokeAsync<JsonElement>("MarkRead", c, 2);
        await bob.WaitForAsync(LiveEvents.Read, r => r.Arguments[0].GetProperty("read_seq").GetInt64() == 2);
        await aliceElsewhere.WaitForAsync(LiveEvents.Read, r => r.Arguments[0].GetProperty("read_seq").GetInt64() == 2);
        Assert.Equal(
            [1L, 2L],
            bob.ReceivedOf(LiveEvents.Read).Select(r => r.Arguments[0].GetProperty("read_seq").GetInt64())
        );
        Assert.Equal(2, aliceElsewhere.ReceivedOf(LiveEvents.Read).Count);
    }

    [Fact]
    public async Task A_push_with_a_member_this_version_does_not_know_is_still_delivered()
    {
        // What an instance of a later version may publish during a rollout.
        var (_, _, bId, b, c) = await fx.PairAsync();
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        await Join(bob, c);

        await fx.PublishPushAsync(MessagingFixture.TypingPush(c, bId, extra: ""","from_a_later_version":1"""));

        Assert.Equal(Guid.Empty.ToString(), (await bob.WaitForAsync(LiveEvents.Typing)).Str("user_id"));
    }

    [Fact]
    public async Task A_connection_leaves_its_instances_push_groups_when_it_leaves_or_closes_and_hears_no_more()
    {
        var (aliceId, a, _, b, c) = await fx.PairAsync();
        var pushes = fx.Host.Services.GetRequiredService<ChatPush>();
        var group = ChatPush.JoinedGroup(Guid.Parse(c), aliceId);
        var left = await fx.ConnectAsync(a);
        await using var stays = await fx.ConnectAsync(a);
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        await Join(left, c);
        await Join(stays, c);
        Assert.Equal(2, pushes.CountIn(group));

        await left.Connection.InvokeAsync("LeaveConversation", c);
        Assert.Equal(1, pushes.CountIn(group));
        await Send(bob, c, "After one left");
        await stays.WaitForAsync(LiveEvents.NewMessage, m => m.Str("text") == "After one left");
        await Task.Delay(Quiet);
        Assert.Empty(left.ReceivedOf(LiveEvents.NewMessage));

        // Joined again, then closed: the closing takes it out as well, without a leave.
        await Join(left, c);
        Assert.Equal(2, pushes.CountIn(group));
        await left.DisposeAsync();
        await Eventually.TrueAsync(
            () => Task.FromResult(pushes.CountIn(group) == 1),
            "the closed connection stayed in its push group"
        );
        // The other instance never held either of alice's connections.
        Assert.Equal(0, fx.Second.Services.GetRequiredService<ChatPush>().CountIn(group));

        // A join that finishes after its connection closed (and left everything) adds nothing.
        using var closed = new CancellationTokenSource();
        await closed.CancelAsync();
        pushes.Add("closed-while-joining", group, ChatHub.MaxOpen, closed.Token);
        Assert.Equal(1, pushes.CountIn(group));
    }

    [Fact]
    public async Task REST_sends_edits_deletes_and_reads_reach_hub_clients_as_do_typing_signals()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a);
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        await Join(alice, c);
        await Join(bob, c);

        var sent = await fx.SendAsync(a, c, "Over REST");
        var id = sent["id"]!.GetValue<string>();
        var live = await bob.WaitForAsync(LiveEvents.NewMessage);
        Assert.Equal(id, live.Str("id"));
        Assert.Equal("Over REST", live.Str("text"));

        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/conversations/{c}/messages/{id}",
                new { text = "Edited" },
                a
            )
        ).AssertStatus(200);
        var updated = await bob.WaitForAsync(LiveEvents.MessageUpdated);
        Assert.Equal("Edited", updated.Str("text"));
        Assert.NotNull(updated.Str("edited_at"));

        var read = await bob.Connection.InvokeAsync<JsonElement>("MarkRead", c, 1);
        Assert.Equal(0, read.GetProperty("unread_count").GetInt64());
        var receipt = await alice.WaitForAsync(LiveEvents.Read);
        Assert.Equal(bId.ToString(), receipt.Str("user_id"));
        Assert.Equal(1, receipt.Arguments[0].GetProperty("read_seq").GetInt64());

        await bob.Connection.InvokeAsync("Typing", c);
        Assert.Equal(bId.ToString(), (await alice.WaitForAsync(LiveEvents.Typing)).Str("user_id"));
        await bob.Connection.InvokeAsync("StopTyping", c);
        await alice.WaitForAsync(LiveEvents.StopTyping);
        // Typing is rate limited per connection, and never comes back to the typist.
        await Assert.ThrowsAsync<HubException>(async () =>
        {
            for (var i = 0; i < 5; i++)
                await bob.Connection.InvokeAsync("Typing", c);
        });
        Assert.Empty(bob.ReceivedOf(LiveEvents.Typing));

        var edited = await alice.Connection.InvokeAsync<JsonElement>("EditMessage", c, id, "Edited on the hub");
        Assert.Equal("Edited on the hub", edited.Str("text"));
        Assert.Equal(
            "Edited on the hub",
            (await bob.WaitForAsync(LiveEvents.MessageUpdated, m => m.Str("text") == "Edited on the hub")).Str("text")
        );
        await alice.Connection.InvokeAsync("DeleteMessage", c, id);
        var deleted = await bob.WaitForAsync(LiveEvents.MessageDeleted);
        Assert.Equal(id, deleted.Str("id"));
        Assert.Null(deleted.Str("text"));
        // Alice read her own message when she sent it: bob's next one gives her read position somewhere to move.
        await Send(bob, c, "Read this");
        await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq = 2 }, a)).AssertStatus(200);
        Assert.Equal(
            aId.ToString(),
            (await bob.WaitForAsync(LiveEvents.Read, r => r.Str("user_id") == aId.ToString())).Str("user_id")
        );

        // What a feature pushes to the whole conversation reaches the joined members allowed now.
        await fx
            .Second.Services.GetRequiredService<ConversationPush>()
            .ToConversationAsync(
                Guid.Parse(c),
                LiveEvents.MemberJoined,
                new MemberChange(Guid.Parse(c), Guid.Empty),
                CancellationToken.None
            );
        await alice.WaitForAsync(LiveEvents.MemberJoined, m => m.Str("user_id") == Guid.Empty.ToString());
        await bob.WaitForAsync(LiveEvents.MemberJoined, m => m.Str("user_id") == Guid.Empty.ToString());

        // Left: nothing more arrives on that connection.
        await bob.Connection.InvokeAsync("LeaveConversation", c);
        Assert.DoesNotContain(bId, (await Presence.WatchingAsync(Guid.Parse(c), [bId]))!);
        await fx.SendAsync(a, c, "After leaving");
        await Task.Delay(Quiet);
        Assert.Single(bob.ReceivedOf(LiveEvents.NewMessage));
    }

    [Fact]
    public async Task An_edit_under_If_Match_is_pushed_only_once_committed()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        await using var bob = await fx.ConnectAsync(b);
        await Join(bob, c);
        var id = (await fx.SendAsync(a, c, "Before"))["id"]!.GetValue<string>();
        var url = $"/api/v1/conversations/{c}/messages/{id}";
        var tag = (await fx.Client.Get(url, a)).Headers.ETag!.Tag;
        // The database refuses this text at commit: after the edit was written, before anyone may hear of it.
        await fx.ExecuteAsync(
            """
            CREATE OR REPLACE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'refused at commit';
            END
            $$;
            CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER UPDATE ON messages DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW WHEN (NEW.text = 'Refused at commit') EXECUTE FUNCTION refuse_at_commit();
            """
        );
        try
        {
            using var refused = await fx.Client.SendIfMatch(
                HttpMethod.Patch,
                url,
                "{\"text\": \"Refused at commit\"}",
                a,
                tag
            );
            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        }
        finally
        {
            await fx.ExecuteAsync("DROP TRIGGER refuse_at_commit ON messages");
        }

        // The refused edit changed nothing (its tag still holds), and the next one's push comes after any it sent.
        await (await fx.Client.SendIfMatch(HttpMethod.Patch, url, "{\"text\": \"Kept\"}", a, tag)).AssertStatus(200);
        await bob.WaitForAsync(LiveEvents.MessageUpdated, m => m.Str("text") == "Kept");
        Assert.DoesNotContain(bob.ReceivedOf(LiveEvents.MessageUpdated), m => m.Str("text") == "Refused at commit");
    }

    [Fact]
    public async Task SendMessage_retries_answer_with_the_first_message_which_is_delivered_once()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a);
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        await Join(bob, c);

        var first = await Send(alice, c, "Once", "retry-me");
        var retries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Send(alice, c, "Once", "retry-me")));
        Assert.All(retries, r => Assert.Equal(first.Str("id"), r.Str("id")));
        Assert.Equal("retry-me", first.Str("client_txn_id"));
        await bob.WaitForAsync(LiveEvents.NewMessage);
        await Task.Delay(Quiet);
        Assert.Single(bob.ReceivedOf(LiveEvents.NewMessage));

        // A join after missing messages catches up from the given seq.
        await Send(alice, c, "Second");
        await Send(alice, c, "Third");
        var catchUp = await Join(bob, c, 1);
        Assert.Equal(
            new long[] { 2, 3 },
            catchUp.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64())
        );
        Assert.Equal(3, catchUp.GetProperty("last_seq").GetInt64());
    }

    [Fact]
    public async Task Strangers_blocked_users_and_non_members_reach_nothing_through_any_hub_method()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        var message = (await fx.SendAsync(a, c, "Private"))["id"]!.GetValue<string>();
        var (_, stranger) = await fx.RegisteredAsync();
        var (blockedId, blocked) = await fx.RegisteredAsync();
        await fx.ConnectAsync(aId, blockedId);
        await fx.BlockAsync(aId, blockedId);
        // An event chat the pair's members are not in.
        var eventId = Guid.NewGuid();
        await fx.DeliverAsync(
            new EventPublished(
                Guid.NewGuid(),
                fx.Tick(),
                eventId,
                blockedId,
                "Dunes",
                fx.Clock.GetUtcNow().AddDays(2),
                fx.Clock.GetUtcNow().AddDays(2).AddHours(3),
                0,
                "AED"
            )
        );
        var eventChat = (
            await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", blocked)).AssertStatus(200)
        )["id"]!.GetValue<string>();

        await using var alice = await fx.ConnectAsync(a);
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        await Join(alice, c);
        await Join(bob, c);
        var intruders = new List<LiveConnection>
        {
            await fx.ConnectAsync(stranger),
            await fx.ConnectAsync(blocked, viaB: true),
            await fx.ConnectAsync(b),
        };
        try
        {
            foreach (
                var (intruder, target) in new[] { (intruders[0], c), (intruders[1], c), (intruders[2], eventChat) }
            )
            {
                foreach (var (method, args) in HubCalls(target, message))
                {
                    var refused = await Assert.ThrowsAsync<HubException>(() =>
                        intruder.Connection.InvokeCoreAsync(method, args)
                    );
                    Assert.Contains("HubException: 404 Not found", refused.Message);
                }
                // LeaveConversation is allowed to anyone: it removes nothing of others'.
                await intruder.Connection.InvokeAsync("LeaveConversation", target);
            }
            await Send(alice, c, "Still private");
            await bob.WaitForAsync(LiveEvents.NewMessage);
            // Unread for alice until after the block, so her read then moves and would be told.
            var fromBob = await Send(bob, c, "From bob");
            await alice.WaitForAsync(LiveEvents.NewMessage, m => m.Str("text") == "From bob");

            // A block stops delivery at once: bob no longer sees the conversation, so the blocker's deletes and reads
            // do not reach him.
            await fx.BlockAsync(aId, bId);
            var refusedSend = await Assert.ThrowsAsync<HubException>(() => Send(alice, c, "Blocked"));
            Assert.Contains("HubException: 403 Forbidden", refusedSend.Message);
            await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync("Typing", c));
            await alice.Connection.InvokeAsync("DeleteMessage", c, message);
            var read = await alice.Connection.InvokeAsync<JsonElement>(
                "MarkRead",
                c,
                fromBob.GetProperty("seq").GetInt64()
            );
            Assert.Equal(fromBob.GetProperty("seq").GetInt64(), read.GetProperty("read_seq").GetInt64());
            foreach (var (method, args) in HubCalls(c, message))
                Assert.Contains(
                    "HubException: 404 Not found",
                    (await Assert.ThrowsAsync<HubException>(() => bob.Connection.InvokeCoreAsync(method, args))).Message
                );
            await Task.Delay(Quiet);
            Assert.Empty(bob.ReceivedOf(LiveEvents.MessageDeleted));
            Assert.Empty(bob.ReceivedOf(LiveEvents.Read));
            Assert.Single(bob.ReceivedOf(LiveEvents.NewMessage));
            foreach (var intruder in intruders)
                Assert.DoesNotContain(intruder.Received, i => i.Target != LiveEvents.Presence);
        }
        finally
        {
            foreach (var intruder in intruders)
                await intruder.DisposeAsync();
        }
    }

    private static IEnumerable<(string Method, object?[] Args)> HubCalls(string conversation, string message) =>
        [
            ("JoinConversation", [conversation, null]),
            ("JoinConversation", [conversation, 0]),
            ("SendMessage", [conversation, "Hi", Guid.NewGuid().ToString("N"), null]),
            ("EditMessage", [conversation, message, "Changed"]),
            ("DeleteMessage", [conversation, message]),
            ("MarkRead", [conversation, 1]),
            ("Typing", [conversation]),
            ("StopTyping", [conversation]),
        ];

    [Fact]
    public async Task Refusals_are_clear_errors_and_the_connection_stays()
    {
        var (_, a, _, _, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a);
        var empty = await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.InvokeAsync("SendMessage", c, "", null, null)
        );
        Assert.Contains("HubException: 400 Validation failed", empty.Message);
        Assert.Contains("client_txn_id", empty.Message);
        var unknown = await Assert.ThrowsAsync<HubException>(() =>
            alice.Connection.InvokeAsync("EditMessage", c, Guid.NewGuid(), "x")
        );
        Assert.Contains("HubException: 404 Not found: No such message", unknown.Message);
        Assert.Equal("Still connected", (await Send(alice, c, "Still connected")).Str("text"));
    }

    [Fact]
    public async Task Invalid_tokens_are_refused_and_an_expiring_one_closes_its_connection()
    {
        var (aId, _, _, _, _) = await fx.PairAsync();
        var none = await Assert.ThrowsAsync<HttpRequestException>(() => fx.ConnectAsync("not-a-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        var stale = fx.Tokens.Issue(aId.ToString(), expires: fx.Clock.GetUtcNow().UtcDateTime.AddMinutes(-10));
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await Assert.ThrowsAsync<HttpRequestException>(() => fx.ConnectAsync(stale, viaB: true))).StatusCode
        );

        await using var expiring = await fx.ConnectAsync(
            fx.Tokens.Issue(aId.ToString(), expires: fx.Clock.GetUtcNow().UtcDateTime.AddSeconds(3))
        );
        // The client forgets its connection id once closed.
        var id = expiring.Connection.ConnectionId!;
        await expiring.WaitForCloseAsync(TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(
            async () => !(await Presence.ConnectionsAsync(aId))!.Any(m => m.EndsWith("/" + id)),
            "the closed connection stayed registered"
        );
    }

    [Fact]
    public async Task Group_members_joining_and_leaving_are_announced_in_its_threads_and_one_who_left_hears_no_more()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        await fx.DeliverAsync(
            new Contracts.Social.GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "public")
        );
        // A thread's conversation, as the threads feature makes it.
        var thread = await fx.ThreadRowAsync(groupId, ownerId);
        await using var ownerClient = await fx.ConnectAsync(owner);
        await Join(ownerClient, thread.ToString());

        await fx.DeliverAsync(new Contracts.Social.GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        Assert.Equal(memberId.ToString(), (await ownerClient.WaitForAsync(LiveEvents.MemberJoined)).Str("user_id"));
        await using var memberClient = await fx.ConnectAsync(member, viaB: true);
        await Join(memberClient, thread.ToString());
        await Send(ownerClient, thread.ToString(), "Welcome");
        await memberClient.WaitForAsync(LiveEvents.NewMessage);

        await fx.DeliverAsync(new Contracts.Social.GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        Assert.Equal(memberId.ToString(), (await ownerClient.WaitForAsync(LiveEvents.MemberLeft)).Str("user_id"));
        await Send(ownerClient, thread.ToString(), "Bye");
        await Task.Delay(Quiet);
        Assert.Single(memberClient.ReceivedOf(LiveEvents.NewMessage));
        Assert.Contains(
            "HubException: 404",
            (await Assert.ThrowsAsync<HubException>(() => Join(memberClient, thread.ToString()))).Message
        );
    }

    [Fact]
    public async Task A_deleted_thread_or_group_tells_whoever_has_its_threads_open_on_either_instance()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Kayakers", memberId);
        var doomed = await fx.ThreadAsync(owner, groupId, "Spam", "Buy now");
        var kept = await fx.ThreadAsync(owner, groupId, "Trips", "Where next?");
        await using var ownerClient = await fx.ConnectAsync(owner);
        await using var memberClient = await fx.ConnectAsync(member, viaB: true);
        foreach (var thread in new[] { doomed, kept })
        {
            await Join(ownerClient, thread);
            await Join(memberClient, thread);
        }

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{doomed}", null, owner)).AssertStatus(204);
        foreach (var client in new[] { ownerClient, memberClient })
        {
            var closed = await client.WaitForAsync(LiveEvents.ConversationClosed);
            Assert.Equal(doomed, closed.Str("conversation_id"));
            Assert.Equal("thread_deleted", closed.Str("reason"));
        }

        await fx.DeliverAsync(new Contracts.Social.GroupDeleted(Guid.NewGuid(), fx.Tick(), groupId));
        foreach (var client in new[] { ownerClient, memberClient })
        {
            var closed = await client.WaitForAsync(
                LiveEvents.ConversationClosed,
                c => c.Str("reason") == "group_deleted"
            );
            Assert.Equal(kept, closed.Str("conversation_id"));
        }
        await Task.Delay(Quiet);
        Assert.Equal(2, memberClient.ReceivedOf(LiveEvents.ConversationClosed).Count);
    }

    [Fact]
    public async Task A_deleted_attendee_is_announced_leaving_the_event_chat()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (attendeeId, _) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Oasis walk");
        var chat = (
            await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", organizer)).AssertStatus(200)
        )["id"]!.GetValue<string>();
        await using var host = await fx.ConnectAsync(organizer, viaB: true);
        await Join(host, chat);
        await fx.RegisteredForAsync(eventId, attendeeId);
        await host.WaitForAsync(LiveEvents.AttendeeRegistered);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), attendeeId));
        Assert.Equal(attendeeId.ToString(), (await host.WaitForAsync(LiveEvents.AttendeeCancelled)).Str("user_id"));
    }

    [Fact]
    public async Task Event_chat_registrations_and_cancellations_are_announced_to_its_joined_connections()
    {
        var eventId = Guid.NewGuid();
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (attendeeId, attendee) = await fx.RegisteredAsync();
        await fx.DeliverAsync(fx.Published(eventId, organizerId));
        var chat = (
            await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", organizer)).AssertStatus(200)
        )["id"]!.GetValue<string>();
        await using var host = await fx.ConnectAsync(organizer, viaB: true);
        await Join(host, chat);

        var confirmed = new RegistrationConfirmed(
            Guid.NewGuid(),
            fx.Tick(),
            Guid.NewGuid(),
            eventId,
            attendeeId,
            "T-1",
            null
        );
        await fx.DeliverAsync(confirmed);
        var registered = await host.WaitForAsync(LiveEvents.AttendeeRegistered);
        Assert.Equal(attendeeId.ToString(), registered.Str("user_id"));
        Assert.Equal(eventId.ToString(), registered.Str("event_id"));
        await using var guest = await fx.ConnectAsync(attendee);
        await Join(guest, chat);
        await fx.DeliverAsync(
            new RsvpCancelled(
                Guid.NewGuid(),
                fx.Tick(),
                confirmed.RegistrationId,
                eventId,
                attendeeId,
                "confirmed",
                0,
                null,
                null
            )
        );
        Assert.Equal(attendeeId.ToString(), (await host.WaitForAsync(LiveEvents.AttendeeCancelled)).Str("user_id"));
        await guest.WaitForAsync(LiveEvents.AttendeeCancelled);
        Assert.Empty(host.ReceivedOf(LiveEvents.MemberJoined));

        // Gone from the members, the guest's joined connection hears no more.
        await Send(host, chat, "Meet at the gate");
        await Task.Delay(Quiet);
        Assert.Empty(guest.ReceivedOf(LiveEvents.NewMessage));
    }

    [Fact]
    public async Task A_call_with_wrong_arguments_is_refused_naming_the_problem_and_the_connection_stays()
    {
        var (_, a, _, _, c) = await fx.PairAsync();
        await using var alice = await fx.ConnectAsync(a);

        async Task<string> Refusal(string method, params object?[] args) =>
            (
                await Assert.ThrowsAsync<HubException>(() =>
                    alice.Connection.InvokeCoreAsync(method, typeof(object), args)
                )
            ).Message;

        Assert.EndsWith(
            "HubException: JoinConversation(id, since_seq) takes 2 arguments; 1 given.",
            await Refusal("JoinConversation", c)
        );
        Assert.EndsWith(
            "HubException: JoinConversation(id, since_seq): id (argument 1) must be a uuid string, "
                + "not the string \"nope\".",
            await Refusal("JoinConversation", "nope", null)
        );
        Assert.EndsWith(
            "HubException: MarkRead(id, seq): seq (argument 2) must be an integer, not the string \"3\".",
            await Refusal("MarkRead", c, "3")
        );
        Assert.EndsWith(
            "HubException: MarkRead(id, seq): seq (argument 2) must be an integer, not null.",
            await Refusal("MarkRead", c, null)
        );
        Assert.EndsWith(
            "HubException: Unknown hub method 'JoinConversations'.",
            await Refusal("JoinConversations", c, null)
        );

        Assert.Equal(JsonValueKind.Array, (await Join(alice, c)).GetProperty("items").ValueKind);
    }

    [Fact]
    public async Task The_AsyncAPI_document_lists_every_hub_method_and_event_with_its_payload()
    {
        using var anonymous = new HttpClient { BaseAddress = fx.GatewayA.BaseAddress };
        var document = JsonDocument.Parse(await anonymous.GetStringAsync(ChatHub.AsyncApiPath)).RootElement;

        Assert.Equal("3.0.0", document.GetProperty("asyncapi").GetString());
        Assert.Equal(
            ChatHub.Path,
            document.GetProperty("channels").GetProperty("hub").GetProperty("address").GetString()
        );
        var operations = document.GetProperty("operations");
        foreach (var hubEvent in LiveEvents.All)
            Assert.Equal("send", operations.GetProperty(hubEvent.Name).GetProperty("action").GetString());
        foreach (
            var method in typeof(ChatHub)
                .GetMethods()
                .Where(m => m.DeclaringType == typeof(ChatHub) && !m.Name.StartsWith("On", StringComparison.Ordinal))
        )
            Assert.Equal("receive", operations.GetProperty(method.Name).GetProperty("action").GetString());
        var messages = document.GetProperty("components").GetProperty("messages");
        var join = messages.GetProperty("JoinConversation").GetProperty("payload").GetProperty("items");
        Assert.Equal(["id", "since_seq"], join.EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        // A send's text and client_txn_id are required (null is refused), so they are typed as plain strings.
        var send = messages.GetProperty("SendMessage").GetProperty("payload").GetProperty("items").EnumerateArray();
        Assert.Equal(
            ["id:string", "text:string", "client_txn_id:string"],
            send.Take(3).Select(i => i.GetProperty("title").GetString() + ":" + i.GetProperty("type").GetString())
        );
        Assert.Equal(
            "#/components/schemas/MessageHistory",
            messages.GetProperty("JoinConversationResult").GetProperty("payload").GetProperty("$ref").GetString()
        );
        Assert.Equal(
            "#/components/schemas/MessageDto",
            messages.GetProperty("new_message").GetProperty("payload").GetProperty("$ref").GetString()
        );
        var message = document.GetProperty("components").GetProperty("schemas").GetProperty("MessageDto");
        Assert.Contains("client_txn_id", message.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }
}
