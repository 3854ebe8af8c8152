using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Community.AiCompanion.Tests;

/// <summary>
/// What one send may ask of the model: a prompt within Companion:Model:PromptCharacters (asked again without the
/// earlier messages when the endpoint's context is smaller still), and at most Companion:Model:LiveSends replies of
/// one user being written at once, whatever the tier.
/// </summary>
public sealed class SendBoundsTests(SendBoundsFixture fixture) : IClassFixture<SendBoundsFixture>
{
    private const string Messages = "/api/v1/companion/messages";

    private sealed record Answer(HttpResponseMessage Response, string? LastEvent);

    /// <summary>A plain send or a stream of <paramref name="text"/>.</summary>
    private async Task<Answer> SendAsync(string token, string text, bool streamed = false)
    {
        var body = new { text, client_txn_id = Guid.NewGuid().ToString() };
        if (!streamed)
            return new(await fixture.Client.PostJson(Messages, body, token), null);
        var (response, events) = await Sse.PostAsync(fixture.Client, Messages + "/stream", body, token);
        return new(response, events.Count > 0 ? events[^1].Name : null);
    }

    private static async Task AssertAnsweredAsync(Answer answer)
    {
        if (answer.LastEvent is null)
            await answer.Response.AssertStatus(201);
        else
            Assert.Equal("done", answer.LastEvent);
    }

    private async Task<long> UsedTodayAsync(string token) =>
        (await (await fixture.Client.Get("/api/v1/companion/usage", token)).AssertStatus(200))[
            "used_today"
        ]!.GetValue<long>();

    private Task<long> ClaimsAsync(Guid userId) =>
        fixture.ScalarAsync<long>("SELECT count(*) FROM companion_sends WHERE user_id = @id", ("id", userId));

    /// <summary><paramref name="length"/> characters of harmless text, starting with <paramref name="name"/>.</summary>
    private static string Long(string name, int length) =>
        string.Concat(name, ": ", string.Concat(Enumerable.Repeat("the garden was quiet today and ", 100)))[..length]
            .TrimEnd();

    /// <summary>Five stored exchanges: messages of 1,500 characters, replies of 1,000 (12,500 in all).</summary>
    private async Task StoreLongExchangesAsync(string token)
    {
        for (var i = 1; i <= 5; i++)
        {
            fixture.Model.Reply(Long($"reply {i}", 1000));
            await AssertAnsweredAsync(await SendAsync(token, Long($"message {i}", 1500)));
        }
    }

    private IReadOnlyList<FakeChatRequest> RequestsFor(string text) =>
        [.. fixture.Model.Received.Where(r => r.Chat[^1] == ("user", text))];

    [Fact]
    public async Task The_prompt_keeps_the_newest_earlier_messages_that_fit_its_budget()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        await StoreLongExchangesAsync(token);

        var hi = "hi " + id.ToString("N")[..8];
        await AssertAnsweredAsync(await SendAsync(token, hi));

        var chat = Assert.Single(RequestsFor(hi)).Chat;
        Assert.InRange(chat.Sum(m => m.Content.Length), 0, SendBoundsFixture.PromptCharacters);
        Assert.Equal(["system", "system"], chat.Take(2).Select(m => m.Role));
        // The newest exchange stays, whole and in order; the oldest messages went first.
        var history = chat.Skip(2).SkipLast(1).ToList();
        Assert.Equal([("user", Long("message 5", 1500)), ("assistant", Long("reply 5", 1000))], history.TakeLast(2));
        Assert.Equal("user", history[0].Role);
        Assert.DoesNotContain(history, m => m.Content.StartsWith("message 1", StringComparison.Ordinal));
    }

    public static TheoryData<bool, string> ContextRefusals =>
        new()
        {
            { false, FakeOpenAiServer.OpenAiContextError },
            { true, FakeOpenAiServer.OpenAiContextError },
            // vLLM: the code is the status, a number; older versions put the error at the top.
            {
                false,
                """
                    {"object": "error", "message": "This model's maximum context length is 1024 tokens. However, you
                     requested 1300 tokens. Please reduce the length of the messages or completion.",
                     "type": "BadRequestError", "param": null, "code": 400}
                    """.ReplaceLineEndings("")
            },
            // llama.cpp.
            {
                true,
                """
                    {"error": {"code": 400, "message": "the request exceeds the available context size, try
                     increasing it", "type": "exceed_context_size_error", "n_prompt_tokens": 1300, "n_ctx": 1024}}
                    """.ReplaceLineEndings("")
            },
        };

    [Theory]
    [MemberData(nameof(ContextRefusals))]
    public async Task A_prompt_refused_as_longer_than_the_context_is_asked_once_without_the_history_and_counted_once(
        bool streamed,
        string refusal
    )
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        await StoreLongExchangesAsync(token);
        string[] texts = ["hi " + id.ToString("N")[..8], "hi again " + id.ToString("N")[..8]];
        var logged = fixture.Logs.Entries.Count;
        // Smaller than the budget lets the history fill, larger than the rules and a short message.
        fixture.Model.ContextLimit = 3000;
        fixture.Model.ContextErrorBody = refusal;
        try
        {
            await AssertAnsweredAsync(await SendAsync(token, texts[0], streamed));
            // Again, with the exchange just stored in the history: the window did not get stuck.
            await AssertAnsweredAsync(await SendAsync(token, texts[1], streamed));
        }
        finally
        {
            fixture.Model.ContextLimit = null;
            fixture.Model.ContextErrorBody = FakeOpenAiServer.OpenAiContextError;
        }

        foreach (var text in texts)
        {
            var requests = RequestsFor(text);
            Assert.Equal(2, requests.Count);
            var (refused, retried) = (requests[0].Chat, requests[1].Chat);
            Assert.True(refused.Sum(m => m.Content.Length) > 3000);
            Assert.Equal(["system", "system", "user"], retried.Select(m => m.Role));
            Assert.Equal(("user", text), retried[^1]);
        }
        // Counted once each, and both stored.
        Assert.Equal(7, await UsedTodayAsync(token));
        Assert.Equal(
            14,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
        Assert.Equal(0, await ClaimsAsync(id));
        // The operator's budget is more than the model takes: said, without the endpoint's words.
        var entries = fixture.Logs.Entries.Skip(logged).ToList();
        Assert.Contains(entries, e => e.Level == LogLevel.Warning && e.Line.Contains("PromptCharacters"));
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(entries, e => e.Line.Contains("maximum context length is") || e.Line.Contains("n_ctx"));
    }

    [Fact]
    public async Task Sends_past_the_live_replies_of_a_user_are_a_429_counting_nothing_until_one_ends()
    {
        fixture.AwayFromMidnight();
        // Elite: no daily limit to stop them.
        var (id, token) = await fixture.RegisteredAsync(Tiers.Elite);
        var texts = Enumerable.Range(0, SendBoundsFixture.LiveSends + 1).Select(i => $"at once {i} {id:N}").ToList();
        var holds = texts.ToDictionary(
            t => t,
            _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        );
        fixture.Model.Hold = r => holds.TryGetValue(r.Chat[^1].Content, out var hold) ? hold.Task : null;
        try
        {
            // Plain and streamed alike, all at once.
            var sends = texts.Select((t, i) => Task.Run(() => SendAsync(token, t, streamed: i % 2 == 1))).ToList();
            var first = await Task.WhenAny(sends).WaitAsync(TimeSpan.FromSeconds(20));
            var refused = sends.IndexOf(first);
            var problem = await (await first).Response.AssertProblem(429);
            Assert.NotNull((await first).Response.Headers.RetryAfter?.Delta);
            Assert.Contains("still answering", problem["detail"]!.GetValue<string>());

            // The others wait for the model; the refused one never reached it, nor counted.
            await Eventually.TrueAsync(
                () => Task.FromResult(texts.Count(t => RequestsFor(t).Count > 0) == SendBoundsFixture.LiveSends),
                "the held sends did not all reach the model"
            );
            Assert.Empty(RequestsFor(texts[refused]));
            Assert.All(sends.Where(s => s != first), s => Assert.False(s.IsCompleted));
            Assert.Equal(SendBoundsFixture.LiveSends, await UsedTodayAsync(token));
            Assert.Equal(SendBoundsFixture.LiveSends, await ClaimsAsync(id));

            // One ends: a new send is taken while the rest are still being written.
            var ended = texts.FindIndex(t => t != texts[refused]);
            holds[texts[ended]].SetResult();
            await AssertAnsweredAsync(await sends[ended]);
            await AssertAnsweredAsync(await SendAsync(token, "after one ended " + id.ToString("N"), streamed: true));
            Assert.All(sends.Where((_, i) => i != ended && i != refused), s => Assert.False(s.IsCompleted));

            foreach (var hold in holds.Values)
                hold.TrySetResult();
            foreach (var send in sends.Where(s => s != first))
                await AssertAnsweredAsync(await send);
        }
        finally
        {
            foreach (var hold in holds.Values)
                hold.TrySetResult();
            fixture.Model.Hold = null;
        }
        Assert.Equal(SendBoundsFixture.LiveSends + 1, await UsedTodayAsync(token));
        Assert.Equal(0, await ClaimsAsync(id));
    }
}

/// <summary>
/// The fake model with a prompt budget of its own, two replies of a user at once, and limits long enough for a test
/// to hold replies.
/// </summary>
public sealed class SendBoundsFixture : ModelFixture
{
    public const int PromptCharacters = 6000;
    public const int LiveSends = 2;

    protected override bool WithGateway => false;

    protected override void ConfigureModel(IDictionary<string, string?> settings)
    {
        settings["Companion:Model:PromptCharacters"] = PromptCharacters.ToString(CultureInfo.InvariantCulture);
        settings["Companion:Model:LiveSends"] = LiveSends.ToString(CultureInfo.InvariantCulture);
        settings["Companion:Model:Timeout"] = "00:00:30";
        settings["Companion:Model:StreamIdleTimeout"] = "00:00:30";
    }
}
