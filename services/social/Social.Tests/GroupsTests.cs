using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;

namespace Community.Social.Tests;

public sealed class GroupsTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_group_is_created_found_edited_and_deleted_by_its_owner()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (_, other, _) = await fx.RegisteredAsync();
        var created = await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "  Fitness Buddies ",
                    description = "Morning runs",
                    category = "Sports",
                    tags = new[] { "Running", "outdoors", "running" },
                    region = "Dubai Marina",
                    interest = "Fitness",
                    image_url = "https://cdn.example/g.jpg",
                    color = "#3366FF",
                    visibility = "public",
                    join_policy = "open",
                },
                owner
            )
        ).AssertStatus(201);
        var id = created["id"]!.GetValue<string>();
        Assert.Equal("Fitness Buddies", created["name"]!.GetValue<string>());
        Assert.Equal("sports", created["category"]!.GetValue<string>());
        Assert.Equal(["running", "outdoors"], created["tags"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("fitness", created["interest"]!.GetValue<string>());
        Assert.Equal("#3366ff", created["color"]!.GetValue<string>());
        Assert.Equal(1, created["member_count"]!.GetValue<int>());
        Assert.Equal("owner", created["my_role"]!.GetValue<string>());
        Assert.Equal(ownerId.ToString(), created["owner"]!["user_id"]!.GetValue<string>());
        Assert.Equal(0L, created["price_cents"]!.GetValue<long>());
        Assert.Equal(1L, await OutboxAsync(nameof(GroupCreated), id));
        var announced = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    """
                    SELECT payload::text FROM outbox_messages WHERE type LIKE '%.GroupCreated,%'
                        AND payload->>'groupId' = @v
                    """,
                    ("v", id)
                )
            )!
        )!;
        Assert.Equal("Dubai Marina", announced["region"]!.GetValue<string>());
        Assert.Equal(
            ["fitness", "running", "outdoors"],
            announced["interests"]!.AsArray().Select(n => n!.GetValue<string>())
        );
        Assert.Equal(1L, await OutboxAsync(nameof(GroupMemberJoined), id));

        var seen = await (await fx.Client.Get($"/api/v1/groups/{id}", other)).AssertStatus(200);
        Assert.Equal("none", seen["membership_status"]!.GetValue<string>());
        Assert.Null(seen["my_role"]);

        // A merge patch: absent keeps, null clears; only owner and moderators.
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { name = "Taken over" }, other)
        ).AssertProblem(403);
        var patched = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}",
                new JsonObject { ["description"] = "Evening runs", ["color"] = null },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal("Fitness Buddies", patched["name"]!.GetValue<string>());
        Assert.Equal("Evening runs", patched["description"]!.GetValue<string>());
        Assert.Null(patched["color"]);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupUpdated,%' AND payload->>'groupId' = @id
                    AND payload->'changedFields' @> '["description","color"]'
                """,
                ("id", id)
            )
        );
        var unknown = await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { member_count = 99 }, owner)
        ).AssertProblem(400);
        Assert.NotNull(unknown["errors"]!["member_count"]);
        // What a create requires may be left out of a patch, not cleared.
        var cleared = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}",
                new JsonObject { ["name"] = null },
                owner
            )
        ).AssertProblem(400);
        Assert.NotNull(cleared["errors"]!["name"]);
        // Nor are its privacy and who may join: a null would read as a new group's defaults, public and open.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}",
                new { visibility = "private", join_policy = "request" },
                owner
            )
        ).AssertStatus(200);
        foreach (var field in new[] { "visibility", "join_policy" })
        {
            var refused = await (
                await fx.Client.SendJson(
                    HttpMethod.Patch,
                    $"/api/v1/groups/{id}",
                    new JsonObject { [field] = null },
                    owner
                )
            ).AssertProblem(400);
            Assert.NotNull(refused["errors"]![field]);
        }
        var kept = await (await fx.Client.Get($"/api/v1/groups/{id}", owner)).AssertStatus(200);
        Assert.Equal("private", kept["visibility"]!.GetValue<string>());
        Assert.Equal("request", kept["join_policy"]!.GetValue<string>());

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, other)).AssertProblem(403);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, owner)).AssertStatus(204);
        Assert.Equal(1L, await OutboxAsync(nameof(GroupDeleted), id));
        await (await fx.Client.Get($"/api/v1/groups/{id}", owner)).AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @id",
                ("id", Guid.Parse(id))
            )
        );
    }

    [Fact]
    public async Task Every_field_is_validated()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var bad = await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "ab",
                    description = new string('x', 2001),
                    category = new string('c', 41),
                    tags = Enumerable.Range(0, 11).Select(i => "t" + i).ToArray(),
                    region = new string('r', 101),
                    interest = new string('i', 41),
                    image_url = "ftp://example.com/x.png",
                    color = "blue",
                    visibility = "hidden",
                    join_policy = "anyone",
                    price_cents = -1,
                    currency = "euro",
                },
                me
            )
        ).AssertProblem(400);
        foreach (
            var field in new[]
            {
                "name",
                "description",
                "category",
                "tags",
                "region",
                "interest",
                "image_url",
                "color",
                "visibility",
                "join_policy",
                "price_cents",
                "currency",
            }
        )
            Assert.True(bad["errors"]![field] is not null, $"{field} was not refused");
        var missing = await (
            await fx.Client.PostJson("/api/v1/groups", new { description = "no name" }, me)
        ).AssertProblem(400);
        Assert.NotNull(missing["errors"]!["name"]);
        // Three zero-width spaces are three characters, and nothing to see.
        var invisible = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "\u200B\u200B\u200B" }, me)
        ).AssertProblem(400);
        Assert.Contains("visible", invisible["errors"]!["name"]![0]!.GetValue<string>());
        var noCurrency = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "Paid club", price_cents = 500 }, me)
        ).AssertProblem(400);
        Assert.NotNull(noCurrency["errors"]!["currency"]);
        // Three capital letters are not enough: the code must be a currency (the same rule as events and courses).
        var madeUp = await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "Paid club",
                    price_cents = 500,
                    currency = "XQZ",
                },
                me
            )
        ).AssertProblem(400);
        Assert.NotNull(madeUp["errors"]!["currency"]);
        var emptyTag = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "Tagged", tags = new[] { " " } }, me)
        ).AssertProblem(400);
        Assert.NotNull(emptyTag["errors"]!["tags"]);
        var unknown = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "Sneaky", owner_id = Guid.NewGuid() }, me)
        ).AssertProblem(400);
        Assert.NotNull(unknown["errors"]!["owner_id"]);

        var query = await (
            await fx.Client.Get(
                $"/api/v1/groups?page=0&limit=500&q={new string('q', 101)}&tag={new string('t', 31)}",
                me
            )
        ).AssertProblem(400);
        foreach (var field in new[] { "page", "limit", "q", "tag" })
            Assert.NotNull(query["errors"]![field]);
        var group = await GroupsFlow.CreateAsync(fx, me);
        var members = await (
            await fx.Client.Get($"/api/v1/groups/{group}/members?role=admin&cursor=zz", me)
        ).AssertProblem(400);
        Assert.NotNull(members["errors"]!["role"]);
        Assert.NotNull(members["errors"]!["cursor"]);
        var reason = await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { reason = new string('x', 501) }, me)
        ).AssertProblem(400);
        Assert.NotNull(reason["errors"]!["reason"]);
        var invite = await (await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { }, me)).AssertProblem(
            400
        );
        Assert.NotNull(invite["errors"]!["user_id"]);
        var (otherId, _, _) = await fx.RegisteredAsync();
        var role = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{otherId}",
                new { role = "admin" },
                me
            )
        ).AssertProblem(400);
        Assert.NotNull(role["errors"]!["role"]);
        await (await fx.Client.Get($"/api/v1/groups/{Guid.NewGuid()}", me)).AssertProblem(404);
    }

    [Fact]
    public async Task Every_explore_read_while_groups_are_created_has_the_total_of_its_items()
    {
        var owners = new List<string>();
        for (var i = 0; i < 4; i++)
            owners.Add((await fx.RegisteredAsync()).Token);
        var (_, viewer, _) = await fx.RegisteredAsync();
        var tag = "t" + Guid.NewGuid().ToString("N")[..8];
        var lockStep = new ReadsAmongWrites();
        var creating = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                // Every five creations, wait for a read that starts now: it falls between two, whatever the load.
                if (i > 0 && i % 5 == 0)
                    await lockStep.AwaitReadAsync();
                await GroupsFlow.CreateAsync(fx, owners[i % owners.Count], name: $"Walkers {i} {tag}", tags: [tag]);
            }
        });
        var totals = new HashSet<int>();
        await lockStep.ReadUntilAsync(
            creating,
            async () =>
            {
                // Every group fits the page: the total read with it is its count.
                var page = await (await fx.Client.Get($"/api/v1/groups?tag={tag}&limit=100", viewer)).AssertStatus(200);
                Assert.Equal(page["total"]!.GetValue<int>(), page["items"]!.AsArray().Count);
                totals.Add(page["total"]!.GetValue<int>());
            }
        );
        // The reads the creations waited for saw every fifth group listed.
        Assert.Superset(Enumerable.Range(1, 7).Select(n => 5 * n).ToHashSet(), totals);
    }

    [Fact]
    public async Task Explore_filters_and_pages_with_a_total_and_never_lists_secret_groups_to_outsiders()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var tag = "t" + Guid.NewGuid().ToString("N")[..8];
        var open = await GroupsFlow.CreateAsync(
            fx,
            owner,
            name: "Chess Club " + tag,
            tags: [tag],
            region: "Deira",
            category: "games",
            interest: "chess"
        );
        var closed = await GroupsFlow.CreateAsync(
            fx,
            owner,
            name: "Quiet Chess " + tag,
            tags: [tag],
            visibility: "private",
            region: "Deira"
        );
        var secret = await GroupsFlow.CreateAsync(
            fx,
            owner,
            name: "Hidden Chess " + tag,
            tags: [tag],
            visibility: "secret"
        );

        var all = await (await fx.Client.Get($"/api/v1/groups?tag={tag}", viewer)).AssertStatus(200);
        Assert.Equal(2, all["total"]!.GetValue<int>());
        Assert.Equal(
            new[] { open, closed }.Order(),
            all["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).Order()
        );
        var mine = await (await fx.Client.Get($"/api/v1/groups?tag={tag}", owner)).AssertStatus(200);
        Assert.Equal(3, mine["total"]!.GetValue<int>());
        await (await fx.Client.Get($"/api/v1/groups/{secret}", viewer)).AssertProblem(404);

        Assert.Equal(
            open,
            Single(await (await fx.Client.Get($"/api/v1/groups?tag={tag}&category=GAMES", viewer)).AssertStatus(200))
        );
        Assert.Equal(
            open,
            Single(await (await fx.Client.Get($"/api/v1/groups?tag={tag}&interest=chess", viewer)).AssertStatus(200))
        );
        Assert.Equal(
            closed,
            Single(await (await fx.Client.Get($"/api/v1/groups?q=quiet%20chess%20{tag}", viewer)).AssertStatus(200))
        );
        Assert.Equal(
            2,
            (await (await fx.Client.Get($"/api/v1/groups?tag={tag}&region=deira", viewer)).AssertStatus(200))[
                "total"
            ]!.GetValue<int>()
        );
        var first = await (await fx.Client.Get($"/api/v1/groups?tag={tag}&limit=1&page=2", viewer)).AssertStatus(200);
        Assert.Single(first["items"]!.AsArray());
        Assert.Equal(2, first["pages"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("İstanbul", "İSTANBUL")]
    [InlineData("Örebro", "örebro")]
    [InlineData("Москва", "МОСКВА")]
    public async Task A_region_filter_finds_its_own_stored_text_in_any_letters(string region, string otherCase)
    {
        // The database and .NET lower-case some letters differently (a dotted capital I): both sides are folded by
        // one of them, or a region finds nothing, not even itself.
        var (_, owner, _) = await fx.RegisteredAsync();
        var tag = "r" + Guid.NewGuid().ToString("N")[..8];
        var group = await GroupsFlow.CreateAsync(fx, owner, tags: [tag], region: region);
        foreach (var asked in new[] { region, otherCase })
            Assert.Equal(
                group,
                Single(
                    await (
                        await fx.Client.Get($"/api/v1/groups?tag={tag}&region={Uri.EscapeDataString(asked)}", owner)
                    ).AssertStatus(200)
                )
            );
    }

    [Fact]
    public async Task Explore_follows_next_cursor_through_the_same_pages_as_their_numbers()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, joiner, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var tag = "c" + Guid.NewGuid().ToString("N")[..8];
        var groups = new List<string>();
        for (var i = 0; i < 4; i++)
            groups.Add(await GroupsFlow.CreateAsync(fx, owner, name: $"Walkers {i} {tag}", tags: [tag]));
        // the most members first: the one joined leads, then the others by id
        await (await fx.Client.PostJson($"/api/v1/groups/{groups[2]}/join", new { }, joiner)).AssertStatus(201);

        async Task<JsonNode> Explore(string paging) =>
            await (await fx.Client.Get($"/api/v1/groups?tag={tag}&limit=1&{paging}", viewer)).AssertStatus(200);
        static string Id(JsonNode page) => Assert.Single(page["items"]!.AsArray())!["id"]!.GetValue<string>();
        var numbered = new List<string>();
        for (var page = 1; page <= 4; page++)
            numbered.Add(Id(await Explore($"page={page}")));
        Assert.Equal(groups[2], numbered[0]);
        Assert.Equal(groups.Order(), numbered.Order());

        var followed = new List<string>();
        var next = await Explore("page=1");
        var second = next["next_cursor"]!.GetValue<string>();
        followed.Add(Id(next));
        while (next["next_cursor"]?.GetValue<string>() is { } cursor)
        {
            next = await Explore($"cursor={Uri.EscapeDataString(cursor)}");
            followed.Add(Id(next));
            Assert.Equal(followed.Count, next["page"]!.GetValue<int>());
            Assert.Equal(4, next["total"]!.GetValue<int>());
        }
        Assert.Equal(numbered, followed);

        var both = await (
            await fx.Client.Get($"/api/v1/groups?tag={tag}&page=2&cursor={Uri.EscapeDataString(second)}", viewer)
        ).AssertProblem(400);
        Assert.NotNull(both["errors"]!["cursor"]);
        var forged = await (await fx.Client.Get($"/api/v1/groups?tag={tag}&cursor=not-ours", viewer)).AssertProblem(
            400
        );
        Assert.NotNull(forged["errors"]!["cursor"]);
    }

    /// <summary>
    /// member_count leaves out the members a block hides from the caller; explore's cursor, ordered by the stored
    /// count, must not hand that count back (a small group's member would learn someone there blocked them).
    /// </summary>
    [Fact]
    public async Task Explore_cursors_do_not_tell_the_stored_count_a_block_hides_and_refuse_a_forged_one()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, joiner, _) = await fx.RegisteredAsync();
        var (viewerId, viewer, _) = await fx.RegisteredAsync();
        var tag = "b" + Guid.NewGuid().ToString("N")[..8];
        var groups = new List<string>();
        for (var i = 0; i < 3; i++)
            groups.Add(await GroupsFlow.CreateAsync(fx, owner, name: $"Readers {i} {tag}", tags: [tag]));
        await (await fx.Client.PostJson($"/api/v1/groups/{groups[1]}/join", new { }, joiner)).AssertStatus(201);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{viewerId}", null, joiner)).AssertStatus(204);

        async Task<JsonNode> Explore(string paging) =>
            await (await fx.Client.Get($"/api/v1/groups?tag={tag}&limit=1&{paging}", viewer)).AssertStatus(200);
        var page = await Explore("page=1");
        var first = Assert.Single(page["items"]!.AsArray())!;
        // Stored 2, ordered first by it; shown 1 to the one the joiner blocked.
        Assert.Equal(groups[1], first["id"]!.GetValue<string>());
        Assert.Equal(1, first["member_count"]!.GetValue<int>());
        var seen = new List<string> { groups[1] };
        var cursors = new List<string>();
        while (page["next_cursor"]?.GetValue<string>() is { } cursor)
        {
            cursors.Add(cursor);
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            // The page number only: no "members.id" position, neither the count nor the group it stands at.
            Assert.StartsWith($"{cursors.Count + 1}~", text);
            Assert.DoesNotMatch(@"~\d+\.[0-9a-f]{32}$", text);
            Assert.All(groups, g => Assert.DoesNotContain(Guid.Parse(g).ToString("N"), text));
            page = await Explore($"cursor={Uri.EscapeDataString(cursor)}");
            seen.Add(Assert.Single(page["items"]!.AsArray())!["id"]!.GetValue<string>());
        }
        Assert.Equal(groups.Order(), seen.Order());

        // A cursor altered, or one in the plain form a client could write, is refused.
        var given = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursors[0]));
        var at = given.Length - 20;
        var altered = given[..at] + (given[at] == 'A' ? 'B' : 'A') + given[(at + 1)..];
        var plain = $"2~2.{Guid.Parse(groups[1]):N}";
        foreach (var forged in new[] { altered, plain })
        {
            var cursor = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged));
            var problem = await (
                await fx.Client.Get($"/api/v1/groups?tag={tag}&limit=1&cursor={cursor}", viewer)
            ).AssertProblem(400);
            Assert.NotNull(problem["errors"]!["cursor"]);
        }
    }

    [Fact]
    public async Task Explore_filters_by_visibility_public_or_private_and_refuses_any_other()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var tag = "v" + Guid.NewGuid().ToString("N")[..8];
        var open = await GroupsFlow.CreateAsync(fx, owner, name: "Open " + tag, tags: [tag]);
        var closed = await GroupsFlow.CreateAsync(fx, owner, name: "Closed " + tag, tags: [tag], visibility: "private");
        await GroupsFlow.CreateAsync(fx, owner, name: "Hidden " + tag, tags: [tag], visibility: "secret");

        foreach (var who in new[] { viewer, owner })
        {
            Assert.Equal(
                open,
                Single(
                    await (await fx.Client.Get($"/api/v1/groups?tag={tag}&visibility=public", who)).AssertStatus(200)
                )
            );
            Assert.Equal(
                closed,
                Single(
                    await (await fx.Client.Get($"/api/v1/groups?tag={tag}&visibility=PRIVATE", who)).AssertStatus(200)
                )
            );
        }
        // Absent, explore is as it was: both, and the secret group to its member.
        Assert.Equal(
            3,
            (await (await fx.Client.Get($"/api/v1/groups?tag={tag}", owner)).AssertStatus(200))[
                "total"
            ]!.GetValue<int>()
        );
        foreach (var bad in new[] { "secret", "all", "public,private", new string('p', 300) })
        {
            var problem = await (
                await fx.Client.Get($"/api/v1/groups?tag={tag}&visibility={Uri.EscapeDataString(bad)}", owner)
            ).AssertProblem(400);
            Assert.NotNull(problem["errors"]!["visibility"]);
        }
    }

    private static string Single(JsonNode page) => Assert.Single(page["items"]!.AsArray())!["id"]!.GetValue<string>();

    private Task<long> OutboxAsync(string type, string groupId) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'groupId' = @v",
            ("v", groupId)
        );
}
