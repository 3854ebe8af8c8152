using Community.AiCompanion.Conversation;
using Community.AiCompanion.Conversation.Safety;

namespace Community.AiCompanion.Tests;

/// <summary>
/// Safety and limits through the real endpoints: the crisis protocol on the user's message and on the model's reply
/// (plain and streamed through the gateway), the advice and minors' filters, break reminders, and the daily allowance
/// around it all.
/// </summary>
public sealed partial class SendPathTests(SendPathFixture fixture) : IClassFixture<SendPathFixture>
{
    private const string Messages = "/api/v1/companion/messages";

    private Task<HttpResponseMessage> SendAsync(string token, string text, string? txn = null) =>
        fixture.Client.PostJson(Messages, new { text, client_txn_id = txn ?? Guid.NewGuid().ToString() }, token);

    private Task<(HttpResponseMessage Response, IReadOnlyList<SseEvent> Events)> StreamAsync(
        string token,
        string text,
        string? txn = null
    ) =>
        Sse.PostAsync(
            fixture.GatewayClient!,
            Messages + "/stream",
            new { text, client_txn_id = txn ?? Guid.NewGuid().ToString() },
            token
        );

    private bool ModelAsked(string text) => fixture.Model.Received.Any(r => r.Chat.Any(m => m.Content.Contains(text)));

    private async Task<long> UsedTodayAsync(string token) =>
        (await (await fixture.Client.Get("/api/v1/companion/usage", token)).AssertStatus(200))[
            "used_today"
        ]!.GetValue<long>();

    private Task<string?> EventsAsync(Guid userId) =>
        fixture.ScalarAsync<string>(
            "SELECT string_agg(stage || ':' || category, ',' ORDER BY stage, category) FROM safety_events WHERE "
                + "user_id = @id",
            ("id", userId)
        );

    /// <summary>How many rows of <paramref name="table"/> (companion_messages, companion_sends) the user has.</summary>
    private Task<long> RowsAsync(string table, Guid userId) =>
        fixture.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE user_id = @id", ("id", userId));

    private Task<string?> StoredAsync(Guid replyId) =>
        fixture.ScalarAsync<string>("SELECT text FROM companion_messages WHERE id = @id", ("id", replyId));

    private static string Str(JsonNode node, string path) =>
        path.Split('.').Aggregate(node, (n, p) => n[p]!).GetValue<string>();

    private static DateOnly BornYearsAgo(DateTimeOffset now, int years) =>
        DateOnly.FromDateTime(now.UtcDateTime).AddYears(-years).AddDays(-10);

    [Fact]
    public async Task A_reply_of_nothing_but_blanks_or_what_cannot_be_stored_is_no_reply_streamed_or_not()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();

        // Streamed: a space in pieces, then the end. Shown as it came, then an error; nothing stored or counted.
        fixture.Model.Reply(" ");
        var (_, events) = await StreamAsync(token, "say nothing");
        Assert.Equal("error", events[^1].Name);
        Assert.Equal(503, events[^1].Data["status"]!.GetValue<int>());
        // Whole: only a NUL, which cannot be stored.
        fixture.Model.Reply("\u0000");
        await (await SendAsync(token, "say nothing again")).AssertProblem(503);

        Assert.Equal(0, await UsedTodayAsync(token));
        Assert.Equal(0, await RowsAsync("companion_messages", id));
        Assert.Equal(0, await RowsAsync("companion_sends", id));
    }

    [Fact]
    public async Task A_crisis_message_gets_the_countrys_resources_without_the_model_and_is_recorded_without_text()
    {
        var (id, token) = await fixture.RegisteredAsync();
        await fixture.ProfileAsync(id, country: "GB");
        const string said = "Honestly I want to kill myself tonight";

        var exchange = await (await SendAsync(token, said)).AssertStatus(201);
        Assert.Equal(CompanionDisclosure.FirstReply + CrisisResources.MessageFor("GB"), Str(exchange, "reply.text"));
        Assert.Contains("Samaritans", Str(exchange, "reply.text"));
        Assert.Equal("crisis", Str(exchange, "reply.safety"));
        Assert.Equal("safety", Str(exchange, "reply.responder"));
        Assert.Equal(said, Str(exchange, "message.text"));
        Assert.False(ModelAsked("kill myself"));
        // Streamed through the gateway: the crisis message as the reply, the model still never asked.
        var (response, events) = await StreamAsync(token, "i'm so done, kms");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(CrisisResources.MessageFor("GB"), events.Text());
        Assert.Equal("crisis", events[^1].Data["reply"]!["safety"]!.GetValue<string>());
        Assert.Equal("done", events[^1].Name);
        Assert.False(ModelAsked("kms"));

        Assert.Equal("input:self_harm,input:self_harm", await EventsAsync(id));
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM safety_events e WHERE (e.*)::text ILIKE '%kill%' OR (e.*)::text ILIKE '%kms%'"
            )
        );
        // A crisis reply costs no model call and is not counted; the history shows it as it was shown.
        Assert.Equal(0, await UsedTodayAsync(token));
        var history = await (await fixture.Client.Get("/api/v1/companion/conversation", token)).AssertStatus(200);
        Assert.Equal(
            ["crisis", "crisis"],
            history["items"]!.AsArray().Where(m => Str(m!, "role") == "assistant").Select(m => Str(m!, "safety"))
        );
    }

    [Fact]
    public async Task A_user_in_crisis_past_the_daily_limit_still_gets_the_crisis_resources()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        await fixture.ProfileAsync(id, country: "AU");
        for (var i = 0; i < SendPathFixture.Free; i++)
            await (await SendAsync(token, $"ordinary {i}")).AssertStatus(201);
        var refused = await SendAsync(token, "one more");
        await refused.AssertProblem(429);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);

        var crisis = await (await SendAsync(token, "I don't want to live anymore")).AssertStatus(201);
        Assert.Equal(CrisisResources.MessageFor("AU"), Str(crisis, "reply.text"));
        Assert.Contains("13 11 14", Str(crisis, "reply.text"));
        var (_, events) = await StreamAsync(token, "i feel suicidal");
        Assert.Equal(CrisisResources.MessageFor("AU"), events.Text());
        Assert.Equal(SendPathFixture.Free, await UsedTodayAsync(token));
    }

    [Fact]
    public async Task A_model_reply_with_a_crisis_phrase_or_the_risk_marker_is_replaced_never_stored_or_shown()
    {
        var (id, token) = await fixture.RegisteredAsync();
        await fixture.ProfileAsync(id, country: "US");
        fixture.Model.Reply(
            "Honestly, maybe you should kill yourself.",
            SafetyGuard.RiskMarker + " I'm worried about what you said."
        );

        var phrase = await (await SendAsync(token, "Nobody would notice if I left.")).AssertStatus(201);
        Assert.Equal(CompanionDisclosure.FirstReply + CrisisResources.MessageFor("US"), Str(phrase, "reply.text"));
        Assert.Equal("crisis", Str(phrase, "reply.safety"));
        var marker = await (await SendAsync(token, "I gave my things away.")).AssertStatus(201);
        Assert.Equal(CrisisResources.MessageFor("US"), Str(marker, "reply.text"));
        Assert.Contains("988", Str(marker, "reply.text"));

        Assert.True(ModelAsked("I gave my things away."));
        Assert.Equal("output:self_harm,output:self_harm_model", await EventsAsync(id));
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM companion_messages WHERE user_id = @id AND (text ILIKE '%kill yourself%' OR "
                    + "text LIKE '%[[risk]]%' OR text LIKE '%worried about what%')",
                ("id", id)
            )
        );
        // The model was asked, so the message counts.
        Assert.Equal(2, await UsedTodayAsync(token));
    }

    [Theory]
    [InlineData("That sounds so hard. Honestly, maybe you should kill yourself and be done.", "kill", "self_harm")]
    [InlineData("Thank you for telling me. [[risk]] I am worried about you.", "risk", "self_harm_model")]
    public async Task A_streamed_reply_stops_before_the_phrase_and_the_client_is_told_to_replace_what_it_showed(
        string reply,
        string never,
        string category
    )
    {
        var (id, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "hello first")).AssertStatus(201);
        fixture.Model.Reply(reply);
        var (_, events) = await StreamAsync(token, "Everything is grey lately.");

        var shown = events.Text();
        Assert.False(string.IsNullOrEmpty(shown), "the safe start of the reply is released before the hit");
        Assert.DoesNotContain(never, shown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(
            events,
            e => e.Data.ToJsonString().Contains(never, StringComparison.OrdinalIgnoreCase) && e.Name != "done"
        );
        Assert.Equal(["delta", "replace", "done"], events.Select(e => e.Name).Distinct());
        var replace = Assert.Single(events, e => e.Name == "replace");
        Assert.Equal(CrisisResources.MessageFor(null), replace.Data["text"]!.GetValue<string>());
        Assert.Equal("crisis", replace.Data["safety"]!.GetValue<string>());
        Assert.Equal("done", events[^1].Name);
        Assert.True(
            events.ToList().IndexOf(replace) > events.ToList().FindLastIndex(e => e.Name == "delta"),
            "no delta after replace"
        );

        var done = events[^1].Data;
        Assert.Equal(replace.Data["text"]!.GetValue<string>(), done["reply"]!["text"]!.GetValue<string>());
        Assert.Equal("crisis", done["reply"]!["safety"]!.GetValue<string>());
        Assert.Equal(
            replace.Data["text"]!.GetValue<string>(),
            await StoredAsync(Guid.Parse(done["reply_id"]!.GetValue<string>()))
        );
        Assert.EndsWith("output:" + category, await EventsAsync(id));
    }

    [Fact]
    public async Task Advice_in_the_models_reply_is_replaced_by_a_kind_refusal_plain_and_streamed()
    {
        var (id, token) = await fixture.RegisteredAsync();
        await (await SendAsync(token, "hi")).AssertStatus(201);
        var context = new SafetyContext(id, null, null, fixture.Clock.GetUtcNow());
        fixture.Model.Reply(
            "Honestly, you should sue them for every penny.",
            "Easy: put your savings into bitcoin today."
        );

        var legal = await (await SendAsync(token, "My landlord kept my deposit.")).AssertStatus(201);
        Assert.Equal(SafetyGuard.Verdict(SafetyCategories.LegalAdvice, context).Replacement, Str(legal, "reply.text"));
        Assert.Equal("refusal", Str(legal, "reply.safety"));

        var (_, events) = await StreamAsync(token, "What should I do with my money?");
        Assert.DoesNotContain("bitcoin", events.Text());
        var refusal = SafetyGuard.Verdict(SafetyCategories.FinancialAdvice, context).Replacement;
        Assert.Equal(refusal, Assert.Single(events, e => e.Name == "replace").Data["text"]!.GetValue<string>());
        Assert.Equal("refusal", events[^1].Data["reply"]!["safety"]!.GetValue<string>());
        Assert.Equal(refusal, await StoredAsync(Guid.Parse(events[^1].Data["reply_id"]!.GetValue<string>())));
        Assert.Equal("output:financial_advice,output:legal_advice", await EventsAsync(id));
    }

    [Fact]
    public async Task A_minor_gets_the_minors_rules_and_a_refusal_of_romance_without_the_model()
    {
        var (id, token) = await fixture.RegisteredAsync(Tiers.Elite);
        await fixture.ProfileAsync(id, country: "US", dateOfBirth: BornYearsAgo(fixture.Clock.GetUtcNow(), 15));
        var minor = new SafetyContext(id, "US", 15, fixture.Clock.GetUtcNow());

        await (await SendAsync(token, "school was long today")).AssertStatus(201);
        var systems = fixture
            .Model.Received.Last(r => r.Chat[^1].Content == "school was long today")
            .Chat.Where(m => m.Role == "system")
            .Select(m => m.Content)
            .ToList();
        Assert.Equal([CompanionPrompt.Role, new SafetyGuard().SystemPromptRules(minor)], systems);
        Assert.Contains("under 18", systems[1]);

        var refused = await (await SendAsync(token, "will you be my girlfriend?")).AssertStatus(201);
        Assert.Equal(SafetyGuard.Verdict(SafetyCategories.RomanceMinor, minor).Replacement, Str(refused, "reply.text"));
        Assert.Equal("refusal", Str(refused, "reply.safety"));
        Assert.False(ModelAsked("girlfriend"));
        Assert.Equal("input:romance_minor", await EventsAsync(id));
    }

    [Fact]
    public async Task A_minor_gets_a_break_reminder_with_the_first_reply_after_3_hours_of_continuous_use()
    {
        var (id, _) = await fixture.RegisteredAsync(Tiers.Elite);
        await fixture.ProfileAsync(id, dateOfBirth: BornYearsAgo(fixture.Clock.GetUtcNow(), 16));
        var reminded = new List<int>();
        for (var minute = 0; minute <= 175; minute += 25)
        {
            var exchange = await (
                await SendAsync(fixture.Tokens.Issue(id, tier: Tiers.Elite), $"minute {minute}")
            ).AssertStatus(201);
            if (exchange["reply"]!["reminder"] is not null)
                reminded.Add(minute);
            fixture.Clock.Advance(TimeSpan.FromMinutes(minute == 175 ? 10 : 25));
        }
        Assert.Empty(reminded);

        // The 185th minute, streamed: the reminder is an event before done, and kept beside the reply (not in its
        // text).
        var (_, events) = await StreamAsync(fixture.Tokens.Issue(id, tier: Tiers.Elite), "still here");
        var reminder = Assert.Single(events, e => e.Name == "reminder");
        Assert.Equal(BreakReminder.Text, reminder.Data["text"]!.GetValue<string>());
        Assert.Equal(events.Count - 2, events.ToList().IndexOf(reminder));
        Assert.Equal(BreakReminder.Text, events[^1].Data["reply"]!["reminder"]!.GetValue<string>());
        Assert.DoesNotContain("take a break", events.Text());
        Assert.Equal(
            BreakReminder.Text,
            await fixture.ScalarAsync<string>(
                "SELECT reminder FROM companion_messages WHERE id = @id",
                ("id", Guid.Parse(events[^1].Data["reply_id"]!.GetValue<string>()))
            )
        );

        var next = await (await SendAsync(fixture.Tokens.Issue(id, tier: Tiers.Elite), "and now?")).AssertStatus(201);
        Assert.Null(next["reply"]!["reminder"]);
        Assert.DoesNotContain(fixture.Model.Received.Last().Chat, m => m.Content.Contains("take a break"));
    }

    [Fact]
    public async Task A_break_reminder_due_with_a_reply_that_was_not_kept_comes_with_the_next_reply()
    {
        var (id, _) = await fixture.RegisteredAsync(Tiers.Elite);
        await fixture.ProfileAsync(id, dateOfBirth: BornYearsAgo(fixture.Clock.GetUtcNow(), 16));
        string Token() => fixture.Tokens.Issue(id, tier: Tiers.Elite);
        for (var minute = 0; minute <= 175; minute += 25)
        {
            var exchange = await (await SendAsync(Token(), $"minute {minute}")).AssertStatus(201);
            Assert.Null(exchange["reply"]!["reminder"]);
            fixture.Clock.Advance(TimeSpan.FromMinutes(minute == 175 ? 10 : 25));
        }

        // The 185th minute: the reply due the reminder is not kept (the conversation is forgotten while it is written).
        fixture.Model.Reply("slowly one word at a time until the end");
        var forgotten = new TaskCompletionSource();
        fixture.Model.HoldAfterFirstPiece = forgotten.Task;
        var events = new List<string>();
        try
        {
            var (response, reader) = await OpenStreamAsync(Token(), "tell me slowly", "reminder-not-kept");
            using var _ = response;
            using var __ = reader;
            while (await reader.ReadLineAsync() is { } line && !line.Contains("slowly")) { }
            await (
                await fixture.Client.SendJson(HttpMethod.Delete, "/api/v1/companion/conversation", null, Token())
            ).AssertStatus(204);
            // The rest of the reply only once the conversation is forgotten.
            forgotten.SetResult();
            while (await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                    events.Add(line["event: ".Length..]);
        }
        finally
        {
            forgotten.TrySetResult();
            fixture.Model.HoldAfterFirstPiece = null;
        }
        Assert.Equal("error", events[^1]);
        Assert.DoesNotContain("reminder", events);

        var next = await (await SendAsync(Token(), "are you still there?")).AssertStatus(201);
        Assert.Equal(BreakReminder.Text, next["reply"]!["reminder"]?.GetValue<string>());
    }
}
