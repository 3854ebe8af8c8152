using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Community.AiCompanion.Tests;

/// <summary>
/// A model endpoint that refuses a message (a content filter, a context too long): a 502 problem without Retry-After
/// (sending it again cannot help), nothing stored or counted, the breaker not counting it. One that refuses every call
/// (a key, model or parameter it does not take) or fails (a 5xx) leaves the model unavailable: a 503 to retry.
/// </summary>
public sealed class ModelRefusalTests(RefusingModelFixture fixture) : IClassFixture<RefusingModelFixture>
{
    private const string Messages = "/api/v1/companion/messages";

    private async Task AssertNothingKeptAsync(Guid userId, string token)
    {
        foreach (var table in new[] { "companion_messages", "companion_sends", "safety_events" })
            Assert.Equal(
                0,
                await fixture.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE user_id = @id", ("id", userId))
            );
        var usage = await (await fixture.Client.Get("/api/v1/companion/usage", token)).AssertStatus(200);
        Assert.Equal(0, usage["used_today"]!.GetValue<long>());
    }

    private static void AssertRefusal(HttpResponseMessage response, JsonNode problem)
    {
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal("The companion could not answer this message", problem["title"]!.GetValue<string>());
        Assert.Contains("rephrase", problem["detail"]!.GetValue<string>());
        Assert.DoesNotContain(FailingModelServer.ErrorText, problem.ToJsonString());
        Assert.DoesNotContain(ModelFixture.ApiKey, problem.ToJsonString());
    }

    [Fact]
    public async Task A_message_the_model_refuses_is_a_502_without_retry_after_and_a_server_error_is_still_a_503()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Refusing.Status = 400;
        fixture.Refusing.Code = "content_filter";
        var asked = fixture.Refusing.Received.Count;
        var logged = fixture.Logs.Entries.Count;
        // More than the breaker's minimum throughput: refusals are the model answering, not failing, so it stays
        // closed and each one reaches the model, once (never retried).
        for (var i = 0; i < 6; i++)
        {
            var response = await fixture.Client.PostJson(
                Messages,
                new { text = "something the filter refuses", client_txn_id = "refused" },
                token
            );
            AssertRefusal(response, await response.AssertProblem(502));
        }
        Assert.Equal(asked + 6, fixture.Refusing.Received.Count);
        await AssertNothingKeptAsync(id, token);
        Assert.Contains(
            fixture.Logs.Entries,
            e => e.Level == LogLevel.Information && e.Line.Contains("refused a message with 400")
        );
        // A message refused is nobody's error to act on: no warning.
        Assert.DoesNotContain(fixture.Logs.Entries.Skip(logged), e => e.Level >= LogLevel.Warning);

        fixture.Refusing.Status = 500;
        var failed = await fixture.Client.PostJson(Messages, new { text = "hello?", client_txn_id = "failed" }, token);
        await failed.AssertProblem(503);
        Assert.NotNull(failed.Headers.RetryAfter?.Delta);
        await AssertNothingKeptAsync(id, token);
        // The endpoint's own words are not ours to log.
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.Contains(FailingModelServer.ErrorText));
    }

    [Theory]
    [InlineData(413, null, 502)]
    [InlineData(422, "context_length_exceeded", 502)]
    [InlineData(400, "context_length_exceeded", 502)]
    [InlineData(400, "unsupported_parameter", 503)]
    [InlineData(400, null, 503)]
    [InlineData(401, "invalid_api_key", 503)]
    [InlineData(403, null, 503)]
    [InlineData(404, "model_not_found", 503)]
    public async Task A_refusal_of_the_message_is_a_502_and_of_every_call_a_503_logged_as_an_error(
        int status,
        string? code,
        int answered
    )
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Refusing.Status = status;
        fixture.Refusing.Code = code;
        var logged = fixture.Logs.Entries.Count;
        foreach (var path in new[] { Messages, Messages + "/stream" })
        {
            var response = await fixture.Client.PostJson(
                path,
                new { text = "hello?", client_txn_id = $"{status}-{code}-{path.Length}" },
                token
            );
            await response.AssertProblem(answered);
            // 503: the model unavailable, to try again (the offline reply where configured); 502: not this message.
            Assert.Equal(answered == 503, response.Headers.RetryAfter is not null);
        }
        await AssertNothingKeptAsync(id, token);
        // Refusing every call is the operator's to fix (a key, a model, a setting): an error, with the code, never
        // the endpoint's text; refusing a message is nobody's.
        var errors = fixture.Logs.Entries.Skip(logged).Where(e => e.Level >= LogLevel.Error).ToList();
        if (answered == 503)
            Assert.Contains(errors, e => e.Line.Contains($"with {status} ({code ?? "no code"})"));
        else
            Assert.Empty(errors);
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.Contains(FailingModelServer.ErrorText));
    }

    [Fact]
    public async Task A_stream_the_model_refuses_is_a_502_problem_and_a_server_error_is_still_a_503()
    {
        fixture.AwayFromMidnight();
        var (id, token) = await fixture.RegisteredAsync();
        fixture.Refusing.Status = 400;
        fixture.Refusing.Code = "content_filter";
        var (response, events) = await Sse.PostAsync(
            fixture.Client,
            Messages + "/stream",
            new { text = "something the filter refuses", client_txn_id = "s-refused" },
            token
        );
        Assert.Empty(events);
        AssertRefusal(response, await response.AssertProblem(502));
        await AssertNothingKeptAsync(id, token);

        fixture.Refusing.Status = 500;
        (response, events) = await Sse.PostAsync(
            fixture.Client,
            Messages + "/stream",
            new { text = "hello?", client_txn_id = "s-failed" },
            token
        );
        Assert.Empty(events);
        await response.AssertProblem(503);
        Assert.NotNull(response.Headers.RetryAfter);
        await AssertNothingKeptAsync(id, token);
    }
}

/// <summary>The companion against a model endpoint that answers every message with a status of the test's choosing.
/// </summary>
public sealed class RefusingModelFixture : ModelFixture
{
    public FailingModelServer Refusing { get; private set; } = null!;

    protected override bool WithGateway => false;

    protected override void ConfigureModel(IDictionary<string, string?> settings)
    {
        settings["Companion:Model:Endpoint"] = Refusing.Endpoint;
        // Opens after a few failed calls, so refusals counted as failures would soon keep the model from being asked.
        foreach (var client in new[] { "companion-model", "companion-model-stream" })
        {
            settings[$"Http:Resilience:Clients:{client}:CircuitBreaker:MinimumThroughput"] = "4";
            settings[$"Http:Resilience:Clients:{client}:CircuitBreaker:BreakDuration"] = "00:01:00";
        }
    }

    public override async Task InitializeAsync()
    {
        Refusing = await FailingModelServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Refusing.DisposeAsync();
    }
}

/// <summary>
/// An OpenAI-compatible endpoint that answers every chat completion with <see cref="Status"/> and an OpenAI error.
/// </summary>
public sealed class FailingModelServer : FakeHttpServer<FakeChatRequest>
{
    public const string ErrorText = "The fake model refused this request";

    public int Status { get; set; } = 400;

    /// <summary>The error's code: what the endpoint says is wrong, in a machine field.</summary>
    public string? Code { get; set; } = "content_filter";

    public string Endpoint => new Uri(BaseAddress, "v1").ToString();

    public static async Task<FailingModelServer> StartAsync()
    {
        var server = new FailingModelServer();
        await server.StartServerAsync();
        return server;
    }

    protected override void Map(WebApplication app) =>
        app.MapPost(
            "/v1/chat/completions",
            async (HttpContext context) =>
            {
                var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
                Record(new FakeChatRequest(context.Request.Path, body, context.Request.Headers.Authorization));
                context.Response.StatusCode = Status;
                await context.Response.WriteAsJsonAsync(
                    new
                    {
                        error = new
                        {
                            message = ErrorText,
                            type = "invalid_request_error",
                            code = Code,
                        },
                    }
                );
            }
        );
}
