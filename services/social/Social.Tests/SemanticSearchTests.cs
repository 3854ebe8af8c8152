using System.Text.Json.Nodes;
using Community.Contracts.Events;
using Community.Social.Search;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Social.Tests;

/// <summary>Social with a fake embeddings endpoint that answers quickly and is retried soon after a failure.</summary>
public sealed class SearchFixture : SocialFixture
{
    public FakeEmbeddingsServer Embeddings { get; private set; } = null!;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings["Social:Embeddings:Endpoint"] = Embeddings.Endpoint;
        settings["Social:Embeddings:Model"] = FakeEmbeddingsServer.ModelName;
        settings["Social:Embeddings:ApiKey"] = FakeEmbeddingsServer.ApiKey;
        settings["Social:Embeddings:Dimensions"] = FakeEmbeddingsServer.Dims.ToString();
        settings["Social:Embeddings:PollInterval"] = "00:00:00.100";
        settings["Social:Embeddings:RetryDelay"] = "00:00:00.200";
        settings["Social:Embeddings:MaxRetryDelay"] = "00:00:00.500";
        settings["Social:Embeddings:IndexRefreshInterval"] = "00:00:00.050";
        settings["Http:Resilience:Clients:social-embeddings:Retry:Delay"] = "00:00:00.010";
        // Many failures in a row while the fake is down must not open the breaker for the rest of the class.
        settings["Http:Resilience:Clients:social-embeddings:CircuitBreaker:MinimumThroughput"] = "100000";
        settings["Http:Resilience:Clients:social-embeddings-query:CircuitBreaker:MinimumThroughput"] = "100000";
    }

    public override async Task InitializeAsync()
    {
        Embeddings = await FakeEmbeddingsServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Embeddings.DisposeAsync();
    }
}

public sealed class SemanticSearchTests(SearchFixture fx) : IClassFixture<SearchFixture>
{
    [Fact]
    public async Task People_groups_and_events_are_found_by_meaning()
    {
        var (hikerId, _) = await SearchFlow.PersonAsync(fx, "Weekends on the trail, trekking to a summit.");
        var (cookId, _) = await SearchFlow.PersonAsync(fx, "Home chef who loves new recipes.");
        var (_, owner, _) = await fx.RegisteredAsync();
        var trail = await SearchFlow.GroupAsync(fx, owner, "Trail runners", "We climb every Saturday.");
        var baking = await SearchFlow.GroupAsync(fx, owner, "Sourdough circle", "Baking and recipes.");
        var organizerId = Guid.NewGuid();
        var trek = await SearchFlow.EventAsync(fx, organizerId, "Sunrise summit trek", EventVisibility.Public);
        await SearchFlow.EmbeddedAsync(fx, hikerId, cookId, trail, baking, trek);
        var (_, caller, _) = await fx.RegisteredAsync();

        // No word in common with "trekking to a summit": only meaning links them.
        var people = await SearchFlow.SearchAsync(fx, caller, "mountain hiking", "people");
        Assert.Equal("embeddings", people["mode"]!.GetValue<string>());
        Assert.True(SearchFlow.Rank(people, hikerId) < SearchFlow.Rank(people, cookId));
        var hit = SearchFlow.Items(people).First(i => i["id"]!.GetValue<Guid>() == hikerId);
        Assert.Equal("people", hit["type"]!.GetValue<string>());
        Assert.Contains("trekking", hit["snippet"]!.GetValue<string>());
        Assert.InRange(hit["score"]!.GetValue<double>(), 0.9, 1.0001);

        var groups = await SearchFlow.SearchAsync(fx, caller, "mountain hiking", "groups");
        Assert.True(SearchFlow.Rank(groups, trail) < SearchFlow.Rank(groups, baking));
        Assert.All(SearchFlow.Items(groups), i => Assert.Equal("groups", i["type"]!.GetValue<string>()));
        var events = await SearchFlow.SearchAsync(fx, caller, "mountain hiking", "events");
        Assert.Equal(0, SearchFlow.Rank(events, trek));
        var all = await SearchFlow.SearchAsync(fx, caller, "a chef's kitchen", null);
        Assert.Contains(SearchFlow.Items(all), i => i["id"]!.GetValue<Guid>() == cookId);
        Assert.Contains(SearchFlow.Items(all), i => i["id"]!.GetValue<Guid>() == baking);

        // What was sent: the configured model, dimensions and key, the documents' text.
        var sent = fx.Embeddings.Received;
        Assert.All(sent, r => Assert.Equal(FakeEmbeddingsServer.ModelName, r.Model));
        Assert.All(sent, r => Assert.Equal(FakeEmbeddingsServer.Dims, r.Dimensions));
        Assert.All(sent, r => Assert.Equal("Bearer " + FakeEmbeddingsServer.ApiKey, r.Authorization));
        Assert.Contains(sent, r => r.Inputs.Any(x => x.Contains("trekking to a summit")));
        Assert.Contains(sent, r => r.Inputs.SequenceEqual(["mountain hiking"]));
    }

    [Fact]
    public async Task A_changed_text_is_embedded_again_and_a_cancelled_or_private_event_is_not_found()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await SearchFlow.GroupAsync(fx, owner, "Riverside readers", "Novels and tea.");
        await SearchFlow.EmbeddedAsync(fx, group);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}",
                new { description = "Jazz evenings with a piano." },
                owner
            )
        ).AssertStatus(200);
        await SearchFlow.EmbeddedAsync(fx, group);
        var (_, caller, _) = await fx.RegisteredAsync();
        var found = await SearchFlow.SearchAsync(fx, caller, "live music band", "groups");
        Assert.Equal(0, SearchFlow.Rank(found, group));

        var (organizerId, organizer, _) = await fx.RegisteredAsync();
        var hidden = await SearchFlow.EventAsync(fx, organizerId, "Private summit trek", EventVisibility.Private);
        var cancelled = await SearchFlow.EventAsync(fx, organizerId, "Cancelled summit trek", EventVisibility.Public);
        await SearchFlow.EmbeddedAsync(fx, hidden, cancelled);
        await fx.DeliverAsync(
            new EventCancelled(Guid.NewGuid(), fx.Tick(), cancelled, null),
            "SearchEventCancelledConsumer"
        );
        var events = await SearchFlow.SearchAsync(fx, caller, "hiking trail", "events");
        Assert.Equal(-1, SearchFlow.Rank(events, hidden));
        Assert.Equal(-1, SearchFlow.Rank(events, cancelled));
        var own = await SearchFlow.SearchAsync(fx, organizer, "hiking trail", "events");
        Assert.NotEqual(-1, SearchFlow.Rank(own, hidden));
        Assert.Equal(-1, SearchFlow.Rank(own, cancelled));
    }

    [Fact]
    public async Task A_blocked_pair_never_sees_each_other_nor_the_other_s_groups_and_events()
    {
        var (aId, a) = await SearchFlow.PersonAsync(fx, "Chess openings and puzzles every night.");
        var (bId, b) = await SearchFlow.PersonAsync(fx, "Chess club regular, board games too.");
        var (_, c, _) = await fx.RegisteredAsync();
        var bGroup = await SearchFlow.GroupAsync(fx, b, "Blitz chess", "Board battles.");
        var bEvent = await SearchFlow.EventAsync(fx, bId, "Chess puzzle night", EventVisibility.Public);
        await SearchFlow.EmbeddedAsync(fx, aId, bId, bGroup, bEvent);
        var before = await SearchFlow.SearchAsync(fx, a, "chess", null);
        Assert.NotEqual(-1, SearchFlow.Rank(before, bId));

        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{bId}", null, a)).AssertStatus(204);

        var ofA = await SearchFlow.SearchAsync(fx, a, "chess", null);
        Assert.Equal(-1, SearchFlow.Rank(ofA, bId));
        Assert.Equal(-1, SearchFlow.Rank(ofA, bGroup));
        Assert.Equal(-1, SearchFlow.Rank(ofA, bEvent));
        var ofB = await SearchFlow.SearchAsync(fx, b, "chess", null);
        Assert.Equal(-1, SearchFlow.Rank(ofB, aId));
        Assert.Equal(-1, SearchFlow.Rank(ofB, bId));
        var ofC = await SearchFlow.SearchAsync(fx, c, "chess", "people");
        Assert.NotEqual(-1, SearchFlow.Rank(ofC, aId));
        Assert.NotEqual(-1, SearchFlow.Rank(ofC, bId));
    }

    [Fact]
    public async Task Private_and_secret_groups_are_found_by_their_members_only()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var privateGroup = await SearchFlow.GroupAsync(fx, owner, "Quiet yoga", "Meditation mornings.", "private");
        var secret = await SearchFlow.GroupAsync(fx, owner, "Hidden yoga", "Breathing work.", "secret");
        var open = await SearchFlow.GroupAsync(fx, owner, "Open yoga", "Mindful stretching.");
        await SearchFlow.EmbeddedAsync(fx, privateGroup, secret, open);
        var (_, stranger, _) = await fx.RegisteredAsync();

        var ofStranger = await SearchFlow.SearchAsync(fx, stranger, "meditation practice", "groups", 50);
        Assert.NotEqual(-1, SearchFlow.Rank(ofStranger, open));
        Assert.Equal(-1, SearchFlow.Rank(ofStranger, privateGroup));
        Assert.Equal(-1, SearchFlow.Rank(ofStranger, secret));
        var ofOwner = await SearchFlow.SearchAsync(fx, owner, "meditation practice", "groups", 50);
        Assert.NotEqual(-1, SearchFlow.Rank(ofOwner, privateGroup));
        Assert.NotEqual(-1, SearchFlow.Rank(ofOwner, secret));
    }

    [Fact]
    public async Task A_deleted_user_is_gone()
    {
        var (id, _) = await SearchFlow.PersonAsync(fx, "Watercolour painting and sketching.");
        await SearchFlow.EmbeddedAsync(fx, id);
        var (_, caller, _) = await fx.RegisteredAsync();
        Assert.NotEqual(-1, SearchFlow.Rank(await SearchFlow.SearchAsync(fx, caller, "drawing art", "people"), id));

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), id));

        Assert.Equal(-1, SearchFlow.Rank(await SearchFlow.SearchAsync(fx, caller, "drawing art", "people"), id));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM search_documents WHERE id = @id", ("id", id))
        );
    }

    [Fact]
    public async Task With_the_endpoint_down_full_text_answers_and_later_the_embeddings_catch_up()
    {
        fx.Embeddings.Down = true;
        try
        {
            var (id, _) = await SearchFlow.PersonAsync(fx, "Jazz guitarist, playing standards.");
            var (_, caller, _) = await fx.RegisteredAsync();
            await Eventually.TrueAsync(
                async () =>
                    await fx.ScalarAsync<int>("SELECT attempts FROM search_documents WHERE id = @id", ("id", id)) > 1,
                "the worker never tried the document"
            );

            var down = await SearchFlow.SearchAsync(fx, caller, "jazz guitarist", "people");
            Assert.Equal("full_text", down["mode"]!.GetValue<string>());
            Assert.Equal(0, SearchFlow.Rank(down, id));
            Assert.Null(
                await fx.ScalarAsync<long?>("SELECT embedded_revision FROM search_documents WHERE id = @id", ("id", id))
            );

            fx.Embeddings.Down = false;
            await SearchFlow.EmbeddedAsync(fx, id);
            var up = await SearchFlow.SearchAsync(fx, caller, "piano song", "people");
            Assert.Equal("embeddings", up["mode"]!.GetValue<string>());
            Assert.NotEqual(-1, SearchFlow.Rank(up, id));
        }
        finally
        {
            fx.Embeddings.Down = false;
        }
    }

    [Fact]
    public async Task Words_taken_out_are_not_found_by_their_old_embedding_while_it_waits_to_be_redone()
    {
        var (id, _) = await SearchFlow.PersonAsync(fx, "Weekend climber, summit after summit.");
        await SearchFlow.EmbeddedAsync(fx, id);
        var (_, caller, _) = await fx.RegisteredAsync();
        // asked once while the endpoint is up: the query's embedding is kept, so it is answered by embeddings below
        Assert.NotEqual(
            -1,
            SearchFlow.Rank(await SearchFlow.SearchAsync(fx, caller, "outdoor trekking", "people"), id)
        );

        fx.Embeddings.Down = true;
        try
        {
            // the text changes (as a section made private or a bio rewritten changes it); its embedding cannot be
            // redone
            await fx.ExecuteAsync(
                """
                UPDATE search_documents SET body = 'Reads novels at home.', revision = revision + 1
                WHERE kind = 'people' AND id = @id
                """,
                ("id", id)
            );
            var stale = await SearchFlow.SearchAsync(fx, caller, "outdoor trekking", "people");
            Assert.Equal("embeddings", stale["mode"]!.GetValue<string>());
            Assert.Equal(-1, SearchFlow.Rank(stale, id));
        }
        finally
        {
            fx.Embeddings.Down = false;
        }
        await SearchFlow.EmbeddedAsync(fx, id);
    }

    [Fact]
    public async Task Two_instances_embed_each_document_once()
    {
        await using var second = fx.StartHost();
        await SearchFixture.BusReadyAsync(second);
        var texts = Enumerable.Range(0, 40).Select(i => $"Chess composer {i} {Guid.NewGuid():N}").ToArray();
        var ids = new List<Guid>();
        foreach (var text in texts)
            ids.Add((await SearchFlow.PersonAsync(fx, text)).Id);

        await SearchFlow.EmbeddedAsync(fx, [.. ids]);

        var inputs = fx.Embeddings.Received.SelectMany(r => r.Inputs).ToList();
        Assert.All(texts, text => Assert.Single(inputs, x => x.Contains(text)));
    }

    [Theory]
    [InlineData("101")]
    [InlineData("")]
    public void A_bad_embeddings_configuration_stops_the_start(string dimensions)
    {
        var failure = Assert.ThrowsAny<Exception>(() =>
            fx.StartHost(new Dictionary<string, string?> { ["Social:Embeddings:Dimensions"] = dimensions })
        );
        Assert.Contains("Social:Embeddings:Dimensions", failure.ToString());
        Assert.DoesNotContain(FakeEmbeddingsServer.ApiKey, failure.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("q=")]
    [InlineData("q=%20%20")]
    [InlineData("q=a%00b")]
    [InlineData("q=chess&type=places")]
    [InlineData("q=chess&limit=0")]
    [InlineData("q=chess&limit=51")]
    [InlineData("q=chess&limit=99999999999999")]
    [InlineData("q=chess&sort=new")]
    public async Task Bad_input_is_a_400(string query)
    {
        var (_, caller, _) = await fx.RegisteredAsync();
        var response = await fx.Client.Get("/api/v1/search/semantic?" + query, caller);
        Assert.Equal(400, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_query_over_200_characters_is_a_400_and_anonymous_callers_a_401()
    {
        var (_, caller, _) = await fx.RegisteredAsync();
        var q = new string('a', 201);
        Assert.Equal(400, (int)(await fx.Client.Get("/api/v1/search/semantic?q=" + q, caller)).StatusCode);
        Assert.Equal(200, (int)(await fx.Client.Get("/api/v1/search/semantic?q=" + q[..200], caller)).StatusCode);
        Assert.Equal(401, (int)(await fx.Client.Get("/api/v1/search/semantic?q=chess")).StatusCode);
    }
}

/// <summary>Social without an embeddings endpoint: full text ranks, and says so.</summary>
public sealed class FullTextSearchTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Without_an_endpoint_full_text_ranks_and_says_so()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await SearchFlow.GroupAsync(fx, owner, "Harbour swimmers", "Cold water swimming at dawn.");
        var other = await SearchFlow.GroupAsync(fx, owner, "Night owls", "Stargazing.");
        var (_, caller, _) = await fx.RegisteredAsync();

        var found = await SearchFlow.SearchAsync(fx, caller, "swim", "groups");
        Assert.Equal("full_text", found["mode"]!.GetValue<string>());
        Assert.Equal(0, SearchFlow.Rank(found, group));
        Assert.Equal(-1, SearchFlow.Rank(found, other));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM search_documents WHERE embedding IS NOT NULL")
        );
    }

    [Fact]
    public async Task Public_innovator_sections_are_searchable_and_others_never()
    {
        var (personId, token) = await SearchFlow.PersonAsync(fx, "Likes long walks.");
        var (_, caller, _) = await fx.RegisteredAsync();
        async Task<int> RankFor(string q) =>
            SearchFlow.Rank(await SearchFlow.SearchAsync(fx, caller, q, "people"), personId);

        await (
            await fx.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/profiles/me",
                new
                {
                    skills = new[] { "Photogrammetry" },
                    projects = new[] { new { name = "Zeppelinfinder" } },
                    visibility = new { skills = "public", projects = "connections" },
                },
                token
            )
        ).AssertStatus(200);
        Assert.Equal(0, await RankFor("photogrammetry"));
        Assert.Equal(-1, await RankFor("zeppelinfinder"));

        // The owner hides the skills: no longer found by them.
        await (
            await fx.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/profiles/me",
                new { skills = new[] { "Photogrammetry" }, visibility = new { skills = "private" } },
                token
            )
        ).AssertStatus(200);
        Assert.Equal(-1, await RankFor("photogrammetry"));
    }
}

public static class SearchFlow
{
    /// <summary>A registered person whose bio is <paramref name="bio"/>.</summary>
    public static async Task<(Guid Id, string Token)> PersonAsync(SocialFixture fx, string bio)
    {
        var (id, token, username) = await fx.RegisteredAsync(interests: []);
        await fx.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                fx.Tick(),
                id,
                username,
                "Person " + username,
                null,
                null,
                null,
                [],
                ["en"],
                null,
                ["bio"]
            )
            {
                Bio = bio,
            }
        );
        return (id, token);
    }

    public static async Task<Guid> GroupAsync(
        SocialFixture fx,
        string token,
        string name,
        string description,
        string visibility = "public"
    )
    {
        var body = new
        {
            name = name + " " + Guid.NewGuid().ToString("N")[..4],
            description,
            visibility,
            join_policy = visibility == "secret" ? "invite" : "open",
        };
        var created = await (await fx.Client.PostJson("/api/v1/groups", body, token)).AssertStatus(201);
        return created["id"]!.GetValue<Guid>();
    }

    public static async Task<Guid> EventAsync(SocialFixture fx, Guid organizerId, string title, string visibility)
    {
        var id = Guid.NewGuid();
        var at = fx.Tick();
        await fx.DeliverAsync(
            new EventPublished(
                Guid.NewGuid(),
                at,
                id,
                organizerId,
                title,
                at.AddDays(3),
                at.AddDays(3).AddHours(2),
                0,
                "AED"
            )
            {
                Visibility = visibility,
            },
            "SearchEventPublishedConsumer"
        );
        return id;
    }

    /// <summary>Waits until the worker embedded the current text of each document, and the index has it.</summary>
    public static async Task EmbeddedAsync(SocialFixture fx, params Guid[] ids)
    {
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM search_documents WHERE id = ANY(@ids) AND embedded_revision = revision",
                    ("ids", ids)
                ) == ids.Length,
            "the documents were never embedded"
        );
        var seq = await fx.ScalarAsync<long>(
            "SELECT max(embedded_seq) FROM search_documents WHERE id = ANY(@ids)",
            ("ids", ids)
        );
        var index = fx.Host.Services.GetRequiredService<VectorIndex>();
        await Eventually.TrueAsync(
            () => Task.FromResult(index.Ready && index.AppliedSeq >= seq),
            "the vector index never caught up"
        );
    }

    public static async Task<JsonNode> SearchAsync(
        SocialFixture fx,
        string token,
        string q,
        string? type,
        int limit = 50
    )
    {
        var url = $"/api/v1/search/semantic?q={Uri.EscapeDataString(q)}&limit={limit}";
        if (type is not null)
            url += "&type=" + type;
        return await (await fx.Client.Get(url, token)).AssertStatus(200);
    }

    public static IReadOnlyList<JsonNode> Items(JsonNode result) => [.. result["items"]!.AsArray().Select(i => i!)];

    /// <summary>The position of <paramref name="id"/> in the results, -1 when it is not there.</summary>
    public static int Rank(JsonNode result, Guid id) =>
        Items(result).Select(i => i["id"]!.GetValue<Guid>()).ToList().IndexOf(id);
}
