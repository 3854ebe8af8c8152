using System.Net.WebSockets;
using Community.Contracts.Identity;
using Community.Contracts.Messaging;

namespace Community.Messaging.Tests;

public sealed class ConversationsTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    [Fact]
    public async Task A_user_identity_never_announced_can_neither_start_a_conversation_nor_open_the_hub()
    {
        var (someoneId, _) = await fx.RegisteredAsync();
        var (strangerId, stranger) = fx.Stranger();
        await fx.ConnectAsync(strangerId, someoneId);

        await (
            await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = someoneId }, stranger)
        ).AssertProblem(403);
        await (await fx.Client.PostJson("/hubs/chat/negotiate?negotiateVersion=1", new { }, stranger)).AssertProblem(
            403
        );
        // Nor by opening the WebSocket at once (a GET, as clients behind a load balancer skip negotiation); nor may a
        // user identity deleted since.
        var (deletedId, deleted) = fx.User();
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), deletedId), "KnownUsersConsumer");
        foreach (var token in new[] { stranger, deleted })
        {
            var refused = await Assert.ThrowsAsync<WebSocketException>(() =>
                LiveConnection.ConnectAsync(
                    new Uri(fx.Host.BaseAddress, "/hubs/chat"),
                    token,
                    [],
                    arguments: 1,
                    skipNegotiation: true
                )
            );
            Assert.Contains("403", refused.Message);
        }

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM conversation_members WHERE user_id = @u",
                ("u", strangerId)
            )
        );
    }

    [Fact]
    public async Task Moving_a_read_position_as_its_member_leaves_the_conversation_is_a_404_not_a_500()
    {
        var (aId, a, _, _, c) = await fx.PairAsync();
        await fx.SendAsync(a, c, "Read me");
        // The member's row is gone by the time the position moves (they left, or were removed, meanwhile): the update
        // finds no row, as a trigger of the test's makes it.
        var gone = $"gone_{aId:N}";
        await fx.ExecuteAsync(
            $"""
            CREATE FUNCTION {gone}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE TRIGGER {gone} BEFORE UPDATE ON conversation_members FOR EACH ROW
                WHEN (OLD.user_id = '{aId}') EXECUTE FUNCTION {gone}();
            """
        );
        try
        {
            await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq = 1 }, a)).AssertProblem(404);
        }
        finally
        {
            await fx.ExecuteAsync($"DROP TRIGGER {gone} ON conversation_members; DROP FUNCTION {gone}();");
        }
        await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq = 1 }, a)).AssertStatus(200);
    }

    [Fact]
    public async Task A_persons_picture_shows_beside_their_name_as_their_newest_profile_gives_it_and_goes_with_them()
    {
        var (aId, a, _, b, c) = await fx.PairAsync();
        JsonNode? Picture(JsonNode person) => person["profile_image_url"];
        // Registered, nobody has a picture yet.
        var before = await fx.SendAsync(a, c, "No picture yet");
        Assert.Null(Picture(before["sender"]!));

        var picture = $"/api/v1/users/{aId}/picture?v=1";
        var update = new UserProfileUpdated(
            Guid.NewGuid(),
            fx.Tick(),
            aId,
            "amira",
            "Amira",
            null,
            null,
            null,
            [],
            [],
            picture,
            ["profile_image_url"]
        );
        await fx.DeliverAsync(update);
        // An older update arriving late does not take it back.
        await fx.DeliverAsync(
            update with
            {
                MessageId = Guid.NewGuid(),
                OccurredAt = update.OccurredAt.AddSeconds(-5),
                ProfileImageUrl = null,
            }
        );

        // The send's answer, the other member's list, and the history.
        var sent = await fx.SendAsync(a, c, "With my picture");
        Assert.Equal(picture, Picture(sent["sender"]!)!.GetValue<string>());
        var listed = await (await fx.Client.Get("/api/v1/conversations", b)).AssertStatus(200);
        var mine = listed["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == c)!;
        Assert.Equal(picture, Picture(mine["other_user"]!)!.GetValue<string>());
        var history = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", b)).AssertStatus(200);
        Assert.All(history["items"]!.AsArray(), m => Assert.Equal(picture, Picture(m!["sender"]!)!.GetValue<string>()));
        // b's notifications of those messages (b was not there to see them arrive) show it beside a's name
        var notices = await NoticesFromAsync(b, aId);
        Assert.NotEmpty(notices);
        Assert.All(notices, n => Assert.Equal(picture, Picture(n["actor"]!)!.GetValue<string>()));

        // Deleted, the person keeps no picture anywhere.
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), aId));
        var after = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", b)).AssertStatus(200);
        Assert.All(after["items"]!.AsArray(), m => Assert.Null(Picture(m!["sender"]!)));
        var noticesAfter = await NoticesFromAsync(b, aId);
        Assert.NotEmpty(noticesAfter);
        Assert.All(noticesAfter, n => Assert.Null(Picture(n["actor"]!)));
        Assert.Null(
            await fx.ScalarAsync<string?>(
                "SELECT profile_image_url FROM user_profiles WHERE user_id = @id",
                ("id", aId)
            )
        );
    }

    /// <summary>The notifications of <paramref name="reader"/> that <paramref name="actorId"/> caused.</summary>
    private async Task<List<JsonNode>> NoticesFromAsync(string reader, Guid actorId) =>
        [
            .. (await (await fx.Client.Get("/api/v1/notifications", reader)).AssertStatus(200))["items"]!
                .AsArray()
                .Where(n => n!["actor"]?["user_id"]?.GetValue<Guid>() == actorId)
                .Select(n => n!),
        ];

    [Fact]
    public async Task Connected_people_get_one_direct_conversation_and_messages_are_numbered_in_order()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        // Started again, from either side: the same conversation, 200.
        var again = await (
            await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = aId }, b)
        ).AssertStatus(200);
        Assert.Equal(c, again["id"]!.GetValue<string>());
        Assert.Equal(aId.ToString(), again["other_user"]!["user_id"]!.GetValue<string>());
        Assert.StartsWith("User u", again["other_user"]!["display_name"]!.GetValue<string>());

        var first = await fx.SendAsync(a, c, "Hello!");
        var second = await fx.SendAsync(b, c, "Hi, how are you?");
        Assert.Equal(1, first["seq"]!.GetValue<long>());
        Assert.Equal(2, second["seq"]!.GetValue<long>());
        Assert.Equal(aId.ToString(), first["sender"]!["user_id"]!.GetValue<string>());
        // Ids are time-ordered (UUID version 7).
        Assert.Equal(7, Guid.Parse(first["id"]!.GetValue<string>()).Version);

        var history = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", b)).AssertStatus(200);
        Assert.Equal(
            ["Hello!", "Hi, how are you?"],
            history["items"]!.AsArray().Select(m => m!["text"]!.GetValue<string>())
        );
        Assert.False(history["has_more"]!.GetValue<bool>());
        // The sender's own client_txn_id only.
        Assert.Null(history["items"]![0]!["client_txn_id"]);
        Assert.NotNull(history["items"]![1]!["client_txn_id"]);

        var listed = await (await fx.Client.Get("/api/v1/conversations", a)).AssertStatus(200);
        var item = Assert.Single(listed["items"]!.AsArray())!;
        Assert.Equal(1, item["unread_count"]!.GetValue<long>());
        Assert.Equal("Hi, how are you?", item["last_message"]!["text"]!.GetValue<string>());
        Assert.True(item["can_send"]!.GetValue<bool>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(MessageSent)},%' "
                    + "AND payload->>'chatMessageId' = @id",
                ("id", first["id"]!.GetValue<string>())
            )
        );
        Assert.Equal(
            bId.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT payload->'recipientUserIds'->>0 FROM outbox_messages WHERE payload->>'chatMessageId' = @id",
                ("id", first["id"]!.GetValue<string>())
            )
        );
    }

    [Fact]
    public async Task A_block_committed_while_a_conversation_is_being_started_answers_as_the_block_does()
    {
        var (aId, a) = await fx.RegisteredAsync();
        var (bId, _) = await fx.RegisteredAsync();
        await fx.ConnectAsync(aId, bId);
        // B's block commits while A's start waits on the conversations table, after its checks (the block not yet
        // there) and before the conversation is made: the conversation is made, but A may no longer see it.
        var started = await fx.CommitsWhileWaitedOnAsync(
            """
            INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of) VALUES (@b, @a, true, now())
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET blocked = true, as_of = now();
            LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE;
            """,
            () => fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = bId }, a),
            "Starting the conversation never waited on the conversations table.",
            ("a", aId),
            ("b", bId)
        );
        // As a start after the block is answered: no such user (a 403 would tell of the block), not a 500.
        var problem = await started.AssertProblem(404);
        Assert.Equal("No such user.", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_people_starting_their_conversation_at_once_get_the_same_one()
    {
        var (aId, a) = await fx.RegisteredAsync();
        var (bId, b) = await fx.RegisteredAsync();
        await fx.ConnectAsync(aId, bId);
        var answers = await Task.WhenAll(
            Enumerable
                .Range(0, 6)
                .Select(i =>
                    i % 2 == 0
                        ? fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = bId }, a)
                        : fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = aId }, b)
                )
        );
        Assert.Equal([200, 200, 200, 200, 200, 201], answers.Select(r => (int)r.StatusCode).Order());
        var ids = await Task.WhenAll(answers.Select(async r => (await r.Body())["id"]!.GetValue<string>()));
        Assert.Single(ids.Distinct());
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM conversation_members WHERE conversation_id = @c",
                ("c", Guid.Parse(ids[0]))
            )
        );
    }

    [Fact]
    public async Task A_retried_send_returns_the_same_message_also_when_the_retries_race()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var first = await fx.SendAsync(a, c, "Once", "txn-1");
        var retry = await fx.SendAsync(a, c, "Once", "txn-1", status: 200);
        Assert.Equal(first["id"]!.GetValue<string>(), retry["id"]!.GetValue<string>());

        var racing = await Task.WhenAll(
            Enumerable
                .Range(0, 8)
                .Select(_ =>
                    fx.Client.PostJson(
                        $"/api/v1/conversations/{c}/messages",
                        new { text = "Raced", client_txn_id = "txn-race" },
                        a
                    )
                )
        );
        var statuses = racing.Select(r => (int)r.StatusCode).Order().ToList();
        Assert.Equal([200, 200, 200, 200, 200, 200, 200, 201], statuses);
        var ids = await Task.WhenAll(racing.Select(async r => (await r.Body())["id"]!.GetValue<string>()));
        Assert.Single(ids.Distinct());
        // No number was used up by the losers: the next message is 3.
        Assert.Equal(3, (await fx.SendAsync(b, c, "Next"))["seq"]!.GetValue<long>());
        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM messages WHERE conversation_id = @c", ("c", Guid.Parse(c)))
        );
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.MessageSent,%'
                AND payload->>'senderUserId' = (SELECT sender_id::text FROM messages WHERE id = @id)
                """,
                ("id", Guid.Parse(first["id"]!.GetValue<string>()))
            )
        );
    }

    [Fact]
    public async Task A_send_in_one_statement_names_the_members_allowed_and_reads_it_for_its_sender()
    {
        var (aId, a) = await fx.RegisteredAsync();
        var (bId, b) = await fx.RegisteredAsync();
        var (cId, _) = await fx.RegisteredAsync();
        var (dId, _) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(bId, "Statement", aId, cId, dId);
        await fx.BlockAsync(dId, aId);
        var thread = await fx.ThreadAsync(b, groupId, "One statement", "First");

        // a's first message in the thread makes their member row, read up to it.
        var sent = await fx.SendAsync(a, thread, "Second", "txn-statement");
        Assert.Equal(2, sent["seq"]!.GetValue<long>());
        Assert.Equal("Second", sent["text"]!.GetValue<string>());
        Assert.Equal("txn-statement", sent["client_txn_id"]!.GetValue<string>());
        Assert.Equal(aId.ToString(), sent["sender"]!["user_id"]!.GetValue<string>());
        Assert.StartsWith("u", sent["sender"]!["username"]!.GetValue<string>());
        var history = await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages", a)).AssertStatus(200);
        Assert.Equal(sent.ToJsonString(), history["items"]!.AsArray()[1]!.ToJsonString());
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT read_seq FROM conversation_members WHERE conversation_id = @c AND user_id = @u",
                ("c", Guid.Parse(thread)),
                ("u", aId)
            )
        );

        // MessageSent names the other members but d, who blocked a.
        var messageId = sent["id"]!.GetValue<string>();
        var recipients = await fx.ScalarAsync<string>(
            "SELECT payload->>'recipientUserIds' FROM outbox_messages WHERE payload->>'chatMessageId' = @id",
            ("id", messageId)
        );
        Assert.Equal(
            new[] { bId, cId }.Order(),
            System.Text.Json.JsonSerializer.Deserialize<Guid[]>(recipients!)!.Order()
        );

        // A retry writes nothing more: no message, number or event.
        var retry = await fx.SendAsync(a, thread, "Second", "txn-statement", status: 200);
        Assert.Equal(messageId, retry["id"]!.GetValue<string>());
        Assert.Equal(3, (await fx.SendAsync(b, thread, "Third"))["seq"]!.GetValue<long>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE payload->>'chatMessageId' = @id",
                ("id", messageId)
            )
        );
    }

    [Fact]
    public async Task A_client_txn_id_used_in_another_conversation_is_a_conflict()
    {
        var (aId, a, _, _, c) = await fx.PairAsync();
        var (otherId, _) = await fx.RegisteredAsync();
        await fx.ConnectAsync(aId, otherId);
        var c2 = (
            await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = otherId }, a)).AssertStatus(
                201
            )
        )["id"]!.GetValue<string>();
        await fx.SendAsync(a, c, "First", "shared");
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c2}/messages",
                new { text = "Second", client_txn_id = "shared" },
                a
            )
        ).AssertProblem(409);
    }

    [Fact]
    public async Task Bad_sends_are_validation_problems()
    {
        var (_, a, _, _, c) = await fx.PairAsync();
        var url = $"/api/v1/conversations/{c}/messages";
        Assert.NotNull(
            (await (await fx.Client.PostJson(url, new { text = "", client_txn_id = "t1" }, a)).AssertProblem(400))[
                "errors"
            ]!["text"]
        );
        Assert.NotNull(
            (await (await fx.Client.PostJson(url, new { text = "   ", client_txn_id = "t1" }, a)).AssertProblem(400))[
                "errors"
            ]!["text"]
        );
        Assert.NotNull(
            (
                await (
                    await fx.Client.PostJson(url, new { text = new string('x', 4001), client_txn_id = "t1" }, a)
                ).AssertProblem(400)
            )["errors"]!["text"]
        );
        Assert.NotNull(
            (await (await fx.Client.PostJson(url, new { text = "hi" }, a)).AssertProblem(400))["errors"]![
                "client_txn_id"
            ]
        );
        Assert.NotNull(
            (
                await (
                    await fx.Client.PostJson(url, new { text = "hi", client_txn_id = new string('t', 65) }, a)
                ).AssertProblem(400)
            )["errors"]!["client_txn_id"]
        );
        await (await fx.Client.PostJson(url, "{\"text\":\"a\\u0000b\",\"client_txn_id\":\"t1\"}", a)).AssertProblem(
            400
        );
        await (
            await fx.Client.PostJson(url, "{\"text\":\"hi\",\"client_txn_id\":\"t1\",\"reply_to\":\"not-a-guid\"}", a)
        ).AssertProblem(400);
        Assert.NotNull(
            (
                await (
                    await fx.Client.PostJson(
                        url,
                        new
                        {
                            text = "hi",
                            client_txn_id = "t1",
                            reply_to = Guid.NewGuid(),
                        },
                        a
                    )
                ).AssertProblem(400)
            )["errors"]!["reply_to"]
        );
        Assert.NotNull(
            (
                await (
                    await fx.Client.PostJson(
                        url,
                        new
                        {
                            text = "hi",
                            client_txn_id = "t1",
                            attachments = new[] { Guid.NewGuid() },
                        },
                        a
                    )
                ).AssertProblem(400)
            )["errors"]!["attachments"]
        );
        await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages?before_seq=99999999999999999999999", a)
        ).AssertProblem(400);
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages?before_seq=-1", a)).AssertProblem(400);
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages?before_seq=5&after_seq=1", a)).AssertProblem(
            400
        );
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages?limit=101", a)).AssertProblem(400);
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages?befor_seq=1", a)).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/conversations/not-a-guid", a)).AssertStatus(404);
        await (await fx.Client.Get("/api/v1/conversations?cursor=bogus", a)).AssertProblem(400);
        await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq = -1 }, a)).AssertProblem(400);
        await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", "{\"seq\":1e400}", a)).AssertProblem(400);
        await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { }, a)).AssertProblem(400);
        await (await fx.Client.PostJson("/api/v1/conversations/direct", new { }, a)).AssertProblem(400);
        // A reply to a message of the conversation is fine.
        var parent = await fx.SendAsync(a, c, "Parent");
        var reply = await (
            await fx.Client.PostJson(
                url,
                new
                {
                    text = "Child",
                    client_txn_id = "t2",
                    reply_to = parent["id"]!.GetValue<string>(),
                },
                a
            )
        ).AssertStatus(201);
        Assert.Equal(parent["id"]!.GetValue<string>(), reply["reply_to"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_history_read_while_messages_land_has_its_newest_seq_at_its_last_seq()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var lockStep = new ReadsAmongWrites();
        var sending = Task.Run(async () =>
        {
            for (var i = 1; i <= 40; i++)
            {
                await fx.SendAsync(i % 2 == 0 ? b : a, c, $"m{i}");
                // Every five sends, wait for a read that starts now: it falls between two, whatever the load.
                if (i % 5 == 0 && i < 40)
                    await lockStep.AwaitReadAsync();
            }
        });
        var counts = new HashSet<long>();
        await lockStep.ReadUntilAsync(
            sending,
            async () =>
            {
                // One moment per answer: the whole history fits the page, so its newest message is the last one sent.
                var page = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages?limit=100", a)).AssertStatus(
                    200
                );
                Assert.False(page["has_more"]!.GetValue<bool>());
                Assert.Equal(Seqs(page).DefaultIfEmpty(0L).Last(), page["last_seq"]!.GetValue<long>());
                counts.Add(Seqs(page).Length);
            }
        );
        // The reads the sends waited for saw every fifth message in the history.
        Assert.Superset(Enumerable.Range(1, 7).Select(n => 5L * n).ToHashSet(), counts);
    }

    [Fact]
    public async Task History_pages_back_by_before_seq_and_catches_up_by_after_seq()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        for (var i = 1; i <= 7; i++)
            await fx.SendAsync(i % 2 == 0 ? b : a, c, $"m{i}");

        var newest = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages?limit=3", a)).AssertStatus(200);
        Assert.Equal([5L, 6L, 7L], Seqs(newest));
        Assert.True(newest["has_more"]!.GetValue<bool>());
        Assert.Equal(7, newest["last_seq"]!.GetValue<long>());
        var older = await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages?limit=3&before_seq=5", a)
        ).AssertStatus(200);
        Assert.Equal([2L, 3L, 4L], Seqs(older));
        var oldest = await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages?limit=3&before_seq=2", a)
        ).AssertStatus(200);
        Assert.Equal([1L], Seqs(oldest));
        Assert.False(oldest["has_more"]!.GetValue<bool>());

        var caughtUp = await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages?limit=4&after_seq=2", a)
        ).AssertStatus(200);
        Assert.Equal([3L, 4L, 5L, 6L], Seqs(caughtUp));
        Assert.True(caughtUp["has_more"]!.GetValue<bool>());
        var rest = await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages?limit=4&after_seq=6", a)
        ).AssertStatus(200);
        Assert.Equal([7L], Seqs(rest));
        Assert.False(rest["has_more"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Read_positions_never_move_backwards_and_unread_counts_follow_them()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        for (var i = 0; i < 5; i++)
            await fx.SendAsync(a, c, $"note {i}");
        var counts = await (await fx.Client.Get("/api/v1/messages/unread-count", b)).AssertStatus(200);
        Assert.Equal(5, counts["total"]!.GetValue<long>());
        Assert.Equal(5, counts["by_kind"]!["direct"]!.GetValue<long>());
        Assert.Equal(0, counts["by_kind"]!["event_chat"]!.GetValue<long>());
        // The sender has read their own messages.
        Assert.Equal(
            0,
            (await (await fx.Client.Get("/api/v1/messages/unread-count", a)).AssertStatus(200))[
                "total"
            ]!.GetValue<long>()
        );

        var read = await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq = 3 }, b)).AssertStatus(
            200
        );
        Assert.Equal(3, read["read_seq"]!.GetValue<long>());
        Assert.Equal(2, read["unread_count"]!.GetValue<long>());
        var back = await (await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq = 1 }, b)).AssertStatus(
            200
        );
        Assert.Equal(3, back["read_seq"]!.GetValue<long>());
        var past = await (
            await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq = 1000 }, b)
        ).AssertStatus(200);
        Assert.Equal(5, past["read_seq"]!.GetValue<long>());
        Assert.Equal(0, past["unread_count"]!.GetValue<long>());
        // A read position at the end stays below new messages: they are unread.
        await fx.SendAsync(a, c, "one more");
        var conversation = await (await fx.Client.Get($"/api/v1/conversations/{c}", b)).AssertStatus(200);
        Assert.Equal(1, conversation["unread_count"]!.GetValue<long>());
        Assert.Equal(5, conversation["read_seq"]!.GetValue<long>());

        // Muted conversations leave the total, and come back when unmuted.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/conversations/{c}/mute", null, b)).AssertStatus(204);
        Assert.True(
            (await (await fx.Client.Get($"/api/v1/conversations/{c}", b)).AssertStatus(200))["muted"]!.GetValue<bool>()
        );
        Assert.Equal(
            0,
            (await (await fx.Client.Get("/api/v1/messages/unread-count", b)).AssertStatus(200))[
                "total"
            ]!.GetValue<long>()
        );
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/mute", null, b)).AssertStatus(
            204
        );
        Assert.Equal(
            1,
            (await (await fx.Client.Get("/api/v1/messages/unread-count", b)).AssertStatus(200))[
                "total"
            ]!.GetValue<long>()
        );
    }

    [Fact]
    public async Task Edits_keep_edited_at_and_are_refused_after_15_minutes_or_by_others()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var message = await fx.SendAsync(a, c, "Typo heer");
        var id = message["id"]!.GetValue<string>();
        var edited = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/conversations/{c}/messages/{id}",
                new { text = "Typo here" },
                a
            )
        ).AssertStatus(200);
        Assert.Equal("Typo here", edited["text"]!.GetValue<string>());
        Assert.NotNull(edited["edited_at"]);
        Assert.Equal(1, edited["seq"]!.GetValue<long>());
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/conversations/{c}/messages/{id}",
                new { text = "Mine now" },
                b
            )
        ).AssertProblem(403);
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/conversations/{c}/messages/{id}", new { text = "" }, a)
        ).AssertProblem(400);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/conversations/{c}/messages/{Guid.NewGuid()}",
                new { text = "x" },
                a
            )
        ).AssertProblem(404);

        fx.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/conversations/{c}/messages/{id}",
                new { text = "Too late" },
                fx.TokenFor(Guid.Parse(message["sender"]!["user_id"]!.GetValue<string>()))
            )
        ).AssertProblem(422);
    }

    [Fact]
    public async Task One_message_by_id_is_the_history_item_for_its_members_only_and_gone_once_deleted()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        var sent = await fx.SendAsync(a, c, "Just this one", "txn-one");
        var id = sent["id"]!.GetValue<string>();
        var other = await fx.SendAsync(b, c, "Another");

        // The same item the history shows each member: the sender's own client_txn_id, nobody else's.
        foreach (var token in new[] { a, b })
        {
            var history = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", token)).AssertStatus(200);
            var listed = history["items"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == id)!;
            var response = await fx.Client.Get($"/api/v1/conversations/{c}/messages/{id}", token);
            Assert.NotNull(response.Headers.ETag);
            var one = await response.AssertStatus(200);
            Assert.True(JsonNode.DeepEquals(listed, one), one.ToJsonString());
        }
        Assert.Equal(
            "txn-one",
            (await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{id}", a)).AssertStatus(200))[
                "client_txn_id"
            ]!.GetValue<string>()
        );

        // Someone outside the conversation, an unknown id, a message of another conversation: the same 404.
        var (_, stranger) = await fx.RegisteredAsync();
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{id}", stranger)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{Guid.NewGuid()}", a)).AssertProblem(404);
        var (_, _, _, d, elsewhere) = await fx.PairAsync();
        var foreign = (await fx.SendAsync(d, elsewhere, "Elsewhere"))["id"]!.GetValue<string>();
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{foreign}", a)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/not-a-uuid", a)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{id}")).AssertProblem(401);

        // Deleted: gone from this route, a tombstone in the history.
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/messages/{id}", null, a)
        ).AssertStatus(204);
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{id}", b)).AssertProblem(404);

        // A block: the blocked side no longer sees the direct conversation at all; the blocker still reads it.
        await fx.BlockAsync(aId, bId);
        var otherId = other["id"]!.GetValue<string>();
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{otherId}", b)).AssertProblem(404);
        Assert.Equal(
            "Another",
            (await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/{otherId}", a)).AssertStatus(200))[
                "text"
            ]!.GetValue<string>()
        );
    }

    [Fact]
    public async Task In_a_thread_one_message_by_id_is_hidden_in_place_across_a_block_as_in_the_history()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (aId, a) = await fx.RegisteredAsync();
        var (bId, b) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Readers", aId, bId);
        var thread = await fx.ThreadAsync(owner, groupId, "Books", "What are you reading?");
        var message = (await fx.SendAsync(b, thread, "Dune"))["id"]!.GetValue<string>();
        await fx.BlockAsync(aId, bId);

        var hidden = await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages/{message}", a)).AssertStatus(
            200
        );
        Assert.True(hidden["hidden"]!.GetValue<bool>());
        Assert.Null(hidden["text"]);
        var whole = await (
            await fx.Client.Get($"/api/v1/conversations/{thread}/messages/{message}", owner)
        ).AssertStatus(200);
        Assert.Equal("Dune", whole["text"]!.GetValue<string>());
        Assert.False(whole["hidden"]!.GetValue<bool>());
        // The group's members only.
        var (_, outsider) = await fx.RegisteredAsync();
        await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages/{message}", outsider)).AssertProblem(404);
    }

    [Fact]
    public async Task A_deleted_message_is_a_tombstone_that_keeps_its_seq()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var message = await fx.SendAsync(a, c, "Regret");
        await fx.SendAsync(b, c, "After");
        var id = message["id"]!.GetValue<string>();
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/messages/{id}", null, b)
        ).AssertProblem(403);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/messages/{id}", null, a)
        ).AssertStatus(204);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/messages/{id}", null, a)
        ).AssertStatus(204);
        var history = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", b)).AssertStatus(200);
        var tombstone = history["items"]![0]!;
        Assert.Equal(1, tombstone["seq"]!.GetValue<long>());
        Assert.Null(tombstone["text"]);
        Assert.NotNull(tombstone["deleted_at"]);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/conversations/{c}/messages/{id}",
                new { text = "Back" },
                a
            )
        ).AssertProblem(409);
        Assert.Empty(
            (await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/search?q=regret", a)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );
    }

    [Fact]
    public async Task Search_finds_words_in_the_conversation_only()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var (_, x, _, _, other) = await fx.PairAsync();
        await fx.SendAsync(a, c, "Shall we go hiking on Friday?");
        await fx.SendAsync(b, c, "Friday works, the desert trail");
        await fx.SendAsync(a, c, "Bring water");
        await fx.SendAsync(x, other, "Friday in another conversation");
        var found = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/search?q=friday", a)).AssertStatus(
            200
        );
        Assert.Equal([2L, 1L], Seqs(found));
        var phrase = await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages/search?q=%22desert%20trail%22", b)
        ).AssertStatus(200);
        Assert.Equal([2L], Seqs(phrase));
        var paged = await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages/search?q=friday&limit=1", a)
        ).AssertStatus(200);
        Assert.True(paged["has_more"]!.GetValue<bool>());
        var before = await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages/search?q=friday&before_seq=2", a)
        ).AssertStatus(200);
        Assert.Equal([1L], Seqs(before));
        await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/search", a)).AssertProblem(400);
        await (
            await fx.Client.Get($"/api/v1/conversations/{c}/messages/search?q={new string('q', 201)}", a)
        ).AssertProblem(400);
        Assert.Empty(
            (
                await (await fx.Client.Get($"/api/v1/conversations/{c}/messages/search?q=%26%7C%21", a)).AssertStatus(
                    200
                )
            )["items"]!.AsArray()
        );
    }

    [Fact]
    public async Task The_list_is_newest_activity_first_and_pages_by_cursor()
    {
        var (meId, me) = await fx.RegisteredAsync();
        var conversations = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (otherId, _) = await fx.RegisteredAsync();
            await fx.ConnectAsync(meId, otherId);
            conversations.Add(
                (
                    await (
                        await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = otherId }, me)
                    ).AssertStatus(201)
                )["id"]!.GetValue<string>()
            );
            fx.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        // A message moves the first conversation to the top.
        await fx.SendAsync(me, conversations[0], "bump");
        var first = await (await fx.Client.Get("/api/v1/conversations?limit=2", me)).AssertStatus(200);
        Assert.Equal(
            [conversations[0], conversations[2]],
            first["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>())
        );
        var second = await (
            await fx.Client.Get($"/api/v1/conversations?limit=2&cursor={first["next_cursor"]!.GetValue<string>()}", me)
        ).AssertStatus(200);
        Assert.Equal([conversations[1]], second["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Null(second["next_cursor"]);
    }

    [Fact]
    public async Task The_list_keeps_to_one_kind_when_asked()
    {
        var (meId, me) = await fx.RegisteredAsync();
        var (otherId, _) = await fx.RegisteredAsync();
        await fx.ConnectAsync(meId, otherId);
        var direct = (
            await (
                await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = otherId }, me)
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();
        fx.Clock.Advance(TimeSpan.FromSeconds(1));
        // A thread's newer activity comes first in the whole list, and not at all in the direct ones.
        var thread = await fx.ThreadAsync(me, await fx.GroupAsync(meId, "Readers"), "Books", "What next?");

        async Task<string[]> IdsAsync(string query) =>
            [
                .. (await (await fx.Client.Get("/api/v1/conversations" + query, me)).AssertStatus(200))["items"]!
                    .AsArray()
                    .Select(i => i!["id"]!.GetValue<string>()),
            ];
        Assert.Equal([thread, direct], await IdsAsync(""));
        Assert.Equal([direct], await IdsAsync("?kind=direct"));
        Assert.Equal([thread], await IdsAsync("?kind=Thread"));
        Assert.Empty(await IdsAsync("?kind=event_chat"));
        var refused = await (await fx.Client.Get("/api/v1/conversations?kind=group", me)).AssertProblem(400);
        Assert.NotNull(refused["errors"]!["kind"]);
    }

    [Fact]
    public async Task Operations_document_their_problems_and_need_a_token()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var send = document["paths"]!["/api/v1/conversations/{id}/messages"]!["post"]!["responses"]!
            .AsObject()
            .Select(r => r.Key)
            .ToHashSet();
        Assert.Superset(new HashSet<string> { "200", "201", "400", "401", "403", "404", "409", "422" }, send);
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
            Assert.True(operation!["security"] is not null, $"{method} {path} does not require a token");
        await (await fx.Client.Get("/api/v1/conversations")).AssertStatus(401);
    }

    private static long[] Seqs(JsonNode page) =>
        page["items"]!.AsArray().Select(m => m!["seq"]!.GetValue<long>()).ToArray();
}
