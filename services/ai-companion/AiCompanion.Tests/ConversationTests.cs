using Community.AiCompanion.Conversation;
using Community.AiCompanion.Conversation.Model;
using Npgsql;

namespace Community.AiCompanion.Tests;

/// <summary>The conversation without a model endpoint: the built-in offline responder answers.</summary>
public sealed class ConversationTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    private const string Messages = "/api/v1/companion/messages";
    private const string Conversation = "/api/v1/companion/conversation";

    private Task<HttpResponseMessage> SendAsync(string token, string text, string? txn = null) =>
        fixture.Client.PostJson(Messages, new { text, client_txn_id = txn ?? Guid.NewGuid().ToString() }, token);

    private static string Str(JsonNode node, string path) =>
        path.Split('.').Aggregate(node, (n, p) => n[p]!).GetValue<string>();

    [Fact]
    public async Task The_offline_responder_answers_honestly_and_the_first_reply_says_it_is_an_AI()
    {
        var (_, token) = await fixture.RegisteredAsync();
        var first = await (await SendAsync(token, "  I feel a bit lonely since I moved.  ")).AssertStatus(201);

        Assert.Equal("I feel a bit lonely since I moved.", Str(first, "message.text"));
        Assert.Equal("user", Str(first, "message.role"));
        Assert.Equal("assistant", Str(first, "reply.role"));
        Assert.Equal("offline", Str(first, "reply.responder"));
        Assert.Equal(Str(first, "message.id"), Str(first, "reply.reply_to"));
        Assert.Equal(CompanionDisclosure.Text, Str(first, "disclosure"));
        var reply = Str(first, "reply.text");
        Assert.StartsWith(CompanionDisclosure.FirstReply, reply);
        var body = reply[CompanionDisclosure.FirstReply.Length..];
        Assert.StartsWith(OfflineResponder.Honesty, body);
        Assert.Contains("not a language model", body);
        Assert.InRange(body.Count(c => c is '.' or '?' or '!'), 2, 3);

        var second = await (await SendAsync(token, "I feel a bit lonely since I moved.")).AssertStatus(201);
        Assert.DoesNotContain("not a person", Str(second, "reply.text"));
        // Deterministic: the same words get the same reflection.
        Assert.Equal(body, Str(second, "reply.text"));
    }

    [Fact]
    public async Task History_is_the_callers_own_newest_first_in_pages_and_states_the_disclosure()
    {
        var (_, token) = await fixture.RegisteredAsync();
        var (_, other) = await fixture.RegisteredAsync();
        await (await SendAsync(other, "someone else's words")).AssertStatus(201);
        for (var i = 1; i <= 3; i++)
            await (await SendAsync(token, $"message {i}")).AssertStatus(201);

        var page = await (await fixture.Client.Get(Conversation + "?limit=4", token)).AssertStatus(200);
        Assert.Equal(CompanionDisclosure.Text, Str(page, "disclosure"));
        var items = page["items"]!.AsArray();
        Assert.Equal(4, items.Count);
        Assert.Equal(["assistant", "user", "assistant", "user"], items.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("message 3", items[1]!["text"]!.GetValue<string>());
        var seqs = items.Select(m => m!["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(seqs.OrderDescending(), seqs);

        var rest = await (
            await fixture.Client.Get(
                $"{Conversation}?limit=4&cursor={Uri.EscapeDataString(Str(page, "next_cursor"))}",
                token
            )
        ).AssertStatus(200);
        var older = rest["items"]!.AsArray();
        Assert.Equal(2, older.Count);
        Assert.Equal("message 1", older[1]!["text"]!.GetValue<string>());
        Assert.Null(rest["next_cursor"]);
        Assert.DoesNotContain(older.Concat(items), m => m!["text"]!.GetValue<string>().Contains("someone else"));

        await (await fixture.Client.Get(Conversation + "?cursor=nonsense", token)).AssertProblem(400);
    }

    [Fact]
    public async Task Seq_counts_within_each_conversation_without_gaps_and_keeps_counting_after_a_delete()
    {
        var (_, token) = await fixture.RegisteredAsync();
        var (_, other) = await fixture.RegisteredAsync();
        var first = await (await SendAsync(other, "the other conversation")).AssertStatus(201);
        Assert.Equal(1, first["message"]!["seq"]!.GetValue<long>());
        Assert.Equal(2, first["reply"]!["seq"]!.GetValue<long>());

        // Concurrent sends of one user take distinct numbers, two per exchange, none skipped.
        var sends = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => SendAsync(token, $"together {i}")));
        var bodies = await Task.WhenAll(sends.Select(r => r.AssertStatus(201)));
        var seqs = bodies
            .SelectMany(b => new[] { b["message"]!["seq"]!.GetValue<long>(), b["reply"]!["seq"]!.GetValue<long>() })
            .Order();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), seqs);
        Assert.All(
            bodies,
            b => Assert.Equal(b["message"]!["seq"]!.GetValue<long>() + 1, b["reply"]!["seq"]!.GetValue<long>())
        );

        (await fixture.Client.SendJson(HttpMethod.Delete, Conversation, null, token)).EnsureSuccessStatusCode();
        var after = await (await SendAsync(token, "a new start")).AssertStatus(201);
        Assert.Equal(13, after["message"]!["seq"]!.GetValue<long>());
        var again = await (await SendAsync(other, "the other one goes on")).AssertStatus(201);
        Assert.Equal(3, again["message"]!["seq"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_first_message_of_a_day_announces_one_check_in_and_later_ones_none()
    {
        var (id, token) = await fixture.RegisteredAsync();
        Task<long> CheckInsAsync() =>
            fixture.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.CompanionCheckedIn,%' "
                    + "AND payload->>'userId' = @u",
                ("u", id.ToString())
            );
        Assert.Equal(0, await CheckInsAsync());
        await Task.WhenAll(Enumerable.Range(1, 4).Select(i => SendAsync(token, $"morning {i}")));
        Assert.Equal(1, await CheckInsAsync());
        await (await SendAsync(token, "later the same day")).AssertStatus(201);
        Assert.Equal(1, await CheckInsAsync());
    }

    [Fact]
    public async Task The_same_client_txn_id_returns_the_first_answer_and_another_text_under_it_is_a_conflict()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var first = await (await SendAsync(token, "hello there", "txn-1")).AssertStatus(201);
        var again = await (await SendAsync(token, "hello there", "txn-1")).AssertStatus(200);
        Assert.Equal(Str(first, "reply.id"), Str(again, "reply.id"));
        Assert.Equal(Str(first, "reply.text"), Str(again, "reply.text"));

        await (await SendAsync(token, "something else", "txn-1")).AssertProblem(409);
        Assert.Equal(
            2,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
    }

    [Fact]
    public async Task Concurrent_retries_of_one_send_store_one_exchange_and_all_get_it()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var responses = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(_ => SendAsync(token, "at the same time", "txn-race"))
        );
        var bodies = await Task.WhenAll(responses.Select(r => r.Body()));
        Assert.Single(responses, r => (int)r.StatusCode == 201);
        Assert.All(responses, r => Assert.Contains((int)r.StatusCode, new[] { 200, 201 }));
        Assert.Single(bodies.Select(b => Str(b, "reply.id")).Distinct());
        Assert.Equal(
            2,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
    }

    [Theory]
    [InlineData("""{"client_txn_id":"t"}""", "text")]
    [InlineData("""{"text":"   ","client_txn_id":"t"}""", "text")]
    [InlineData("""{"text":"hi"}""", "client_txn_id")]
    [InlineData("""{"text":"hi","client_txn_id":"   "}""", "client_txn_id")]
    public async Task A_send_without_text_or_client_txn_id_is_refused(string body, string field)
    {
        var (_, token) = await fixture.RegisteredAsync();
        var problem = await (await fixture.Client.PostJson(Messages, body, token)).AssertProblem(400);
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task Too_long_text_or_client_txn_id_and_control_characters_are_refused_and_nothing_is_stored()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var tooLong = await (
            await SendAsync(token, new string('a', CompanionConversation.MaxTextLength + 1))
        ).AssertProblem(400);
        Assert.NotNull(tooLong["errors"]!["text"]);
        await (await SendAsync(token, "  " + new string('a', CompanionConversation.MaxTextLength) + "  ")).AssertStatus(
            201
        );
        var longTxn = await (
            await SendAsync(token, "hi", new string('t', CompanionConversation.MaxClientTxnIdLength + 1))
        ).AssertProblem(400);
        Assert.NotNull(longTxn["errors"]!["client_txn_id"]);
        await (
            await fixture.Client.PostJson(Messages, """{"text":"nul \u0000 here","client_txn_id":"t-nul"}""", token)
        ).AssertProblem(400);
        await (
            await fixture.Client.PostJson(Messages, """{"text":"bell \u0007","client_txn_id":"t-bell"}""", token)
        ).AssertProblem(400);
        Assert.Equal(
            2,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
    }

    [Fact]
    public async Task Deleting_the_conversation_forgets_it_and_the_next_reply_discloses_again()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var (otherId, other) = await fixture.RegisteredAsync();
        await (await SendAsync(other, "mine stays")).AssertStatus(201);
        await (await SendAsync(token, "first", "before-delete")).AssertStatus(201);
        await (await SendAsync(token, "second")).AssertStatus(201);

        (await fixture.Client.SendJson(HttpMethod.Delete, Conversation, null, token)).EnsureSuccessStatusCode();
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
        Assert.Empty((await (await fixture.Client.Get(Conversation, token)).AssertStatus(200))["items"]!.AsArray());
        Assert.Equal(
            2,
            await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM companion_messages WHERE user_id = @id",
                ("id", otherId)
            )
        );

        var fresh = await (await SendAsync(token, "first", "before-delete")).AssertStatus(201);
        Assert.StartsWith(CompanionDisclosure.FirstReply, Str(fresh, "reply.text"));
    }

    /// <summary>
    /// A message sent while the conversation is being deleted starts the next one: none of the history going is read
    /// for it, and its reply discloses the AI again.
    /// </summary>
    [Fact]
    public async Task A_message_sent_while_the_conversation_is_being_deleted_starts_the_next_one()
    {
        var (id, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "about my old flat")).AssertStatus(201);
        // The deletion is held at its messages, whose rows the test holds.
        await using var held = await fixture.HoldAsync(
            "SELECT 1 FROM companion_messages WHERE user_id = @u FOR UPDATE",
            ("u", id)
        );
        var deleting = fixture.Client.SendJson(HttpMethod.Delete, Conversation, null, token);
        await fixture.WaitingOnALockAsync("%companion_messages%", 1, "the deletion never waited for its messages");

        var sending = SendAsync(token, "a new start");
        await fixture.DoneOrWaitingOnALockAsync(
            () => sending.IsCompleted,
            "%",
            2,
            "the message was neither answered nor waiting for the deletion"
        );
        await held.CommitAsync();

        (await deleting).EnsureSuccessStatusCode();
        var fresh = await (await sending).AssertStatus(201);
        Assert.StartsWith(CompanionDisclosure.FirstReply, Str(fresh, "reply.text"));
        var history = (await (await fixture.Client.Get(Conversation, token)).AssertStatus(200))["items"]!.AsArray();
        Assert.Equal(["a new start"], history.Where(m => Str(m!, "role") == "user").Select(m => Str(m!, "text")));
    }

    [Fact]
    public async Task Sharing_the_profile_is_off_until_the_user_turns_it_on()
    {
        var (_, token) = await fixture.RegisteredAsync();
        Assert.False(
            (await (await fixture.Client.Get("/api/v1/companion/settings", token)).AssertStatus(200))[
                "share_profile"
            ]!.GetValue<bool>()
        );
        var put = await (
            await fixture.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/companion/settings",
                new { share_profile = true },
                token
            )
        ).AssertStatus(200);
        Assert.True(put["share_profile"]!.GetValue<bool>());
        Assert.True(
            (await (await fixture.Client.Get("/api/v1/companion/settings", token)).AssertStatus(200))[
                "share_profile"
            ]!.GetValue<bool>()
        );
        await (await fixture.Client.SendJson(HttpMethod.Put, "/api/v1/companion/settings", "{}", token)).AssertProblem(
            400
        );
    }

    [Fact]
    public async Task Two_first_saves_of_the_settings_with_the_defaults_etag_are_one_200_and_one_412()
    {
        const string settings = "/api/v1/companion/settings";
        var (id, token) = await fixture.RegisteredAsync();
        var defaults = await fixture.Client.Get(settings, token);
        Assert.False((await defaults.AssertStatus(200))["share_profile"]!.GetValue<bool>());
        var tag = defaults.Headers.ETag!.Tag;
        // A row being inserted elsewhere holds up both saves' upserts: without their own lock both are past If-Match.
        await using var other = new NpgsqlConnection(fixture.Resources.DatabaseConnectionString);
        await other.OpenAsync();
        await using var inserting = await other.BeginTransactionAsync();
        await using (
            var insert = new NpgsqlCommand(
                "INSERT INTO companion_settings (user_id, share_profile, updated_at) VALUES (@id, false, now())",
                other,
                inserting
            )
        )
        {
            insert.Parameters.AddWithValue("id", id);
            await insert.ExecuteNonQueryAsync();
        }

        bool[] shares = [true, false];
        var saves = shares
            .Select(share =>
                fixture.Client.SendIfMatch(
                    HttpMethod.Put,
                    settings,
                    System.Text.Json.JsonSerializer.Serialize(new { share_profile = share }),
                    token,
                    tag
                )
            )
            .ToList();
        await Eventually.TrueAsync(
            async () =>
                await fixture.ScalarAsync<long>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = "
                        + "'Lock'"
                ) >= 2,
            "the two saves never both waited"
        );
        await inserting.RollbackAsync();
        var answers = await Task.WhenAll(saves);

        Assert.Equal([200, 412], answers.Select(a => (int)a.StatusCode).Order());
        var won = Array.FindIndex(answers, a => (int)a.StatusCode == 200);
        await answers[1 - won].AssertProblem(412);
        var saved = await answers[won].AssertStatus(200);
        Assert.Equal(shares[won], saved["share_profile"]!.GetValue<bool>());
        var after = await fixture.Client.Get(settings, token);
        Assert.Equal(shares[won], (await after.AssertStatus(200))["share_profile"]!.GetValue<bool>());
        Assert.Equal(answers[won].Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task A_deleted_account_loses_its_conversation_and_settings()
    {
        var (id, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "remember me")).AssertStatus(201);
        // A keyed send's stored answer holds the exchange too.
        await (
            await fixture.Client.PostJsonWithKey(
                Messages,
                new { text = "and this", client_txn_id = "keyed-before-deletion" },
                token,
                "before-deletion"
            )
        ).AssertStatus(201);
        await (
            await fixture.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/companion/settings",
                new { share_profile = true },
                token
            )
        ).AssertStatus(200);

        await fixture.DeliverAsync(new UserDeleted(Guid.NewGuid(), fixture.Tick(), id));

        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_settings WHERE user_id = @id", ("id", id))
        );
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM idempotent_requests WHERE user_id = @id", ("id", id))
        );

        // A token the revocation has not reached yet writes nothing more for the account.
        var refused = await (
            await fixture.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/companion/settings",
                new { share_profile = true },
                token
            )
        ).AssertProblem(403);
        Assert.Equal("This account was deleted.", refused["detail"]!.GetValue<string>());
        await (await fixture.Client.PostJson("/api/v1/companion/sessions", new { }, token)).AssertProblem(403);
        // Nor a message: refused before it is counted or answered (SendPathTests: the model is never asked).
        await (await SendAsync(token, "still there?")).AssertProblem(403);
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>(
                "SELECT (SELECT count(*) FROM companion_settings WHERE user_id = @id) "
                    + "+ (SELECT count(*) FROM companion_sessions WHERE user_id = @id) "
                    + "+ (SELECT count(*) FROM companion_usage WHERE user_id = @id) "
                    + "+ (SELECT count(*) FROM companion_sends WHERE user_id = @id)",
                ("id", id)
            )
        );
    }

    [Fact]
    public async Task The_conversation_is_for_members_only()
    {
        await (await fixture.Client.Get(Conversation)).AssertProblem(401);
        await (await fixture.Client.PostJson(Messages, new { text = "hi", client_txn_id = "x" })).AssertProblem(401);
    }

    [Fact]
    public async Task The_offline_responder_streams_word_by_word_and_the_stream_is_stored()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var (response, events) = await Sse.PostAsync(
            fixture.Client,
            Messages + "/stream",
            new { text = "streaming offline", client_txn_id = "s-1" },
            token
        );
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var deltas = events.Where(e => e.Name == "delta").ToList();
        Assert.True(deltas.Count > 10, $"only {deltas.Count} deltas");
        var done = Assert.Single(events, e => e.Name == "done");
        Assert.Same(done, events[^1]);
        Assert.Equal("offline", done.Data["responder"]!.GetValue<string>());
        var stored = await fixture.ScalarAsync<string>(
            "SELECT text FROM companion_messages WHERE id = @id",
            ("id", Guid.Parse(done.Data["reply_id"]!.GetValue<string>()))
        );
        Assert.Equal(events.Text(), stored);
        Assert.StartsWith(CompanionDisclosure.FirstReply, stored);
        Assert.Equal(
            2,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
    }
}
