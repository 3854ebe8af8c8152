using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Community.AiCompanion.Conversation;
using Community.AiCompanion.Limits;
using Community.Contracts.Payments;

namespace Community.AiCompanion.Tests;

/// <summary>The daily allowance through the real endpoints: 429s, failed replies, replays, races, sessions.</summary>
public sealed partial class SendPathTests
{
    [Theory]
    [InlineData(Tiers.Free, SendPathFixture.Free)]
    [InlineData(Tiers.Premium, SendPathFixture.Premium)]
    public async Task Sends_past_the_tiers_limit_are_a_429_with_retry_after_plain_and_streamed(string tier, int limit)
    {
        fixture.AwayFromMidnight();
        var (_, token) = await fixture.RegisteredAsync(tier);
        for (var i = 0; i < limit; i++)
            await (await SendAsync(token, $"message {i}")).AssertStatus(201);

        var asked = fixture.Model.Received.Count;
        var response = await SendAsync(token, "past the limit");
        var problem = await response.AssertProblem(429);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Assert.Equal(limit, problem["daily_limit"]!.GetValue<long>());
        Assert.Equal(tier, problem["tier"]!.GetValue<string>());
        var (streamed, events) = await StreamAsync(token, "streamed past the limit");
        Assert.Empty(events);
        await streamed.AssertProblem(429);
        Assert.Equal(asked, fixture.Model.Received.Count);
        Assert.Equal(limit, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task Elite_is_unlimited()
    {
        fixture.AwayFromMidnight();
        var (_, token) = await fixture.RegisteredAsync(Tiers.Elite);
        for (var i = 0; i < SendPathFixture.Premium + 2; i++)
            await (await SendAsync(token, $"message {i}")).AssertStatus(201);
        Assert.Equal(SendPathFixture.Premium + 2, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task A_reply_that_fails_does_not_count_and_one_whose_client_left_is_finished_stored_and_counted_once()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "counted")).AssertStatus(201);

        fixture.Model.Failure = FakeOpenAiFailure.ServerError;
        try
        {
            await (await SendAsync(token, "the model is down")).AssertProblem(503);
        }
        finally
        {
            fixture.Model.Failure = FakeOpenAiFailure.None;
        }
        Assert.Equal(1, await UsedTodayAsync(token));

        fixture.Model.Failure = FakeOpenAiFailure.DropMidStream;
        fixture.Model.Reply("one two three four five six");
        try
        {
            var (_, events) = await StreamAsync(token, "it breaks midway");
            Assert.Equal("error", events[^1].Name);
        }
        finally
        {
            fixture.Model.Failure = FakeOpenAiFailure.None;
        }
        Assert.Equal(1, await UsedTodayAsync(token));

        // The client reads the first piece and leaves: the reply is finished and stored all the same, so the message
        // is answered and counted once (given back, reading all but the last piece and leaving made every reply free).
        fixture.Model.Reply("slowly one word at a time until the end");
        fixture.Model.ChunkDelay = TimeSpan.FromMilliseconds(300);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Messages + "/stream")
            {
                Content = new StringContent(
                    """{"text": "I will leave early", "client_txn_id": "leaver"}""",
                    Encoding.UTF8,
                    "application/json"
                ),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using (var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                while (await reader.ReadLineAsync() is { } line && !line.Contains("slowly")) { }
            }
            // The reply is finished without the client and stored.
            await Eventually.TrueAsync(
                async () =>
                    await fixture.ScalarAsync<long>(
                        "SELECT count(*) FROM companion_messages WHERE user_id = @id AND client_txn_id = 'leaver'",
                        ("id", id)
                    ) == 1,
                "the reply of a stream the client left was not finished and stored"
            );
        }
        finally
        {
            fixture.Model.ChunkDelay = TimeSpan.Zero;
        }
        Assert.Equal(2, await UsedTodayAsync(token));
        // Sent again (the web client keeps the client_txn_id of a message whose stream broke): the whole reply, once,
        // counted once.
        var (_, again) = await StreamAsync(token, "I will leave early", "leaver");
        Assert.Equal("done", again[^1].Name);
        Assert.True(again[^1].Data["replayed"]!.GetValue<bool>());
        Assert.EndsWith("until the end", again[^1].Data["reply"]!["text"]!.GetValue<string>());
        Assert.Equal(2, await UsedTodayAsync(token));
    }

    // A plain send the client hangs up on once the model was asked is still answered, stored and counted once: given
    // back, hanging up before each reply came made every model call free (the daily limit capped nothing).
    [Fact]
    public async Task A_plain_send_the_client_leaves_is_answered_and_counted_once()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Model.Reply("worth the wait");
        // The model answers only once the client has left.
        var left = new TaskCompletionSource();
        fixture.Model.Hold = r => r.Chat[^1].Content == "I will hang up" ? left.Task : null;
        try
        {
            using var leaving = new CancellationTokenSource();
            var sending = fixture.Client.PostJson(
                Messages,
                new { text = "I will hang up", client_txn_id = "hang-up" },
                token,
                leaving.Token
            );
            // Its own request, not any: one a test before left on its way would let it hang up before the model was
            // asked, and a send left then is (rightly) not answered.
            await Eventually.TrueAsync(
                () => Task.FromResult(ModelAsked("I will hang up")),
                "the model was never asked"
            );
            await leaving.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            left.SetResult();
            await Eventually.TrueAsync(
                async () =>
                    await fixture.ScalarAsync<long>(
                        "SELECT count(*) FROM companion_messages WHERE user_id = @id AND client_txn_id = 'hang-up'",
                        ("id", id)
                    ) == 1,
                "the reply of a send the client left was not finished and stored"
            );
        }
        finally
        {
            left.TrySetResult();
            fixture.Model.Hold = null;
        }
        Assert.Equal(1, await UsedTodayAsync(token));

        // Sent again: the stored reply, counted once, the model not asked again.
        var again = await (await SendAsync(token, "I will hang up", "hang-up")).AssertStatus(200);
        Assert.EndsWith("worth the wait", again["reply"]!["text"]!.GetValue<string>());
        Assert.Equal(1, await UsedTodayAsync(token));
        Assert.Single(fixture.Model.Received, r => r.Chat[^1].Content == "I will hang up");
    }

    [Fact]
    public async Task A_replayed_client_txn_id_never_counts_twice_also_when_retries_race()
    {
        fixture.AwayFromMidnight();
        var (_, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "once", "replay-1")).AssertStatus(201);
        await (await SendAsync(token, "once", "replay-1")).AssertStatus(200);
        var (_, replay) = await StreamAsync(token, "once", "replay-1");
        Assert.True(replay[^1].Data["replayed"]!.GetValue<bool>());
        Assert.Equal(1, await UsedTodayAsync(token));

        fixture.Model.FirstChunkDelay = TimeSpan.FromMilliseconds(200);
        try
        {
            var racing = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SendAsync(token, "twice?", "replay-2")));
            Assert.All(racing, r => Assert.Contains((int)r.StatusCode, new[] { 200, 201 }));
        }
        finally
        {
            fixture.Model.FirstChunkDelay = TimeSpan.Zero;
        }
        Assert.Equal(2, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task Sends_of_one_client_txn_id_at_once_get_one_reply_between_them_whatever_their_texts()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Model.Reply("slowly one word at a time until the end");
        fixture.Model.ChunkDelay = TimeSpan.FromMilliseconds(100);
        var asked = fixture.Model.Received.Count;
        string last = "";
        try
        {
            var (first, reader) = await OpenStreamAsync(token, "the first question", "one-id");
            using var _ = first;
            using var __ = reader;
            while (await reader.ReadLineAsync() is { } line && !line.Contains("slowly")) { }
            // While it is being answered: streams of the same id with other questions, and a plain send of it that
            // the safety protocol would answer at once. They wait for the first answer, which is not theirs.
            var streams = Enumerable.Range(0, 4).Select(i => StreamAsync(token, $"question number {i}", "one-id"));
            var others = await Task.WhenAll(
                streams
                    .Select(async s => (await s).Response)
                    .Append(SendAsync(token, "Honestly I want to kill myself tonight", "one-id"))
            );
            last = await LastEventAsync(reader);
            foreach (var other in others)
                await other.AssertProblem(409);
        }
        finally
        {
            fixture.Model.ChunkDelay = TimeSpan.Zero;
        }
        Assert.Equal("done", last);
        Assert.Equal(1, fixture.Model.Received.Count - asked);
        Assert.Equal(1, await UsedTodayAsync(token));
        Assert.Equal(2, await RowsAsync("companion_messages", id));
        Assert.Equal(0, await RowsAsync("companion_sends", id));
    }

    [Fact]
    public async Task What_a_model_writes_that_cannot_be_stored_is_left_out_plain_and_streamed()
    {
        fixture.AwayFromMidnight();
        var (_, token) = await fixture.RegisteredAsync();
        fixture.Model.Reply("nul\u0000 and bell\u0007 left out");
        var plain = await (await SendAsync(token, "say something odd")).AssertStatus(201);
        Assert.EndsWith("nul and bell left out", plain["reply"]!["text"]!.GetValue<string>());
        fixture.Model.Reply("again\u0000 streamed");
        var (_, events) = await StreamAsync(token, "and once more");
        Assert.Equal("done", events[^1].Name);
        Assert.Equal("again streamed", events[^1].Data["reply"]!["text"]!.GetValue<string>());
        Assert.Equal(2, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task A_database_gone_while_the_streamed_reply_is_stored_is_an_error_event_and_does_not_count()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Model.Reply("a reply that will not be kept");
        // The reply's row is refused as a server going away refuses it (57P01), for this user only.
        await fixture.ExecuteAsync(
            $"""
            CREATE OR REPLACE FUNCTION refuse_companion_reply() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the server is shutting down (raised by the test)' USING ERRCODE = '57P01';
            END
            $$;
            CREATE TRIGGER refuse_companion_reply BEFORE INSERT ON companion_messages FOR EACH ROW
                WHEN (NEW.user_id = '{id}') EXECUTE FUNCTION refuse_companion_reply();
            """
        );
        IReadOnlyList<SseEvent> events;
        try
        {
            (_, events) = await StreamAsync(token, "store this if you can");
        }
        finally
        {
            await fixture.ExecuteAsync("DROP TRIGGER refuse_companion_reply ON companion_messages");
        }
        // The stream ends with an error event (not a connection cut short), after the reply's text.
        Assert.Contains(events, e => e.Name == "delta");
        Assert.Equal("error", events[^1].Name);
        Assert.Equal(503, events[^1].Data["status"]!.GetValue<int>());
        Assert.Equal(0, await UsedTodayAsync(token));
        await (await SendAsync(token, "and now?")).AssertStatus(201);
    }

    [Fact]
    public async Task Forgetting_the_conversation_while_a_reply_is_written_keeps_nothing_of_it()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Model.Reply("slowly one word at a time until the end");
        // The rest of the reply only once the conversation is forgotten, however long the forgetting takes.
        var forgotten = new TaskCompletionSource();
        fixture.Model.HoldAfterFirstPiece = forgotten.Task;
        string last;
        try
        {
            var (response, reader) = await OpenStreamAsync(token, "tell me slowly", "forgotten");
            using var _ = response;
            using var __ = reader;
            while (await reader.ReadLineAsync() is { } line && !line.Contains("slowly")) { }
            await (
                await fixture.Client.SendJson(HttpMethod.Delete, "/api/v1/companion/conversation", null, token)
            ).AssertStatus(204);
            forgotten.SetResult();
            last = await LastEventAsync(reader);
        }
        finally
        {
            forgotten.TrySetResult();
            fixture.Model.HoldAfterFirstPiece = null;
        }
        Assert.Equal("error", last);
        Assert.Equal(0, await RowsAsync("companion_messages", id));
        // The reply was read as it came: it counts, or deleting the conversation mid-reply would make every reply free.
        await Eventually.TrueAsync(
            async () =>
                await fixture.ScalarAsync<long>(
                    "SELECT count(*) FROM companion_sends WHERE user_id = @id AND client_txn_id = 'forgotten'",
                    ("id", id)
                ) == 0,
            "the send was never let go"
        );
        Assert.Equal(1, await UsedTodayAsync(token));
        // The id is free again: sent once more, it is answered and kept.
        await (await SendAsync(token, "tell me slowly", "forgotten")).AssertStatus(201);
        Assert.Equal(2, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task Forgetting_the_conversation_while_a_plain_reply_is_written_keeps_nothing_and_still_counts()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        // The model answers only once the conversation is forgotten.
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var forgotten = new TaskCompletionSource();
        fixture.Model.Hold = r =>
        {
            if (r.Chat[^1].Content != "tell me plainly")
                return null;
            asked.TrySetResult();
            return forgotten.Task;
        };
        HttpResponseMessage answer;
        try
        {
            var sending = SendAsync(token, "tell me plainly", "forgotten-plain");
            await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await (
                await fixture.Client.SendJson(HttpMethod.Delete, "/api/v1/companion/conversation", null, token)
            ).AssertStatus(204);
            forgotten.SetResult();
            answer = await sending;
        }
        finally
        {
            forgotten.TrySetResult();
            fixture.Model.Hold = null;
        }
        await answer.AssertProblem(409);
        Assert.Equal(0, await RowsAsync("companion_messages", id));
        Assert.Equal(0, await RowsAsync("companion_sends", id));
        // The model answered: it counts, or deleting the conversation mid-reply would make every reply free.
        Assert.Equal(1, await UsedTodayAsync(token));
        await (await SendAsync(token, "tell me plainly", "forgotten-plain")).AssertStatus(201);
        Assert.Equal(2, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task A_retry_that_takes_over_a_send_whose_process_died_counts_the_message_once()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        // While a reply is written, its claim says what it counted.
        fixture.Model.Reply("slowly one word at a time until the end");
        var hold = new TaskCompletionSource();
        fixture.Model.HoldAfterFirstPiece = hold.Task;
        try
        {
            var (response, reader) = await OpenStreamAsync(token, "tell me slowly", "held");
            using var _ = response;
            using var __ = reader;
            while (await reader.ReadLineAsync() is { } line && !line.Contains("slowly")) { }
            Assert.Equal(
                AllowanceAccess.DayOf(fixture.Clock.GetUtcNow()).Day.ToString("yyyy-MM-dd"),
                await fixture.ScalarAsync<string>(
                    "SELECT counted_day::text FROM companion_sends WHERE user_id = @id AND client_txn_id = 'held'",
                    ("id", id)
                )
            );
            hold.SetResult();
            Assert.Equal("done", await LastEventAsync(reader));
        }
        finally
        {
            hold.TrySetResult();
            fixture.Model.HoldAfterFirstPiece = null;
        }
        Assert.Equal(1, await UsedTodayAsync(token));

        // A send whose process died mid-reply, as it left things: its message counted, its claim older than any reply.
        var now = fixture.Clock.GetUtcNow();
        await fixture.ExecuteAsync(
            "UPDATE companion_usage SET messages = messages + 1 WHERE user_id = @id AND day = @day",
            ("id", id),
            ("day", AllowanceAccess.DayOf(now).Day)
        );
        await fixture.ExecuteAsync(
            "INSERT INTO companion_sends (user_id, client_txn_id, claimed_at, counted_day) VALUES (@id, 'lost', @at, "
                + "@day)",
            ("id", id),
            ("at", now - TimeSpan.FromMinutes(10)),
            ("day", AllowanceAccess.DayOf(now).Day)
        );
        Assert.Equal(2, await UsedTodayAsync(token));
        fixture.Model.Reply("here it is");
        await (await SendAsync(token, "are you there?", "lost")).AssertStatus(201);
        Assert.Equal(2, await UsedTodayAsync(token));
        Assert.Equal(0, await RowsAsync("companion_sends", id));
    }

    [Fact]
    public async Task A_send_whose_process_died_and_that_nobody_retries_is_swept_and_its_message_given_back_once()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "answered", "answered")).AssertStatus(201);
        // As sends left things, each message counted: one whose process died mid-reply and that the client never sent
        // again, one still being answered, and the claim of the answered one, left behind by a process that died
        // right after storing it (its message counted once, by the store).
        var now = fixture.Clock.GetUtcNow();
        var day = AllowanceAccess.DayOf(now).Day;
        await fixture.ExecuteAsync(
            "UPDATE companion_usage SET messages = messages + 2 WHERE user_id = @id AND day = @day",
            ("id", id),
            ("day", day)
        );
        await fixture.ExecuteAsync(
            """
            INSERT INTO companion_sends (user_id, client_txn_id, claimed_at, counted_day)
            VALUES (@id, 'lost', @old, @day), (@id, 'live', @young, @day), (@id, 'answered', @old, @day)
            """,
            ("id", id),
            ("old", now - TimeSpan.FromMinutes(10)),
            ("young", now - TimeSpan.FromMinutes(1)),
            ("day", day)
        );
        Assert.Equal(SendPathFixture.Free, await UsedTodayAsync(token));
        await (await SendAsync(token, "one more?")).AssertProblem(429);

        // Two instances sweep at once, then one again: the lost message comes back once, and only it.
        var sweeper = fixture.Host.Services.GetRequiredService<AbandonedSendSweeper>();
        await Task.WhenAll(sweeper.SweepOnceAsync(default), sweeper.SweepOnceAsync(default));
        await sweeper.SweepOnceAsync(default);
        Assert.Equal(SendPathFixture.Free - 1, await UsedTodayAsync(token));
        Assert.Equal(
            "live",
            await fixture.ScalarAsync<string>(
                "SELECT string_agg(client_txn_id, ',') FROM companion_sends WHERE user_id = @id",
                ("id", id)
            )
        );
        await (await SendAsync(token, "one more?")).AssertStatus(201);
        Assert.Equal(SendPathFixture.Free, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task A_send_a_retry_takes_over_while_the_sweep_waits_for_its_claim_is_given_back_by_the_retry_only()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "counted")).AssertStatus(201);
        var now = fixture.Clock.GetUtcNow();
        var day = AllowanceAccess.DayOf(now).Day;
        await fixture.ExecuteAsync(
            "UPDATE companion_usage SET messages = messages + 1 WHERE user_id = @id AND day = @day",
            ("id", id),
            ("day", day)
        );
        await fixture.ExecuteAsync(
            "INSERT INTO companion_sends (user_id, client_txn_id, claimed_at, counted_day) VALUES (@id, 'lost', @at, "
                + "@day)",
            ("id", id),
            ("at", now - TimeSpan.FromMinutes(10)),
            ("day", day)
        );
        Assert.Equal(2, await UsedTodayAsync(token));

        // A retry takes the claim over (as ClaimAsync does: the claim renewed, its message given back) and commits
        // while the sweep waits for the claim.
        var takeover = await fixture.HoldAsync(
            """
            UPDATE companion_sends SET claimed_at = @now, counted_day = NULL
            WHERE user_id = @id AND client_txn_id = 'lost';
            UPDATE companion_usage SET messages = messages - 1 WHERE user_id = @id AND day = @day
            """,
            ("id", id),
            ("now", now),
            ("day", day)
        );
        Task<(int Ended, int GivenBack)> sweep;
        await using (takeover)
        {
            sweep = fixture.Host.Services.GetRequiredService<AbandonedSendSweeper>().SweepOnceAsync(default);
            await fixture.DoneOrWaitingOnALockAsync(
                () => sweep.IsCompleted,
                "%DELETE FROM companion_sends%",
                1,
                "the sweep never met the retry's claim"
            );
            await takeover.CommitAsync();
        }
        await sweep;
        Assert.Equal(1, await UsedTodayAsync(token));
        // The retry's claim stays for the retry to end.
        Assert.Equal(
            1,
            await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM companion_sends WHERE user_id = @id AND client_txn_id = 'lost' "
                    + "AND claimed_at = @now",
                ("id", id),
                ("now", now)
            )
        );
    }

    [Fact]
    public async Task A_swept_send_counted_in_a_session_gives_its_message_back_to_the_session()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        for (var i = 0; i < SendPathFixture.Free; i++)
            await (await SendAsync(token, $"message {i}")).AssertStatus(201);
        var sessionId = await ActiveSessionAsync(id, token);
        await (await SendAsync(token, "in the session")).AssertStatus(201);
        // The session's last message, counted by a send whose process died mid-reply.
        await fixture.ExecuteAsync(
            "UPDATE companion_sessions SET messages_used = messages_used + 1 WHERE id = @s",
            ("s", sessionId)
        );
        var now = fixture.Clock.GetUtcNow();
        await fixture.ExecuteAsync(
            """
            INSERT INTO companion_sends (user_id, client_txn_id, claimed_at, counted_day, counted_session_id)
            VALUES (@id, 'lost', @at, @day, @s)
            """,
            ("id", id),
            ("at", now - TimeSpan.FromMinutes(10)),
            ("day", AllowanceAccess.DayOf(now).Day),
            ("s", sessionId)
        );
        await (await SendAsync(token, "the session is used up")).AssertProblem(429);

        await fixture.Host.Services.GetRequiredService<AbandonedSendSweeper>().SweepOnceAsync(default);
        Assert.Equal(1, await SessionMessagesUsedAsync(token));
        Assert.Equal(SendPathFixture.Free, await UsedTodayAsync(token));
        await (await SendAsync(token, "given back to the session")).AssertStatus(201);
        // Used up again (the usage no longer shows it), by the message given back.
        Assert.Equal(
            SendPathFixture.SessionMessages,
            await fixture.ScalarAsync<int>(
                "SELECT messages_used FROM companion_sessions WHERE id = @id",
                ("id", sessionId)
            )
        );
    }

    private async Task<int> SessionMessagesUsedAsync(string token) =>
        (await (await fixture.Client.Get("/api/v1/companion/usage", token)).AssertStatus(200))["session"]![
            "messages_used"
        ]!.GetValue<int>();

    [Fact]
    public async Task A_send_taken_over_while_still_alive_keeps_nothing_and_gives_back_nothing_more()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        // The first send's model call is held until its retry is answered (well within Companion:Model:Timeout, so
        // the first is answered, not timed out); the retry's call is not held.
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var retried = new TaskCompletionSource();
        var calls = 0;
        fixture.Model.Hold = r =>
        {
            if (r.Chat[^1].Content != "are you there?" || Interlocked.Increment(ref calls) != 1)
                return null;
            asked.TrySetResult();
            return retried.Task;
        };
        Task<HttpResponseMessage> slow;
        try
        {
            slow = SendAsync(token, "are you there?", "slow");
            await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(
                1,
                await fixture.ScalarAsync<long>(
                    "SELECT count(*) FROM companion_sends WHERE user_id = @id AND counted_day IS NOT NULL",
                    ("id", id)
                )
            );
            // As if it had been running for ten minutes: a retry of it takes its claim over.
            await fixture.ExecuteAsync(
                "UPDATE companion_sends SET claimed_at = claimed_at - interval '10 minutes' WHERE user_id = @id",
                ("id", id)
            );
            await (await SendAsync(token, "are you there?", "slow")).AssertStatus(201);
        }
        finally
        {
            retried.TrySetResult();
            fixture.Model.Hold = null;
        }
        // The first send, answered after all, finds its claim gone: its reply is not kept and it gives nothing back.
        await (await slow).AssertProblem(409);
        Assert.Equal(1, await UsedTodayAsync(token));
        Assert.Equal(2, await RowsAsync("companion_messages", id));
        Assert.Equal(0, await RowsAsync("companion_sends", id));
    }

    [Fact]
    public async Task A_send_whose_claim_is_gone_before_it_counts_is_refused_and_counts_nothing()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        var asked = fixture.Model.Received.Count;
        // The claim goes as soon as it is made, as an erasure or a takeover would take it, for this user only.
        await fixture.ExecuteAsync(
            $"""
            CREATE OR REPLACE FUNCTION drop_companion_claim() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM companion_sends WHERE user_id = NEW.user_id AND client_txn_id = NEW.client_txn_id;
                RETURN NULL;
            END
            $$;
            CREATE TRIGGER drop_companion_claim AFTER INSERT ON companion_sends FOR EACH ROW
                WHEN (NEW.user_id = '{id}') EXECUTE FUNCTION drop_companion_claim();
            """
        );
        try
        {
            await (await SendAsync(token, "is anyone there?", "vanishing")).AssertProblem(409);
        }
        finally
        {
            await fixture.ExecuteAsync("DROP TRIGGER drop_companion_claim ON companion_sends");
        }
        Assert.Equal(0, await UsedTodayAsync(token));
        Assert.Equal(asked, fixture.Model.Received.Count);
        await (await SendAsync(token, "is anyone there?", "vanishing")).AssertStatus(201);
        Assert.Equal(1, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task An_erased_accounts_late_token_is_refused_before_the_model_is_asked_plain_and_streamed()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        // Known to the service's gate since this write, which goes on accepting the token for a few seconds.
        await (await SendAsync(token, "hello before I go")).AssertStatus(201);
        await fixture.DeliverAsync(new UserDeleted(Guid.NewGuid(), fixture.Tick(), id));

        // A token the revocation has not reached yet: refused as the account's other writes are, nothing counted.
        var plain = await (await SendAsync(token, "erased but still typing", "late-plain")).AssertProblem(403);
        Assert.Equal("This account was deleted.", plain["detail"]!.GetValue<string>());
        var (response, events) = await Sse.PostAsync(
            fixture.Client,
            Messages + "/stream",
            new { text = "erased and streaming", client_txn_id = "late-stream" },
            token
        );
        Assert.Empty(events);
        var streamed = await response.AssertProblem(403);
        Assert.Equal("This account was deleted.", streamed["detail"]!.GetValue<string>());
        // Nor a crisis message, which never counts: the safety protocol's answer is not kept for an erased account.
        await (await SendAsync(token, "I want to kill myself, erased", "late-crisis")).AssertProblem(403);

        Assert.False(ModelAsked("erased"));
        foreach (var table in new[] { "companion_usage", "companion_sends", "companion_messages", "safety_events" })
            Assert.Equal(0, await RowsAsync(table, id));
    }

    [Fact]
    public async Task Concurrent_sends_at_the_limit_never_exceed_it()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SendAsync(token, $"racing {i}")));
        Assert.Equal(SendPathFixture.Free, responses.Count(r => (int)r.StatusCode == 201));
        Assert.Equal(10 - SendPathFixture.Free, responses.Count(r => (int)r.StatusCode == 429));
        Assert.Equal(SendPathFixture.Free, await UsedTodayAsync(token));
        Assert.Equal(2 * SendPathFixture.Free, await RowsAsync("companion_messages", id));
    }

    [Fact]
    public async Task A_bought_active_session_lifts_the_limit_for_its_messages()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        for (var i = 0; i < SendPathFixture.Free; i++)
            await (await SendAsync(token, $"message {i}")).AssertStatus(201);
        await (await SendAsync(token, "refused")).AssertProblem(429);

        var sessionId = await ActiveSessionAsync(id, token);
        for (var i = 0; i < SendPathFixture.SessionMessages; i++)
            await (await SendAsync(token, $"in the session {i}")).AssertStatus(201);
        await (await SendAsync(token, "the session is used up")).AssertProblem(429);
        Assert.Equal(
            SendPathFixture.SessionMessages,
            await fixture.ScalarAsync<int>(
                "SELECT messages_used FROM companion_sessions WHERE id = @id",
                ("id", sessionId)
            )
        );
        Assert.Equal(SendPathFixture.Free, await UsedTodayAsync(token));
    }

    /// <summary>A session bought and paid for: active now.</summary>
    private async Task<Guid> ActiveSessionAsync(Guid id, string token)
    {
        using var buy = new HttpRequestMessage(HttpMethod.Post, "/api/v1/companion/sessions");
        buy.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        buy.Headers.Add("Idempotency-Key", "session-" + id);
        var sessionId = (await (await fixture.Client.SendAsync(buy)).AssertStatus(202))["id"]!.GetValue<Guid>();
        await fixture.DeliverAsync(
            new CreditsSpent(
                Guid.NewGuid(),
                fixture.Tick(),
                id,
                SendPathFixture.SessionCredits,
                PaymentPurposes.CompanionSession,
                sessionId
            )
        );
        return sessionId;
    }

    /// <summary>
    /// A streamed send straight to the service, read as it comes: the caller reads, waits or leaves at its own pace.
    /// </summary>
    private async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenStreamAsync(
        string token,
        string text,
        string txn
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Messages + "/stream")
        {
            Content = JsonContent.Create(new { text, client_txn_id = txn }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The name of the stream's last event, read to its end.</summary>
    private static async Task<string> LastEventAsync(StreamReader reader)
    {
        var last = "";
        while (await reader.ReadLineAsync() is { } line)
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                last = line["event: ".Length..];
        return last;
    }
}
