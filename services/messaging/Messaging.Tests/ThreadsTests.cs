using Community.Contracts.Messaging;

namespace Community.Messaging.Tests;

/// <summary>Threads in groups: made with their first message, listed pinned first, edited, pinned and deleted by the
/// right people, searched.</summary>
public sealed class ThreadsTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    /// <summary>A group as social announces it: an owner, a moderator, two plain members, and a registered person
    /// outside it.</summary>
    private sealed record Crew(
        Guid GroupId,
        string Owner,
        string Mod,
        Guid MemberId,
        string Member,
        string Other,
        string Outsider,
        Guid ModId
    );

    private async Task<Crew> GroupAsync(string visibility = "public")
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, mod) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var (otherId, other) = await fx.RegisteredAsync();
        var (_, outsider) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", visibility));
        foreach (var id in new[] { modId, memberId, otherId })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, id));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        return new(groupId, owner, mod, memberId, member, other, outsider, modId);
    }

    private async Task<JsonNode> CreateAsync(
        string token,
        Guid groupId,
        string title,
        string text = "First message",
        string[]? tags = null
    )
    {
        fx.Tick();
        return await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = groupId,
                    title,
                    text,
                    tags = tags ?? [],
                },
                token
            )
        ).AssertStatus(201);
    }

    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    /// <summary>How many <see cref="ThreadDeleted"/> the thread's deletions wrote to the outbox.</summary>
    private Task<long> DeletionsAnnouncedAsync(string threadId) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ThreadDeleted)},%' "
                + "AND payload->>'threadId' = @id",
            ("id", threadId)
        );

    private async Task<string[]> TitlesAsync(string token, Guid groupId) =>
        (await (await fx.Client.Get($"/api/v1/threads?group_id={groupId}", token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(t => t!["title"]!.GetValue<string>())
            .ToArray();

    [Fact]
    public async Task A_member_starts_a_thread_with_its_first_message_and_members_reply_in_its_conversation()
    {
        var crew = await GroupAsync();
        var thread = await CreateAsync(
            crew.Member,
            crew.GroupId,
            "  Saturday hike  ",
            "Who is in for Hatta on Saturday?",
            ["Hiking", "weekend", "hiking"]
        );
        var id = Id(thread);
        Assert.Equal("Saturday hike", thread["title"]!.GetValue<string>());
        Assert.Equal(["hiking", "weekend"], thread["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(crew.MemberId.ToString(), thread["author"]!["user_id"]!.GetValue<string>());
        Assert.StartsWith("User u", thread["author"]!["display_name"]!.GetValue<string>());
        Assert.Equal(1, thread["message_count"]!.GetValue<long>());
        Assert.False(thread["pinned"]!.GetValue<bool>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(NewThread)},%' "
                    + "AND payload->>'threadId' = @id AND payload->>'title' = 'Saturday hike'",
                ("id", id)
            )
        );

        // The thread is a conversation: its first message is there, and members send and reply as anywhere else.
        var history = await (await fx.Client.Get($"/api/v1/conversations/{id}/messages", crew.Owner)).AssertStatus(200);
        var first = Assert.Single(history["items"]!.AsArray())!;
        Assert.Equal("Who is in for Hatta on Saturday?", first["text"]!.GetValue<string>());
        var reply = await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{id}/messages",
                new
                {
                    text = "Me!",
                    reply_to = Id(first),
                    client_txn_id = Guid.NewGuid().ToString("N"),
                },
                crew.Other
            )
        ).AssertStatus(201);
        await fx.SendAsync(crew.Mod, id, "Not a reply");
        var secondReply = await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{id}/messages",
                new
                {
                    text = "Me too",
                    reply_to = Id(first),
                    client_txn_id = Guid.NewGuid().ToString("N"),
                },
                crew.Owner
            )
        ).AssertStatus(201);

        var replies = await (
            await fx.Client.Get($"/api/v1/threads/{id}/messages/{Id(first)}/replies", crew.Member)
        ).AssertStatus(200);
        Assert.Equal([Id(reply), Id(secondReply)], replies["items"]!.AsArray().Select(m => Id(m!)));
        // Paged oldest first.
        var page = await (
            await fx.Client.Get($"/api/v1/threads/{id}/messages/{Id(first)}/replies?limit=1", crew.Member)
        ).AssertStatus(200);
        Assert.Equal(Id(reply), Id(page["items"]![0]!));
        var cursor = page["next_cursor"]!.GetValue<string>();
        var rest = await (
            await fx.Client.Get(
                $"/api/v1/threads/{id}/messages/{Id(first)}/replies?limit=1&cursor={cursor}",
                crew.Member
            )
        ).AssertStatus(200);
        Assert.Equal(Id(secondReply), Id(Assert.Single(rest["items"]!.AsArray())!));
        Assert.Null(rest["next_cursor"]);
        // A message of another conversation, or none: 404.
        await (
            await fx.Client.Get($"/api/v1/threads/{id}/messages/{Guid.NewGuid()}/replies", crew.Member)
        ).AssertProblem(404);

        var got = await (await fx.Client.Get($"/api/v1/threads/{id}", crew.Other)).AssertStatus(200);
        Assert.Equal(4, got["message_count"]!.GetValue<long>());
        Assert.Equal(4, got["last_seq"]!.GetValue<long>());
        Assert.True(
            got["last_activity_at"]!.GetValue<DateTimeOffset>()
                >= thread["last_activity_at"]!.GetValue<DateTimeOffset>()
        );
        // The author's conversation list has it (they wrote in it).
        Assert.Contains(
            (await (await fx.Client.Get("/api/v1/conversations", crew.Member)).AssertStatus(200))["items"]!.AsArray(),
            c => Id(c!) == id
        );
    }

    [Fact]
    public async Task Pinned_threads_come_first_then_the_newest_activity_and_only_moderators_pin()
    {
        var crew = await GroupAsync();
        var one = Id(await CreateAsync(crew.Member, crew.GroupId, "one"));
        var two = Id(await CreateAsync(crew.Member, crew.GroupId, "two"));
        await CreateAsync(crew.Other, crew.GroupId, "three");
        Assert.Equal(["three", "two", "one"], await TitlesAsync(crew.Member, crew.GroupId));

        // The author, a plain member, may not pin; nor may another member.
        await (await fx.Client.PostJson($"/api/v1/threads/{one}/pin", new { }, crew.Member)).AssertProblem(403);
        await (await fx.Client.PostJson($"/api/v1/threads/{one}/pin", new { }, crew.Other)).AssertProblem(403);
        var pinned = await (await fx.Client.PostJson($"/api/v1/threads/{one}/pin", new { }, crew.Mod)).AssertStatus(
            200
        );
        Assert.True(pinned["pinned"]!.GetValue<bool>());
        fx.Tick();
        // Idempotent: pinning again (the owner now) keeps the first pin.
        var again = await (await fx.Client.PostJson($"/api/v1/threads/{one}/pin", new { }, crew.Owner)).AssertStatus(
            200
        );
        Assert.Equal(pinned["pinned_at"]!.GetValue<DateTimeOffset>(), again["pinned_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(["one", "three", "two"], await TitlesAsync(crew.Member, crew.GroupId));

        // Activity moves a thread up among the unpinned.
        fx.Tick();
        await fx.SendAsync(crew.Other, two, "Bump");
        Assert.Equal(["one", "two", "three"], await TitlesAsync(crew.Member, crew.GroupId));

        // The keyset cursor walks the same order a row at a time.
        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (
                await fx.Client.Get(
                    $"/api/v1/threads?group_id={crew.GroupId}&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"),
                    crew.Other
                )
            ).AssertStatus(200);
            walked.AddRange(page["items"]!.AsArray().Select(t => t!["title"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(["one", "two", "three"], walked);

        await (await fx.Client.PostJson($"/api/v1/threads/{one}/unpin", new { }, crew.Member)).AssertProblem(403);
        Assert.False(
            (await (await fx.Client.PostJson($"/api/v1/threads/{one}/unpin", new { }, crew.Owner)).AssertStatus(200))[
                "pinned"
            ]!.GetValue<bool>()
        );
        await (await fx.Client.PostJson($"/api/v1/threads/{one}/unpin", new { }, crew.Mod)).AssertStatus(200);
        Assert.Equal(["two", "three", "one"], await TitlesAsync(crew.Member, crew.GroupId));
    }

    [Fact]
    public async Task The_owner_of_a_new_group_pins_unpins_and_deletes_others_messages_and_a_member_may_not()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var (otherId, other) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        // As social announces a new group: the owner's GroupMemberJoined first, GroupCreated at the same instant.
        var created = fx.Tick();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), created, groupId, ownerId));
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), created, groupId, ownerId, "New circle", "public"));
        foreach (var id in new[] { memberId, otherId })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, id));

        var thread = Id(await CreateAsync(member, groupId, "Owner moderates"));
        var message = Id(await fx.SendAsync(other, thread, "Spam"));
        var mine = Id(await fx.SendAsync(member, thread, "Mine"));

        // A plain member may neither pin nor delete another's message.
        await (await fx.Client.PostJson($"/api/v1/threads/{thread}/pin", new { }, member)).AssertProblem(403);
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{thread}/messages/{message}",
                null,
                member
            )
        ).AssertProblem(403);

        var pinned = await (await fx.Client.PostJson($"/api/v1/threads/{thread}/pin", new { }, owner)).AssertStatus(
            200
        );
        Assert.True(pinned["pinned"]!.GetValue<bool>());
        await (await fx.Client.PostJson($"/api/v1/threads/{thread}/unpin", new { }, member)).AssertProblem(403);
        var unpinned = await (await fx.Client.PostJson($"/api/v1/threads/{thread}/unpin", new { }, owner)).AssertStatus(
            200
        );
        Assert.False(unpinned["pinned"]!.GetValue<bool>());
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{thread}/messages/{message}",
                null,
                owner
            )
        ).AssertStatus(204);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{thread}/messages/{mine}", null, owner)
        ).AssertStatus(204);

        var history = await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages", member)).AssertStatus(200);
        var deleted = history["items"]!.AsArray().Where(m => m!["deleted_at"] is not null).Select(m => Id(m!));
        Assert.Equal([message, mine], deleted);
    }

    // An edit reads the thread under its row's lock, so of two edits the later commit carries the later time and
    // finds what the first wrote: a title the other edit already gave it is no rename to announce.
    [Fact]
    public async Task An_edit_reads_the_thread_under_its_lock_and_announces_only_a_title_it_changed()
    {
        var crew = await GroupAsync();
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "Old title"));
        var edited = await fx.CommitsWhileWaitedOnAsync(
            "UPDATE threads SET title = 'Same title' WHERE id = @id",
            () => fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/threads/{id}", new { title = "Same title" }, crew.Mod),
            "the edit never waited for the thread's row",
            ("id", Guid.Parse(id))
        );
        Assert.Equal("Same title", (await edited.AssertStatus(200))["title"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ThreadRenamed)},%' "
                    + "AND payload->>'threadId' = @id",
                ("id", id)
            )
        );
    }

    [Fact]
    public async Task The_author_and_moderators_edit_a_thread_by_merge_patch_and_other_members_may_not()
    {
        var crew = await GroupAsync();
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "Old title", tags: ["a", "b"]));
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/threads/{id}", new { title = "Hijack" }, crew.Other)
        ).AssertProblem(403);

        var edited = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/threads/{id}",
                new { title = "New title" },
                crew.Member
            )
        ).AssertStatus(200);
        Assert.Equal("New title", edited["title"]!.GetValue<string>());
        Assert.Equal(["a", "b"], edited["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.True(
            edited["updated_at"]!.GetValue<DateTimeOffset>() > edited["created_at"]!.GetValue<DateTimeOffset>()
        );

        // The new title is announced, for social's feed; a change of tags alone is not.
        async Task<long> RenamesAsync() =>
            await fx.ScalarAsync<long>(
                $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ThreadRenamed)},%' "
                    + "AND payload->>'threadId' = @id AND payload->>'title' = 'New title'",
                ("id", id)
            );
        Assert.Equal(1L, await RenamesAsync());

        var moderated = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/threads/{id}",
                new { tags = new[] { "Desert" } },
                crew.Mod
            )
        ).AssertStatus(200);
        Assert.Equal(1L, await RenamesAsync());
        Assert.Equal(["desert"], moderated["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("New title", moderated["title"]!.GetValue<string>());
        var cleared = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/threads/{id}",
                new JsonObject { ["tags"] = null },
                crew.Owner
            )
        ).AssertStatus(200);
        Assert.Empty(cleared["tags"]!.AsArray());

        // Refusals name their fields; nothing changes.
        var problem = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/threads/{id}",
                new JsonObject { ["title"] = null, ["tags"] = new JsonArray(new string('t', 33)) },
                crew.Member
            )
        ).AssertProblem(400);
        Assert.NotNull(problem["errors"]!["title"]);
        Assert.NotNull(problem["errors"]!["tags[0]"]);
        Assert.NotNull(
            (
                await (
                    await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/threads/{id}", new { text = "x" }, crew.Member)
                ).AssertProblem(400)
            )["errors"]!["text"]
        );
        Assert.NotNull(
            (
                await (
                    await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/threads/{id}", new { title = 5 }, crew.Member)
                ).AssertProblem(400)
            )["errors"]!["title"]
        );
        Assert.Contains(
            "U+0000",
            Messages(
                await (
                    await fx.Client.SendJson(
                        HttpMethod.Patch,
                        $"/api/v1/threads/{id}",
                        new { title = "a\0b" },
                        crew.Member
                    )
                ).AssertProblem(400)
            )
        );
        Assert.Equal(
            "New title",
            (await (await fx.Client.Get($"/api/v1/threads/{id}", crew.Other)).AssertStatus(200))[
                "title"
            ]!.GetValue<string>()
        );
    }

    [Fact]
    public async Task Creating_a_thread_checks_every_field()
    {
        var crew = await GroupAsync();
        var missing = await (await fx.Client.PostJson("/api/v1/threads", new { }, crew.Member)).AssertProblem(400);
        foreach (var field in new[] { "group_id", "title", "text" })
            Assert.NotNull(missing["errors"]![field]);

        var huge = await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = crew.GroupId,
                    title = new string('t', 201),
                    text = new string('x', 4001),
                    tags = Enumerable.Range(0, 11).Select(i => "tag" + i).Append("").ToArray(),
                },
                crew.Member
            )
        ).AssertProblem(400);
        Assert.NotNull(huge["errors"]!["title"]);
        Assert.NotNull(huge["errors"]!["text"]);
        Assert.NotNull(huge["errors"]!["tags"]);
        Assert.NotNull(huge["errors"]!["tags[11]"]);

        var nul = await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = crew.GroupId,
                    title = "Hi\0",
                    text = "There",
                },
                crew.Member
            )
        ).AssertProblem(400);
        Assert.Contains("U+0000", Messages(nul));
        await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = "not-an-id",
                    title = "Hi",
                    text = "There",
                },
                crew.Member
            )
        ).AssertProblem(400);
        await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = Guid.Empty,
                    title = "Hi",
                    text = "There",
                },
                crew.Member
            )
        ).AssertProblem(400);
        await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = crew.GroupId,
                    title = "Hi",
                    text = "There",
                    pinned = true,
                },
                crew.Member
            )
        ).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/threads", crew.Member)).AssertProblem(400);
        await (await fx.Client.Get($"/api/v1/threads?group_id={crew.GroupId}&cursor=bogus", crew.Member)).AssertProblem(
            400
        );
        await (await fx.Client.Get($"/api/v1/threads?group_id={crew.GroupId}&limit=0", crew.Member)).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/threads/search", crew.Member)).AssertProblem(400);
        await (await fx.Client.Get($"/api/v1/threads/search?q={new string('q', 201)}", crew.Member)).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/threads/not-an-id", crew.Member)).AssertProblem(404);
        // Nothing was made by any of these.
        Assert.Empty(await TitlesAsync(crew.Member, crew.GroupId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM threads WHERE group_id = @g", ("g", crew.GroupId))
        );
    }

    [Fact]
    public async Task A_deleted_thread_leaves_the_lists_and_its_messages_every_read_and_send()
    {
        var crew = await GroupAsync();
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "To be deleted"));
        var kept = Id(await CreateAsync(crew.Other, crew.GroupId, "Kept"));
        await fx.SendAsync(crew.Other, id, "a reply");
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{id}", null, crew.Other)).AssertProblem(
            403
        );
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{id}", null, crew.Member)).AssertStatus(
            204
        );

        Assert.Equal(["Kept"], await TitlesAsync(crew.Member, crew.GroupId));
        await (await fx.Client.Get($"/api/v1/threads/{id}", crew.Member)).AssertProblem(404);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{id}", null, crew.Member)).AssertProblem(
            404
        );
        await (await fx.Client.Get($"/api/v1/conversations/{id}/messages", crew.Other)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/conversations/{id}", crew.Other)).AssertProblem(404);
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{id}/messages",
                new { text = "still here?", client_txn_id = Guid.NewGuid().ToString("N") },
                crew.Owner
            )
        ).AssertProblem(404);
        Assert.DoesNotContain(
            (await (await fx.Client.Get("/api/v1/conversations", crew.Other)).AssertStatus(200))["items"]!.AsArray(),
            c => Id(c!) == id
        );
        Assert.Empty(
            (await (await fx.Client.Get("/api/v1/threads/search?q=deleted", crew.Member)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );
        Assert.True(
            await fx.ScalarAsync<bool>("SELECT closed FROM conversations WHERE id = @id", ("id", Guid.Parse(id)))
        );
        // Announced once, for the feed (the second DELETE was a 404 and announced nothing).
        Assert.Equal(1L, await DeletionsAnnouncedAsync(id));

        // A moderator deletes another member's thread.
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{kept}", null, crew.Mod)).AssertStatus(
            204
        );
        Assert.Empty(await TitlesAsync(crew.Member, crew.GroupId));
    }

    /// <summary>
    /// Two deletions of one thread at once (its author and a moderator, a double click): one deletes it and announces
    /// it once; the other, waiting for the thread's row, then finds it gone.
    /// </summary>
    [Fact]
    public async Task Two_deletions_of_a_thread_at_once_delete_it_once_and_the_second_finds_it_gone()
    {
        var crew = await GroupAsync();
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "Deleted twice at once"));
        await using var held = await HoldThreadAsync(id);
        var deletions = new[] { crew.Member, crew.Mod }
            .Select(token => fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{id}", null, token))
            .ToArray();
        await fx.WaitingOnALockAsync("%threads%", 2, "the deletions never both waited for the thread");
        await held.CommitAsync();

        var statuses = (await Task.WhenAll(deletions)).Select(r => (int)r.StatusCode).Order().ToArray();
        Assert.Equal([204, 404], statuses);
        Assert.Equal(1L, await DeletionsAnnouncedAsync(id));
    }

    /// <summary>
    /// A moderator demoted while their deletion waits for the thread's row is refused, and the thread stays: the role
    /// is read again under the lock, not taken from the check made before it.
    /// </summary>
    [Fact]
    public async Task A_moderator_demoted_while_their_deletion_waits_for_the_thread_is_refused()
    {
        var crew = await GroupAsync();
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "Kept by a demotion"));
        await using var held = await HoldThreadAsync(id);
        var deletion = fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{id}", null, crew.Mod);
        await fx.WaitingOnALockAsync("%threads%", 1, "the deletion never waited for the thread");
        await fx.DeliverAsync(
            new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), crew.GroupId, crew.ModId, "member")
        );
        await held.CommitAsync();

        await (await deletion).AssertProblem(403);
        Assert.Equal(0L, await DeletionsAnnouncedAsync(id));
        Assert.Contains("Kept by a demotion", await TitlesAsync(crew.Member, crew.GroupId));
    }

    /// <summary>
    /// The same for a pin: a moderator demoted while it waits is refused, and the thread stays unpinned.
    /// </summary>
    [Fact]
    public async Task A_moderator_demoted_while_their_pin_waits_for_the_thread_is_refused()
    {
        var crew = await GroupAsync();
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "Not pinned by a demoted moderator"));
        await using var held = await HoldThreadAsync(id);
        var pin = fx.Client.SendJson(HttpMethod.Post, $"/api/v1/threads/{id}/pin", null, crew.Mod);
        await fx.WaitingOnALockAsync("%threads%", 1, "the pin never waited for the thread");
        await fx.DeliverAsync(
            new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), crew.GroupId, crew.ModId, "member")
        );
        await held.CommitAsync();

        await (await pin).AssertProblem(403);
        Assert.Null(
            await fx.ScalarAsync<DateTime?>("SELECT pinned_at FROM threads WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    /// <summary>
    /// A thread's row held by a transaction of its own, as a change under way holds it, until committed.
    /// </summary>
    private Task<HeldTransaction> HoldThreadAsync(string threadId) =>
        fx.HoldAsync("SELECT 1 FROM threads WHERE id = @id FOR UPDATE", ("id", Guid.Parse(threadId)));

    [Fact]
    public async Task Search_finds_titles_and_messages_in_the_callers_groups_only()
    {
        var crew = await GroupAsync();
        var elsewhere = await GroupAsync("secret");
        var byTitle = Id(await CreateAsync(crew.Member, crew.GroupId, "Kayaking in Khor Kalba", "Mangroves by boat"));
        var byMessage = Id(await CreateAsync(crew.Other, crew.GroupId, "Weekend plans", "Anything goes"));
        var message = await fx.SendAsync(crew.Owner, byMessage, "We could go kayaking too");
        await CreateAsync(crew.Member, crew.GroupId, "Cooking club", "Bring spices");
        await CreateAsync(elsewhere.Member, elsewhere.GroupId, "Secret kayaking trip");

        var found = await (await fx.Client.Get("/api/v1/threads/search?q=kayaking", crew.Member)).AssertStatus(200);
        Assert.Equal([byMessage, byTitle], found["items"]!.AsArray().Select(t => Id(t!)));
        // The first message is searched too; one group only with group_id.
        Assert.Equal(
            [byTitle],
            (
                await (
                    await fx.Client.Get($"/api/v1/threads/search?q=mangroves&group_id={crew.GroupId}", crew.Member)
                ).AssertStatus(200)
            )["items"]!
                .AsArray()
                .Select(t => Id(t!))
        );
        // A deleted message no longer matches.
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{byMessage}/messages/{Id(message)}",
                null,
                crew.Owner
            )
        ).AssertStatus(204);
        Assert.Equal(
            [byTitle],
            (await (await fx.Client.Get("/api/v1/threads/search?q=kayaking", crew.Member)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(t => Id(t!))
        );
        // The secret group's member finds only their own group's thread; outsiders find nothing and may not name the
        // group.
        Assert.Equal(
            ["Secret kayaking trip"],
            (await (await fx.Client.Get("/api/v1/threads/search?q=kayaking", elsewhere.Member)).AssertStatus(200))[
                "items"
            ]!
                .AsArray()
                .Select(t => t!["title"]!.GetValue<string>())
        );
        Assert.Empty(
            (await (await fx.Client.Get("/api/v1/threads/search?q=kayaking", crew.Outsider)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );
        await (
            await fx.Client.Get($"/api/v1/threads/search?q=kayaking&group_id={elsewhere.GroupId}", crew.Member)
        ).AssertProblem(404);
    }

    [Fact]
    public async Task Nobody_outside_a_secret_group_reaches_its_threads_by_any_route()
    {
        var crew = await GroupAsync("secret");
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "Members only", "Hush"));
        var first = Id(
            (await (await fx.Client.Get($"/api/v1/conversations/{id}/messages", crew.Member)).AssertStatus(200))[
                "items"
            ]![0]!
        );
        var (leaverId, leaver) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), crew.GroupId, leaverId));
        await (await fx.Client.Get($"/api/v1/threads/{id}", leaver)).AssertStatus(200);
        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), crew.GroupId, leaverId));

        foreach (var token in new[] { crew.Outsider, leaver })
        {
            // The same 404 as for a thread or group that does not exist: a secret group does not leak.
            var requests = new (HttpMethod Method, string Url, object? Body)[]
            {
                (
                    HttpMethod.Post,
                    "/api/v1/threads",
                    new
                    {
                        group_id = crew.GroupId,
                        title = "Let me in",
                        text = "Hi",
                    }
                ),
                (HttpMethod.Get, $"/api/v1/threads?group_id={crew.GroupId}", null),
                (HttpMethod.Get, $"/api/v1/threads/search?q=members&group_id={crew.GroupId}", null),
                (HttpMethod.Get, $"/api/v1/threads/{id}", null),
                (HttpMethod.Patch, $"/api/v1/threads/{id}", new { title = "Mine now" }),
                (HttpMethod.Delete, $"/api/v1/threads/{id}", null),
                (HttpMethod.Post, $"/api/v1/threads/{id}/pin", new { }),
                (HttpMethod.Post, $"/api/v1/threads/{id}/unpin", new { }),
                (HttpMethod.Get, $"/api/v1/threads/{id}/messages/{first}/replies", null),
                (HttpMethod.Get, $"/api/v1/conversations/{id}", null),
                (HttpMethod.Get, $"/api/v1/conversations/{id}/messages", null),
                (
                    HttpMethod.Post,
                    $"/api/v1/conversations/{id}/messages",
                    new { text = "Hi", client_txn_id = Guid.NewGuid().ToString("N") }
                ),
            };
            foreach (var (method, url, body) in requests)
            {
                var response =
                    method == HttpMethod.Get
                        ? await fx.Client.Get(url, token)
                        : await fx.Client.SendJson(method, url, body, token);
                Assert.True((int)response.StatusCode == 404, $"{method} {url} answered {(int)response.StatusCode}");
            }
            Assert.Empty(
                (await (await fx.Client.Get("/api/v1/threads/search?q=hush", token)).AssertStatus(200))[
                    "items"
                ]!.AsArray()
            );
            var unknown = await (await fx.Client.Get($"/api/v1/threads/{Guid.NewGuid()}", token)).AssertProblem(404);
            var hidden = await (await fx.Client.Get($"/api/v1/threads/{id}", token)).AssertProblem(404);
            Assert.Equal(unknown["detail"]?.ToJsonString(), hidden["detail"]?.ToJsonString());
        }
        // Without a token nothing answers.
        foreach (
            var url in new[]
            {
                $"/api/v1/threads?group_id={crew.GroupId}",
                $"/api/v1/threads/{id}",
                "/api/v1/threads/search?q=x",
            }
        )
            Assert.Equal(401, (int)(await fx.Client.Get(url)).StatusCode);
        // Untouched by all of it.
        var thread = await (await fx.Client.Get($"/api/v1/threads/{id}", crew.Member)).AssertStatus(200);
        Assert.Equal("Members only", thread["title"]!.GetValue<string>());
        Assert.Equal(1, thread["message_count"]!.GetValue<long>());
        Assert.Equal(["Members only"], await TitlesAsync(crew.Owner, crew.GroupId));
    }

    [Fact]
    public async Task The_groups_connected_members_get_new_thread_live()
    {
        var crew = await GroupAsync();
        var elsewhere = await GroupAsync();
        await using var member = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, crew.Other);
        await using var outsider = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, elsewhere.Member);
        var id = Id(await CreateAsync(crew.Member, crew.GroupId, "Live one"));
        var dto = (await member.WaitForAsync("new_thread")).Argument<JsonObject>(0);
        Assert.Equal(id, dto["id"]!.GetValue<string>());
        Assert.Equal("Live one", dto["title"]!.GetValue<string>());
        Assert.Equal(crew.GroupId.ToString(), dto["group_id"]!.GetValue<string>());

        // The other group's member gets their own group's thread, and only that one (it was pushed after the first).
        var theirs = Id(await CreateAsync(elsewhere.Owner, elsewhere.GroupId, "Theirs"));
        Assert.Equal(
            theirs,
            (await outsider.WaitForAsync("new_thread")).Argument<JsonObject>(0)["id"]!.GetValue<string>()
        );
        Assert.Single(outsider.ReceivedOf("new_thread"));
    }

    // A refused body's messages, in errors since binding failures are validation problems.
    private static string Messages(JsonNode problem) =>
        string.Join(" ", problem["errors"]!.AsObject().SelectMany(e => e.Value!.AsArray()).Select(m => (string?)m));
}
