using System.Net;

namespace Community.Messaging.Tests;

/// <summary>Blocks close a direct conversation and hide it from the blocked side; nobody outside a conversation reaches
/// it by any route.</summary>
public sealed class AuthorizationSweepTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    [Fact]
    public async Task A_block_closes_sending_and_hides_the_conversation_from_the_blocked_side()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        var message = await fx.SendAsync(b, c, "Hello");
        await fx.BlockAsync(aId, bId);

        // The blocked side: gone from the list, the counts and every route.
        Assert.Empty((await (await fx.Client.Get("/api/v1/conversations", b)).AssertStatus(200))["items"]!.AsArray());
        await (await fx.Client.Get($"/api/v1/conversations/{c}", b)).AssertProblem(404);
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new { text = "Hey?", client_txn_id = "after-block" },
                b
            )
        ).AssertProblem(404);
        // Even a retry of a message sent before: the conversation is not theirs to see any more.
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new { text = "Hello", client_txn_id = message["client_txn_id"]!.GetValue<string>() },
                b
            )
        ).AssertProblem(404);
        // Starting over is refused, as for an account that is gone: the block is not told.
        var refused = await (
            await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = aId }, b)
        ).AssertProblem(404);
        var gone = await (
            await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = Guid.NewGuid() }, b)
        ).AssertProblem(404);
        Assert.Equal(gone["detail"]!.GetValue<string>(), refused["detail"]!.GetValue<string>());

        // The blocker still sees it, closed for sending.
        var seen = await (await fx.Client.Get($"/api/v1/conversations/{c}", a)).AssertStatus(200);
        Assert.False(seen["can_send"]!.GetValue<bool>());
        Assert.Equal(1, seen["unread_count"]!.GetValue<long>());
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new { text = "Bye", client_txn_id = "blocker" },
                a
            )
        ).AssertProblem(403);
        await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = bId }, a)).AssertProblem(422);
        await (await fx.UploadAsync(a, c, Images.Png())).AssertProblem(403);

        // Lifted: visible again, but sending needs a connection again (the block ended it in social).
        await fx.DisconnectAsync(aId, bId);
        await fx.DeliverAsync(new Contracts.Social.UserUnblocked(Guid.NewGuid(), fx.Tick(), aId, bId));
        await (await fx.Client.Get($"/api/v1/conversations/{c}", b)).AssertStatus(200);
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new { text = "Again?", client_txn_id = "unblocked" },
                b
            )
        ).AssertProblem(422);
        await fx.ConnectAsync(aId, bId);
        await fx.SendAsync(b, c, "Again!");
    }

    [Fact]
    public async Task Only_connections_may_start_a_conversation()
    {
        var (aId, a) = await fx.RegisteredAsync();
        var (bId, _) = await fx.RegisteredAsync();
        await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = bId }, a)).AssertProblem(422);
        await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = aId }, a)).AssertProblem(422);
        await (
            await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = Guid.NewGuid() }, a)
        ).AssertProblem(404);
        // A removed connection closes sending but keeps the history.
        await fx.ConnectAsync(aId, bId);
        var c = (
            await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = bId }, a)).AssertStatus(201)
        )["id"]!.GetValue<string>();
        await fx.SendAsync(a, c, "Before");
        await fx.DisconnectAsync(bId, aId);
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new { text = "After", client_txn_id = "after" },
                a
            )
        ).AssertProblem(422);
        Assert.Single(
            (await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", a)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );
    }

    [Fact]
    public async Task Strangers_and_blocked_users_reach_nothing_of_others_conversations()
    {
        var (aId, a, _, b, c) = await fx.PairAsync();
        var message = (await fx.SendAsync(a, c, "Private"))["id"]!.GetValue<string>();
        var upload = await (await fx.UploadAsync(a, c, Images.Png(), "p.png", "image/png")).AssertStatus(201);
        var attachment = upload["id"]!.GetValue<string>();
        await fx.SendAsync(b, c, "Reply");
        var (_, stranger) = await fx.RegisteredAsync();
        var (blockedId, blocked) = await fx.RegisteredAsync();
        await fx.ConnectAsync(aId, blockedId);
        await fx.BlockAsync(aId, blockedId);

        foreach (var intruder in new[] { stranger, blocked })
        {
            foreach (var (method, url, body) in Routes(c, message, attachment))
            {
                using var response = await fx.Client.SendJson(method, url, body, intruder);
                Assert.True(
                    response.StatusCode == HttpStatusCode.NotFound,
                    $"{method} {url}: {(int)response.StatusCode}"
                );
            }
            using (var upload2 = await fx.UploadAsync(intruder, c, Images.Png(), "x.png", "image/png"))
                Assert.Equal(HttpStatusCode.NotFound, upload2.StatusCode);
            Assert.Empty(
                (await (await fx.Client.Get("/api/v1/conversations", intruder)).AssertStatus(200))["items"]!.AsArray()
            );
            Assert.Equal(
                0,
                (await (await fx.Client.Get("/api/v1/messages/unread-count", intruder)).AssertStatus(200))[
                    "total"
                ]!.GetValue<long>()
            );
        }
        // Nothing changed: two messages, the first not deleted, read positions and mute as they were.
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM messages WHERE conversation_id = @c AND deleted_at IS NULL",
                ("c", Guid.Parse(c))
            )
        );
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM conversation_members WHERE conversation_id = @c AND NOT muted",
                ("c", Guid.Parse(c))
            )
        );
        Assert.Equal(
            "Private",
            await fx.ScalarAsync<string>("SELECT text FROM messages WHERE id = @id", ("id", Guid.Parse(message)))
        );
        // An attachment no message carries yet is its uploader's alone, even within the conversation.
        await (await fx.Client.Get($"/api/v1/conversations/{c}/attachments/{attachment}/content", b)).AssertProblem(
            404
        );
        using var own = await fx.Client.Get($"/api/v1/conversations/{c}/attachments/{attachment}/content", a);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    private static IEnumerable<(HttpMethod, string, object?)> Routes(string c, string message, string attachment) =>
        [
            (HttpMethod.Get, $"/api/v1/conversations/{c}", null),
            (HttpMethod.Get, $"/api/v1/conversations/{c}/messages", null),
            (HttpMethod.Get, $"/api/v1/conversations/{c}/messages?after_seq=0", null),
            (
                HttpMethod.Post,
                $"/api/v1/conversations/{c}/messages",
                new { text = "Intrusion", client_txn_id = Guid.NewGuid().ToString("N") }
            ),
            (HttpMethod.Get, $"/api/v1/conversations/{c}/messages/search?q=private", null),
            (HttpMethod.Patch, $"/api/v1/conversations/{c}/messages/{message}", new { text = "Hacked" }),
            (HttpMethod.Delete, $"/api/v1/conversations/{c}/messages/{message}", null),
            (HttpMethod.Post, $"/api/v1/conversations/{c}/read", new { seq = 1 }),
            (HttpMethod.Put, $"/api/v1/conversations/{c}/mute", null),
            (HttpMethod.Delete, $"/api/v1/conversations/{c}/mute", null),
            (HttpMethod.Get, $"/api/v1/conversations/{c}/attachments/{attachment}/content", null),
        ];
}
