using System.Net;
using Community.Contracts.Events;
using Community.Contracts.Identity;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Messaging.Tests;

/// <summary>
/// A block between two members of a shared group thread or event chat, over real hub connections: before it both hear
/// each other; after it neither hears the other's messages, edits, deletions, read receipts or typing, while a third
/// member still hears both.
/// </summary>
public sealed class BlockedPairTests(RealTimeFixture fx) : IClassFixture<RealTimeFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    private sealed record Member(Guid Id, string Token);

    [Fact]
    public async Task In_a_group_thread_a_block_stops_live_messages_and_typing_between_the_pair_only()
    {
        var (a, b, c) = (await Registered(), await Registered(), await Registered());
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, a.Id, "Hikers", "public"));
        foreach (var m in new[] { b, c })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, m.Id));
        var thread = await StartThread(c, groupId, "Hike", "Who is in?");

        await AssertBlockHoldsLive(thread, a, b, c, blocker: a, blocked: b);
    }

    [Fact]
    public async Task In_an_event_chat_a_block_either_way_stops_live_messages_and_typing_between_the_pair_only()
    {
        var (a, b, c) = (await Registered(), await Registered(), await Registered());
        var eventId = Guid.NewGuid();
        await fx.DeliverAsync(
            new EventPublished(
                Guid.NewGuid(),
                fx.Tick(),
                eventId,
                c.Id,
                "Dunes",
                fx.Clock.GetUtcNow().AddDays(2),
                fx.Clock.GetUtcNow().AddDays(2).AddHours(3),
                0,
                "AED"
            )
        );
        foreach (var m in new[] { a, b })
            await fx.DeliverAsync(
                new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, m.Id, "T-1", null)
            );
        var chat = (
            await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", c.Token)).AssertStatus(200)
        )["id"]!.GetValue<string>();

        // This time the other one blocks: the filter holds in both directions.
        await AssertBlockHoldsLive(chat, a, b, c, blocker: b, blocked: a);
    }

    [Fact]
    public async Task A_moderators_delete_reaches_every_member_shown_the_message_whatever_blocks_the_moderator_is_in()
    {
        var (moderator, x, c) = (await Registered(), await Registered(), await Registered());
        var groupId = Guid.NewGuid();
        // The owner moderates every thread of the group.
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, moderator.Id, "Growers", "public"));
        foreach (var m in new[] { x, c })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, m.Id));
        var thread = await StartThread(x, groupId, "Tomatoes", "Mine split");
        await using var moderatorHub = await fx.ConnectAsync(moderator.Token);
        await using var xHub = await fx.ConnectAsync(x.Token, viaB: true);
        await using var cHub = await fx.ConnectAsync(c.Token);
        foreach (var hub in new[] { moderatorHub, xHub, cHub })
            await hub.Connection.InvokeAsync("JoinConversation", thread, null);
        var spam = await Send(xHub, thread, "Seeds half price at my shop");
        await cHub.WaitForAsync(LiveEvents.NewMessage, Text("Seeds half price at my shop"));
        // Both members block the moderator: the author's messages are hidden from the moderator, not from c.
        await fx.BlockAsync(c.Id, moderator.Id);
        await fx.BlockAsync(x.Id, moderator.Id);

        var answer = await moderatorHub.Connection.InvokeAsync<JsonElement>("DeleteMessage", thread, spam.Str("id"));

        Assert.True(answer.GetProperty("hidden").GetBoolean());
        // Whoever was shown the text hears of its tombstone, as their history shows it.
        foreach (var hub in new[] { cHub, xHub })
        {
            var deleted = await hub.WaitForAsync(LiveEvents.MessageDeleted, i => i.Str("id") == spam.Str("id"));
            Assert.Null(deleted.Str("text"));
            Assert.Null(deleted.Str("client_txn_id"));
            Assert.False(deleted.Arguments[0].GetProperty("hidden").GetBoolean());
            // named as they see its author, not nameless as the moderator does
            Assert.NotNull(deleted.Arguments[0].GetProperty("sender").GetProperty("username").GetString());
        }
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("sender").GetProperty("username").ValueKind);
    }

    [Fact]
    public async Task A_group_owner_in_a_block_with_a_threads_author_hears_the_others_in_it_live_but_not_the_author()
    {
        var (owner, b, c) = (await Registered(), await Registered(), await Registered());
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, owner.Id, "Climbers", "public"));
        foreach (var m in new[] { b, c })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, m.Id));
        var thread = await StartThread(b, groupId, "Crag on Saturday", "Who brings the rope?");
        // The author blocks the owner, who moderates the thread all the same, so opens it.
        await fx.BlockAsync(b.Id, owner.Id);
        await using var ownerHub = await fx.ConnectAsync(owner.Token);
        await using var bHub = await fx.ConnectAsync(b.Token, viaB: true);
        await using var cHub = await fx.ConnectAsync(c.Token, viaB: true);
        foreach (var hub in new[] { ownerHub, bHub, cHub })
            await hub.Connection.InvokeAsync("JoinConversation", thread, null);

        // A third member's message reaches the owner, and so does its deletion: its text leaves the owner's screen.
        var said = await Send(cHub, thread, "I bring mine, a cheap shop link in my profile");
        await ownerHub.WaitForAsync(LiveEvents.NewMessage, Text("I bring mine, a cheap shop link in my profile"));
        await cHub.Connection.InvokeAsync("DeleteMessage", thread, said.Str("id"));
        var deleted = await ownerHub.WaitForAsync(LiveEvents.MessageDeleted, i => i.Str("id") == said.Str("id"));
        Assert.Null(deleted.Str("text"));
        // Someone joining the group is told in the thread too.
        var d = await Registered();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, d.Id));
        await ownerHub.WaitForAsync(
            LiveEvents.MemberJoined,
            i => i.Str("conversation_id") == thread && i.Str("user_id") == d.Id.ToString()
        );

        // The author's own messages still stay away from the owner: c hears one, then c's next one reaches the owner
        // by the same way, after it.
        await Send(bHub, thread, "b only");
        await cHub.WaitForAsync(LiveEvents.NewMessage, Text("b only"));
        await Send(cHub, thread, "c after b");
        await ownerHub.WaitForAsync(LiveEvents.NewMessage, Text("c after b"));
        Assert.DoesNotContain(ownerHub.ReceivedOf(LiveEvents.NewMessage), i => i.Str("text") == "b only");
    }

    private async Task AssertBlockHoldsLive(
        string conversation,
        Member a,
        Member b,
        Member c,
        Member blocker,
        Member blocked
    )
    {
        await using var aHub = await fx.ConnectAsync(a.Token);
        await using var bHub = await fx.ConnectAsync(b.Token, viaB: true);
        await using var cHub = await fx.ConnectAsync(c.Token);
        foreach (var hub in new[] { aHub, bHub, cHub })
            await hub.Connection.InvokeAsync("JoinConversation", conversation, null);

        // Before the block the pair hear each other, so what follows cannot pass for want of delivery.
        await Send(bHub, conversation, "b before");
        await aHub.WaitForAsync(LiveEvents.NewMessage, Text("b before"));
        await cHub.WaitForAsync(LiveEvents.NewMessage, Text("b before"));
        await Send(aHub, conversation, "a before");
        await bHub.WaitForAsync(LiveEvents.NewMessage, Text("a before"));
        await bHub.Connection.InvokeAsync("Typing", conversation);
        await aHub.WaitForAsync(LiveEvents.Typing, From(b));
        await cHub.WaitForAsync(LiveEvents.Typing, From(b));

        await fx.BlockAsync(blocker.Id, blocked.Id);

        var bAfter = await Send(bHub, conversation, "b after");
        await bHub.Connection.InvokeAsync("EditMessage", conversation, bAfter.Str("id"), "b after, edited");
        await bHub.Connection.InvokeAsync("StopTyping", conversation);
        // b read their own message when they sent it: the third member's gives b's read position somewhere to move.
        var cAfter = await Send(cHub, conversation, "c after");
        await bHub.Connection.InvokeAsync("MarkRead", conversation, cAfter.GetProperty("seq").GetInt64());
        var bGone = await Send(bHub, conversation, "b gone");
        await bHub.Connection.InvokeAsync("DeleteMessage", conversation, bGone.Str("id"));
        await Send(aHub, conversation, "a after");
        await aHub.Connection.InvokeAsync("Typing", conversation);
        // The third member hears both sides...
        await cHub.WaitForAsync(LiveEvents.NewMessage, Text("b after"));
        await cHub.WaitForAsync(LiveEvents.MessageUpdated, Text("b after, edited"));
        await cHub.WaitForAsync(LiveEvents.StopTyping, From(b));
        await cHub.WaitForAsync(LiveEvents.Read, From(b));
        await cHub.WaitForAsync(LiveEvents.MessageDeleted, i => i.Str("id") == bGone.Str("id"));
        await cHub.WaitForAsync(LiveEvents.NewMessage, Text("a after"));
        await cHub.WaitForAsync(LiveEvents.Typing, From(a));
        await Task.Delay(Quiet);
        // ...the pair hear nothing of each other after the block.
        Assert.DoesNotContain(aHub.ReceivedOf(LiveEvents.NewMessage), i => i.Str("text") is "b after" or "b gone");
        Assert.Empty(aHub.ReceivedOf(LiveEvents.MessageUpdated));
        Assert.Empty(aHub.ReceivedOf(LiveEvents.StopTyping));
        Assert.Empty(aHub.ReceivedOf(LiveEvents.Read));
        Assert.Empty(aHub.ReceivedOf(LiveEvents.MessageDeleted));
        Assert.DoesNotContain(bHub.ReceivedOf(LiveEvents.NewMessage), i => i.Str("text") == "a after");
        Assert.Empty(bHub.ReceivedOf(LiveEvents.Typing));
    }

    [Fact]
    public async Task A_blocked_pairs_thread_messages_are_collapsed_in_history_search_previews_and_unread_counts()
    {
        var (a, b, c) = (await Registered(), await Registered(), await Registered());
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, c.Id, "Readers", "public"));
        foreach (var m in new[] { a, b })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, m.Id));
        var thread = await StartThread(c, groupId, "Books", "What are you reading?");
        await (await fx.Client.PostJson($"/api/v1/conversations/{thread}/read", new { seq = 1 }, a.Token)).AssertStatus(
            200
        );
        var bMessage = (await fx.SendAsync(b.Token, thread, "Dune again, the spice saga"))["id"]!.GetValue<string>();
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{thread}/messages",
                new
                {
                    text = "Nice",
                    reply_to = bMessage,
                    client_txn_id = Guid.NewGuid().ToString("N"),
                },
                c.Token
            )
        ).AssertStatus(201);
        await fx.SendAsync(b.Token, thread, "spice is life");

        // Before the block a sees b's messages whole and counts them unread.
        Assert.Equal(
            "Dune again, the spice saga",
            MessageOf(await History(a, thread), bMessage)["text"]!.GetValue<string>()
        );
        Assert.Equal(3, await Unread(a, thread));

        await fx.BlockAsync(a.Id, b.Id);
        // c's reply counts, b's two messages no longer do.
        Assert.Equal(1, await Unread(a, thread));
        Assert.Equal(1, (await UnreadTotals(a))["by_kind"]!["thread"]!.GetValue<long>());

        foreach (var (viewer, other) in new[] { (a, b), (b, a) })
        {
            var mine = (await fx.SendAsync(viewer.Token, thread, $"spice from {viewer.Id:N}"))[
                "id"
            ]!.GetValue<string>();
            var page = await History(viewer, thread);
            // The other side's messages keep their place (seq) but come collapsed: no text, no files, hidden.
            var theirs = page["items"]!.AsArray().Where(i => Sender(i!) == other.Id).ToList();
            Assert.NotEmpty(theirs);
            foreach (var item in theirs)
            {
                Assert.Null(item!["text"]);
                Assert.Empty(item["attachments"]!.AsArray());
                Assert.True(item["hidden"]!.GetValue<bool>());
                // nor their name or picture, as with a deleted account
                Assert.Null(item["sender"]!["username"]);
                Assert.Null(item["sender"]!["display_name"]);
                Assert.Null(item["sender"]!["profile_image_url"]);
                var one = await (
                    await fx.Client.Get($"/api/v1/conversations/{thread}/messages/{item["id"]}", viewer.Token)
                ).AssertStatus(200);
                Assert.Null(one["sender"]!["username"]);
            }
            // The viewer's own messages name them.
            Assert.NotNull(MessageOf(page, mine)["sender"]!["username"]);
            Assert.False(MessageOf(page, mine)["hidden"]!.GetValue<bool>());
            // Search finds the viewer's own words, never the other side's.
            var found = await Search(viewer, thread, "spice");
            Assert.Contains(found, i => i!["id"]!.GetValue<string>() == mine);
            Assert.DoesNotContain(found, i => Sender(i!) == other.Id);
        }
        // The third member still sees and finds both whole.
        Assert.Equal(
            "Dune again, the spice saga",
            MessageOf(await History(c, thread), bMessage)["text"]!.GetValue<string>()
        );
        Assert.Equal(4, (await Search(c, thread, "spice")).Count);
        // A last message of b's shows collapsed in a's list, whole in c's; it is not unread for a.
        await fx.SendAsync(b.Token, thread, "last word");
        var seen = await (await fx.Client.Get($"/api/v1/conversations/{thread}", a.Token)).AssertStatus(200);
        Assert.True(seen["last_message"]!["hidden"]!.GetValue<bool>());
        Assert.Null(seen["last_message"]!["text"]);
        Assert.Equal(0, seen["unread_count"]!.GetValue<long>());
        Assert.Equal(0, (await UnreadTotals(a))["total"]!.GetValue<long>());
        var forC = await (await fx.Client.Get($"/api/v1/conversations/{thread}", c.Token)).AssertStatus(200);
        Assert.Equal("last word", forC["last_message"]!["text"]!.GetValue<string>());
        Assert.False(forC["last_message"]!["hidden"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_blockers_messages_stay_hidden_from_the_one_they_blocked_once_their_account_is_deleted()
    {
        var (a, b, c) = (await Registered(), await Registered(), await Registered());
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, c.Id, "Walkers", "public"));
        foreach (var m in new[] { a, b })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, m.Id));
        var thread = await StartThread(c, groupId, "Routes", "Where next?");
        await fx.BlockAsync(a.Id, b.Id);
        var said = (await fx.SendAsync(a.Token, thread, "the harbour path, away from b"))["id"]!.GetValue<string>();
        Assert.Null(MessageOf(await History(b, thread), said)["text"]);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), a.Id));
        // The account is gone; what it wrote while blocking b stays hidden from b, as it was written to be.
        var hidden = MessageOf(await History(b, thread), said);
        Assert.Null(hidden["text"]);
        Assert.True(hidden["hidden"]!.GetValue<bool>());
        Assert.Empty(await Search(b, thread, "harbour"));
        Assert.Null(
            (await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages/{said}", b.Token)).AssertStatus(200))[
                "text"
            ]
        );
        // The third member reads it as any deleted account's message.
        Assert.Equal(
            "the harbour path, away from b",
            MessageOf(await History(c, thread), said)["text"]!.GetValue<string>()
        );
    }

    [Fact]
    public async Task A_blocked_pairs_threads_leave_a_members_lists_and_reads_and_stay_found_by_their_moderator()
    {
        var (a, b, c) = (await Registered(), await Registered(), await Registered());
        var groupId = Guid.NewGuid();
        // a owns the group, so moderates every thread in it.
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, a.Id, "Cooks", "public"));
        foreach (var m in new[] { b, c })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, m.Id));
        var aThread = await StartThread(a, groupId, "Saffron buns", "Mine come out dry");
        var bThread = await StartThread(b, groupId, "Saffron risotto", "Mine is too yellow");
        var cThread = await StartThread(c, groupId, "Saffron prices", "Where do you buy it?");
        var list = $"/api/v1/threads?group_id={groupId}";
        // b's thread matches by its title alone: its message says nothing of saffron.
        var search = $"/api/v1/threads/search?q=saffron&group_id={groupId}";
        Assert.Contains(bThread, await Threads(a, list));
        Assert.Contains(bThread, await Threads(a, search));

        await fx.BlockAsync(b.Id, a.Id);

        // b, a plain member, no longer finds a's thread.
        foreach (var url in new[] { list, search })
        {
            var seen = await Threads(b, url);
            Assert.DoesNotContain(aThread, seen);
            Assert.Contains(bThread, seen);
            Assert.Contains(cThread, seen);
        }
        await (await fx.Client.Get($"/api/v1/threads/{aThread}", b.Token)).AssertProblem(404);
        // The owner moderates b's thread, so finds it where it finds threads (it may open it and read it, as the
        // conversations list shows it).
        foreach (var url in new[] { list, search })
            Assert.Equal(3, (await Threads(a, url)).Count);
        var opened = await (await fx.Client.Get($"/api/v1/threads/{bThread}", a.Token)).AssertStatus(200);
        // Its author as a deleted account, in the lists and by id: no name, no picture across the block.
        var listed = new List<JsonNode>();
        foreach (var url in new[] { list, search })
            listed.AddRange(
                (await (await fx.Client.Get(url, a.Token)).AssertStatus(200))["items"]!
                    .AsArray()
                    .Where(t => t!["id"]!.GetValue<string>() == bThread)
                    .Select(t => t!)
            );
        foreach (var thread in listed.Append(opened))
        {
            Assert.Equal(b.Id.ToString(), thread["author"]!["user_id"]!.GetValue<string>());
            Assert.Null(thread["author"]!["username"]);
            Assert.Null(thread["author"]!["display_name"]);
        }
        // The third member, in no block, sees b's name.
        var byC = await (await fx.Client.Get($"/api/v1/threads/{bThread}", c.Token)).AssertStatus(200);
        Assert.NotNull(byC["author"]!["username"]);
        // The third member still sees all three.
        Assert.Equal(3, (await Threads(c, list)).Count);
        Assert.Equal(3, (await Threads(c, search)).Count);
        // The owner still moderates b's thread, and its answer shows the thread it pinned.
        var pinned = await (await fx.Client.PostJson($"/api/v1/threads/{bThread}/pin", new { }, a.Token)).AssertStatus(
            200
        );
        Assert.True(pinned["pinned"]!.GetValue<bool>());
        Assert.Equal(bThread, pinned["id"]!.GetValue<string>());
        // Its author as a deleted account, as b's messages show b to a.
        Assert.Null(pinned["author"]!["username"]);
        Assert.Null(pinned["author"]!["display_name"]);
    }

    [Fact]
    public async Task A_blocked_pairs_thread_files_are_not_served_to_each_other_by_id()
    {
        var (a, b, c) = (await Registered(), await Registered(), await Registered());
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, c.Id, "Painters", "public"));
        foreach (var m in new[] { a, b })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, m.Id));
        var thread = await StartThread(c, groupId, "Sketches", "Show yours");
        var file = (
            await (await fx.UploadAsync(b.Token, thread, Images.Png(), "sketch.png", "image/png")).AssertStatus(201)
        )["id"]!.GetValue<string>();
        var sent = await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{thread}/messages",
                new
                {
                    text = "mine",
                    attachments = new[] { file },
                    client_txn_id = Guid.NewGuid().ToString("N"),
                },
                b.Token
            )
        ).AssertStatus(201);
        var url = sent["attachments"]![0]!["url"]!.GetValue<string>();
        // Before the block a may fetch it, so the 404 after cannot pass for another reason.
        using (var before = await fx.Client.Get(url, a.Token))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await fx.BlockAsync(a.Id, b.Id);
        await (await fx.Client.Get(url, a.Token)).AssertProblem(404);
        using var forC = await fx.Client.Get(url, c.Token);
        Assert.Equal(HttpStatusCode.OK, forC.StatusCode);
        using var forB = await fx.Client.Get(url, b.Token);
        Assert.Equal(HttpStatusCode.OK, forB.StatusCode);
    }

    private async Task<Member> Registered()
    {
        var (id, token) = await fx.RegisteredAsync();
        return new(id, token);
    }

    private async Task<string> StartThread(Member author, Guid groupId, string title, string text) =>
        (
            await (
                await fx.Client.PostJson(
                    "/api/v1/threads",
                    new
                    {
                        group_id = groupId,
                        title,
                        text,
                        tags = Array.Empty<string>(),
                    },
                    author.Token
                )
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();

    private async Task<List<string>> Threads(Member viewer, string url) =>
        [
            .. (await (await fx.Client.Get(url, viewer.Token)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(t => t!["id"]!.GetValue<string>()),
        ];

    private async Task<JsonArray> Search(Member viewer, string conversation, string q) =>
        (
            await (
                await fx.Client.Get($"/api/v1/conversations/{conversation}/messages/search?q={q}", viewer.Token)
            ).AssertStatus(200)
        )["items"]!.AsArray();

    private async Task<JsonNode> UnreadTotals(Member viewer) =>
        await (await fx.Client.Get("/api/v1/messages/unread-count", viewer.Token)).AssertStatus(200);

    private async Task<JsonNode> History(Member viewer, string conversation) =>
        await (
            await fx.Client.Get($"/api/v1/conversations/{conversation}/messages?limit=100", viewer.Token)
        ).AssertStatus(200);

    private async Task<long> Unread(Member viewer, string conversation) =>
        (await (await fx.Client.Get($"/api/v1/conversations/{conversation}", viewer.Token)).AssertStatus(200))[
            "unread_count"
        ]!.GetValue<long>();

    private static JsonNode MessageOf(JsonNode page, string id) =>
        page["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == id)!;

    private static Guid Sender(JsonNode message) => Guid.Parse(message["sender"]!["user_id"]!.GetValue<string>());

    private static Task<JsonElement> Send(LiveConnection live, string conversation, string text) =>
        live.Connection.InvokeAsync<JsonElement>("SendMessage", conversation, text, Guid.NewGuid().ToString("N"), null);

    private static Func<HubCall, bool> Text(string text) => i => i.Str("text") == text;

    private static Func<HubCall, bool> From(Member m) => i => i.Str("user_id") == m.Id.ToString();
}
