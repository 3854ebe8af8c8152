namespace Community.Messaging.Tests;

public sealed class IdempotencyKeyTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    [Fact]
    public void The_gateway_retries_keyed_posts_on_exactly_the_paths_whose_key_this_service_honours() =>
        Assert.Equal(
            KeyedPosts.ByService[ResourceNames.Messaging].Order(StringComparer.Ordinal),
            CreateEndpoints.HonouringKey(fx.Host.Services)
        );

    [Fact]
    public void Every_signed_in_create_honours_the_key() =>
        Assert.Empty(CreateEndpoints.NotHonouringIdempotencyKey(fx.Host.Services));

    [Fact]
    public async Task Every_replayed_create_documents_the_409_and_422_its_key_can_answer()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var replayed = CreateEndpoints.Replayed(fx.Host.Services);
        Assert.Contains("StartDirectConversation", replayed);
        Assert.Contains("CreateThread", replayed);
        Assert.Empty(CreateEndpoints.KeyAnswersNotDocumented(fx.Host.Services, document));
    }

    [Fact]
    public async Task Starting_a_thread_twice_with_one_key_creates_one_thread_and_replays_the_answer()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "public"));
        var body = new
        {
            group_id = groupId,
            title = "Once",
            text = "First message",
            tags = Array.Empty<string>(),
        };

        var first = await fx.Client.PostJsonWithKey("/api/v1/threads", body, owner, "thread-once");
        var again = await fx.Client.PostJsonWithKey("/api/v1/threads", body, owner, "thread-once");

        var created = await first.AssertStatus(201);
        Assert.Equal(created.ToJsonString(), (await again.AssertStatus(201)).ToJsonString());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM threads WHERE group_id = @id", ("id", groupId))
        );
    }

    [Fact]
    public async Task A_thread_carries_an_etag_and_a_stale_if_match_changes_nothing()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "public"));
        var created = await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = groupId,
                    title = "Tagged",
                    text = "Hi",
                },
                owner
            )
        ).AssertStatus(201);
        var url = $"/api/v1/threads/{created["id"]}";
        await EntityTags.AssertIfMatchHonouredAsync(
            fx.Client,
            url,
            HttpMethod.Patch,
            url,
            "{\"title\": \"First\"}",
            owner,
            otherBody: "{\"title\": \"Second\"}"
        );
    }

    [Fact]
    public async Task A_message_carries_an_etag_from_its_send_and_a_stale_if_match_leaves_its_text()
    {
        var (_, a, _, _, conversation) = await fx.PairAsync();
        var sent = await fx.Client.PostJson(
            $"/api/v1/conversations/{conversation}/messages",
            new { text = "first", client_txn_id = "etag" },
            a
        );
        var message = await sent.AssertStatus(201);
        var tag = sent.Headers.ETag ?? throw new Xunit.Sdk.XunitException("The send answered no ETag.");
        var url = $"/api/v1/conversations/{conversation}/messages/{message["id"]}";
        // The tag the send answers is the message's as read, and a retry of the send answers it too.
        Assert.Equal(tag, (await fx.Client.Get(url, a)).Headers.ETag);
        var retried = await fx.Client.PostJson(
            $"/api/v1/conversations/{conversation}/messages",
            new { text = "first", client_txn_id = "etag" },
            a
        );
        await retried.AssertStatus(200);
        Assert.Equal(tag, retried.Headers.ETag);

        await (await fx.Client.SendIfMatch(HttpMethod.Patch, url, "{\"text\": \"stale\"}", a, "\"1\"")).AssertProblem(
            412
        );
        var history = await (
            await fx.Client.Get($"/api/v1/conversations/{conversation}/messages?after_seq=0", a)
        ).AssertStatus(200);
        Assert.Equal("first", history["items"]![0]!["text"]!.GetValue<string>());

        var edited = await fx.Client.SendIfMatch(HttpMethod.Patch, url, "{\"text\": \"second\"}", a, tag.Tag);
        Assert.Equal("second", (await edited.AssertStatus(200))["text"]!.GetValue<string>());
        Assert.NotEqual(tag, edited.Headers.ETag);
        await (await fx.Client.SendIfMatch(HttpMethod.Patch, url, "{\"text\": \"third\"}", a, tag.Tag)).AssertProblem(
            412
        );
        await (
            await fx.Client.SendIfMatch(HttpMethod.Patch, url, "{\"text\": \"third\"}", a, edited.Headers.ETag!.Tag)
        ).AssertStatus(200);
    }

    [Fact]
    public async Task An_if_match_tells_whoever_may_not_edit_a_message_or_thread_no_more_than_without_it()
    {
        var (_, a, _, b, conversation) = await fx.PairAsync();
        var message = (await fx.SendAsync(a, conversation, "ours"))["id"]!.GetValue<string>();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Hikers", memberId);
        var thread = await fx.ThreadAsync(owner, groupId, "Members only", "Hi");
        var (_, stranger) = await fx.RegisteredAsync();
        var messageUrl = $"/api/v1/conversations/{conversation}/messages/{message}";
        var threadUrl = $"/api/v1/threads/{thread}";

        // A stale tag is a 412 only for whoever may edit; the rest hear what they hear without one, and it changes
        // nothing.
        foreach (var ifMatch in new string?[] { null, "\"1\"" })
        {
            await (
                await fx.Client.SendIfMatch(HttpMethod.Patch, messageUrl, "{\"text\": \"mine\"}", stranger, ifMatch)
            ).AssertProblem(404);
            await (
                await fx.Client.SendIfMatch(HttpMethod.Patch, messageUrl, "{\"text\": \"mine\"}", b, ifMatch)
            ).AssertProblem(403);
            await (
                await fx.Client.SendIfMatch(HttpMethod.Patch, threadUrl, "{\"title\": \"Mine\"}", stranger, ifMatch)
            ).AssertProblem(404);
            await (
                await fx.Client.SendIfMatch(HttpMethod.Patch, threadUrl, "{\"title\": \"Mine\"}", member, ifMatch)
            ).AssertProblem(403);
        }
        var history = await (
            await fx.Client.Get($"/api/v1/conversations/{conversation}/messages?after_seq=0", a)
        ).AssertStatus(200);
        Assert.Equal("ours", history["items"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(
            "Members only",
            (await (await fx.Client.Get(threadUrl, owner)).AssertStatus(200))["title"]!.GetValue<string>()
        );
    }
}
