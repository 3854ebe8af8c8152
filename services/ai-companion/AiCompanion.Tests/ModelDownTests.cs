using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Community.AiCompanion.Tests;

/// <summary>
/// A model that fails or hangs: a 503 problem with Retry-After (never a hang), nothing stored, no key anywhere.
/// </summary>
public sealed class ModelDownTests(ModelDownFixture fixture) : IClassFixture<ModelDownFixture>
{
    private const string Messages = "/api/v1/companion/messages";

    private async Task<T> FailingAsync<T>(FakeOpenAiFailure failure, Func<Task<T>> act)
    {
        fixture.Model.Failure = failure;
        try
        {
            return await act();
        }
        finally
        {
            fixture.Model.Failure = FakeOpenAiFailure.None;
        }
    }

    /// <summary>
    /// One whole and one streamed exchange that succeed, so a timed request that follows measures the model's timeout
    /// and not the first request's warm-up on a loaded machine.
    /// </summary>
    private async Task WarmAsync(string token)
    {
        await (
            await fixture.Client.PostJson(Messages, new { text = "warm", client_txn_id = "warm-1" }, token)
        ).AssertStatus(201);
        var (_, events) = await Sse.PostAsync(
            fixture.Client,
            Messages + "/stream",
            new { text = "warm", client_txn_id = "warm-2" },
            token
        );
        Assert.Equal("done", events[^1].Name);
    }

    private Task<long> StoredAsync(Guid userId) =>
        fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", userId));

    [Fact]
    public async Task A_failing_model_is_a_503_with_retry_after_after_the_platforms_retries_and_nothing_is_stored()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var before = fixture.Model.Received.Count;
        var response = await FailingAsync(
            FakeOpenAiFailure.ServerError,
            () => fixture.Client.PostJson(Messages, new { text = "hello?", client_txn_id = "down-1" }, token)
        );
        var problem = await response.AssertProblem(503);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        // The whole-reply call is marked repeatable, so the platform's handler retried it twice.
        Assert.Equal(3, fixture.Model.Received.Count - before);
        Assert.DoesNotContain(ModelFixture.ApiKey, problem.ToJsonString());
        Assert.DoesNotContain("fake model failed", problem.ToJsonString());
        Assert.Equal(0, await StoredAsync(id));

        // The user simply sends again once the model is back.
        await (
            await fixture.Client.PostJson(Messages, new { text = "hello?", client_txn_id = "down-1" }, token)
        ).AssertStatus(201);
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.Contains(ModelFixture.ApiKey));
    }

    [Fact]
    public async Task A_hanging_model_is_a_503_within_the_timeout()
    {
        var (id, token) = await fixture.RegisteredAsync();
        await WarmAsync(token);
        var stored = await StoredAsync(id);
        var clock = Stopwatch.StartNew();
        var response = await FailingAsync(
            FakeOpenAiFailure.Hang,
            () => fixture.Client.PostJson(Messages, new { text = "anyone?", client_txn_id = "hang-1" }, token)
        );
        await response.AssertProblem(503);
        // The model hangs until its request is aborted: the 3 s timeout ended it, well before anything else would (the
        // bound leaves a loaded machine its time).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(stored, await StoredAsync(id));
    }

    [Fact]
    public async Task A_stream_whose_model_fails_before_its_first_piece_is_a_503_problem()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var (response, events) = await FailingAsync(
            FakeOpenAiFailure.ServerError,
            () =>
                Sse.PostAsync(
                    fixture.Client,
                    Messages + "/stream",
                    new { text = "stream?", client_txn_id = "sdown-1" },
                    token
                )
        );
        Assert.Empty(events);
        await response.AssertProblem(503);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(0, await StoredAsync(id));
    }

    [Fact]
    public async Task A_stream_whose_model_hangs_is_a_503_within_the_timeout()
    {
        var (_, token) = await fixture.RegisteredAsync();
        await WarmAsync(token);
        var clock = Stopwatch.StartNew();
        var (response, _) = await FailingAsync(
            FakeOpenAiFailure.Hang,
            () =>
                Sse.PostAsync(
                    fixture.Client,
                    Messages + "/stream",
                    new { text = "hang?", client_txn_id = "shang-1" },
                    token
                )
        );
        await response.AssertProblem(503);
        // The model hangs until its request is aborted: the 3 s timeout ended it, well before anything else would (the
        // bound leaves a loaded machine its time).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_stream_that_breaks_midway_ends_with_an_error_event_and_stores_nothing()
    {
        var (id, token) = await fixture.RegisteredAsync();
        var (response, events) = await FailingAsync(
            FakeOpenAiFailure.DropMidStream,
            () =>
                Sse.PostAsync(
                    fixture.Client,
                    Messages + "/stream",
                    new { text = "midway", client_txn_id = "drop-1" },
                    token
                )
        );
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(events, e => e.Name == "delta");
        var error = events[^1];
        Assert.Equal("error", error.Name);
        Assert.Equal(503, error.Data["status"]!.GetValue<int>());
        // a problem as any other: the request's id to quote, as the response's header says it
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), error.Data["request_id"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Name == "done");
        Assert.Equal(0, await StoredAsync(id));
    }
}

/// <summary>Companion:Model is checked when the service starts; the refusal never repeats the key.</summary>
public sealed class ModelOptionsTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    [Theory]
    [InlineData("ftp://models.example", "m")]
    [InlineData("not a url", "m")]
    [InlineData("http://models.example/v1", "")]
    public void A_bad_model_configuration_stops_the_start(string endpoint, string model)
    {
        var failure = Assert.ThrowsAny<Exception>(() =>
            fixture.StartHost(
                new Dictionary<string, string?>
                {
                    ["Companion:Model:Endpoint"] = endpoint,
                    ["Companion:Model:Model"] = model,
                    ["Companion:Model:ApiKey"] = ModelFixture.ApiKey,
                }
            )
        );
        Assert.Contains("Companion:Model", failure.ToString());
        Assert.DoesNotContain(ModelFixture.ApiKey, failure.ToString());
    }

    [Fact]
    public void The_start_reports_its_own_failure_when_the_host_is_gone_before_the_test_starts_it()
    {
        // The application's Main starts (and on failure disposes) the host while the factory is about to start it:
        // held here until the host is gone, the factory meets a disposed host (as it did once in CI).
        using var host = new ServiceHost<Program>(
            fixture.HostSettings(
                new Dictionary<string, string?>
                {
                    ["Companion:Model:Endpoint"] = "not a url",
                    ["Companion:Model:Model"] = "m",
                    ["Companion:Model:ApiKey"] = ModelFixture.ApiKey,
                }
            ),
            fixture.ConfigureServices
        )
        {
            Built = UntilDisposed,
        };
        var failure = Assert.ThrowsAny<Exception>(() => host.Start());
        Assert.Contains("Companion:Model:Endpoint must be an absolute http(s) URL", failure.ToString());
        Assert.DoesNotContain(ModelFixture.ApiKey, failure.ToString());
    }

    private static void UntilDisposed(IHost host)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                host.Services.GetService<IHostApplicationLifetime>();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            Thread.Sleep(10);
        }
        throw new TimeoutException("the application never gave up its start");
    }
}

/// <summary>The offline responder answers when the model fails and Companion:Model:FallbackToOffline is on.</summary>
public sealed class FallbackTests(FallbackFixture fixture) : IClassFixture<FallbackFixture>
{
    [Fact]
    public async Task A_failing_model_is_answered_by_the_offline_responder_plain_and_streamed()
    {
        var (_, token) = await fixture.RegisteredAsync();
        fixture.Model.Failure = FakeOpenAiFailure.ServerError;
        try
        {
            var exchange = await (
                await fixture.Client.PostJson(
                    "/api/v1/companion/messages",
                    new { text = "are you there?", client_txn_id = "fb-1" },
                    token
                )
            ).AssertStatus(201);
            Assert.Equal("offline", exchange["reply"]!["responder"]!.GetValue<string>());
            Assert.Contains(
                Conversation.Model.OfflineResponder.Honesty,
                exchange["reply"]!["text"]!.GetValue<string>()
            );

            var (_, events) = await Sse.PostAsync(
                fixture.Client,
                "/api/v1/companion/messages/stream",
                new { text = "still there?", client_txn_id = "fb-2" },
                token
            );
            Assert.Equal("offline", events[^1].Data["responder"]!.GetValue<string>());
            Assert.Contains(Conversation.Model.OfflineResponder.Honesty, events.Text());
        }
        finally
        {
            fixture.Model.Failure = FakeOpenAiFailure.None;
        }
        Assert.NotEmpty(fixture.Model.Received);
    }
}

/// <summary>
/// The platform's circuit breaker around the model: once open, no request reaches the model and the answer is a 503 at
/// once.
/// </summary>
public sealed class BreakerTests(BreakerFixture fixture) : IClassFixture<BreakerFixture>
{
    [Fact]
    public async Task An_open_breaker_answers_503_without_calling_the_model()
    {
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Model.Failure = FakeOpenAiFailure.ServerError;
        for (var i = 0; i < 2; i++)
            await (
                await fixture.Client.PostJson(
                    "/api/v1/companion/messages",
                    new { text = "fail", client_txn_id = $"b-{i}" },
                    token
                )
            ).AssertProblem(503);
        fixture.Model.Failure = FakeOpenAiFailure.None;

        var asked = fixture.Model.Received.Count;
        var response = await fixture.Client.PostJson(
            "/api/v1/companion/messages",
            new { text = "now?", client_txn_id = "b-open" },
            token
        );
        await response.AssertProblem(503);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.Equal(asked, fixture.Model.Received.Count);
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM companion_messages WHERE user_id = @id", ("id", id))
        );
    }
}
