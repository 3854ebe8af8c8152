using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Tests.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Community.ServiceDefaults.Tests.Api;

public sealed class IdempotentRequestsTests : IAsyncLifetime
{
    private const string Service = "idempotencyprobe";

    // 13 + up to 7 + 1 + 32 characters: within PostgreSQL's 63, whatever the process id's length (a [..50] cut failed
    // for a 3-digit one)
    private readonly string _database = $"t_idempotent_{Environment.ProcessId}_{Guid.NewGuid():N}";
    private readonly TestClock _clock;
    private readonly TestTokens _tokens;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private int _runs;
    private int _completionOutages;
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public sealed record Thing(Guid Id, string Name);

    public IdempotentRequestsTests()
    {
        _clock = new TestClock();
        _tokens = new TestTokens(_clock);
    }

    public async Task InitializeAsync()
    {
        var connectionString = await (await TestInfrastructure.PostgresAsync()).CreateDatabaseAsync(_database);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration[$"ConnectionStrings:{ResourceNames.DatabaseOf(Service)}"] = connectionString;
        builder.Configuration["DataProtection:KeyRingPath"] = Path.Combine(
            Path.GetTempPath(),
            "community-bus-hosts-key-ring"
        );
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.AddServiceDefaults();
        builder.AddServiceDatabase<ProbeDbContext>(Service);
        builder.Services.AddSingleton<IIdempotentRequestStore>(sp => new OutagesOnCompletion(
            sp.GetRequiredService<IdempotentRequestStore>(),
            () => Volatile.Read(ref _completionOutages)
        ));
        builder.Services.AddSingleton<ISigningKeySource>(_tokens);
        _app = builder.Build();
        _app.UseServiceDefaults();
        var api = _app.MapGroup("").HonourIdempotencyKeys();
        var things = api.MapGroup("/things").RequireAuthorization();
        things.MapPost(
            "",
            (Thing body, HttpResponse response) =>
            {
                response.Headers.ETag = "\"7\"";
                return Create(body);
            }
        );
        things.MapPost(
            "/slow",
            async (Thing body) =>
            {
                _entered.TrySetResult();
                await _release.Task;
                return Create(body);
            }
        );
        things.MapPost(
            "/done-then-slow",
            async (Thing body, CancellationToken cancellationToken) =>
            {
                // what it does is done (committed), then it reads on, on the request's token, until the test's client
                // has left (a fixed delay the test had to beat could answer 201 first on a loaded machine)
                var created = Create(body);
                _entered.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
                return created;
            }
        );
        things.MapPost(
            "/failing",
            Results<Created<Thing>, ProblemHttpResult> (Thing body) =>
            {
                Interlocked.Increment(ref _runs);
                return TypedResults.Problem(statusCode: 503, detail: "down");
            }
        );
        things.MapPost(
            "/refused",
            Created<Thing> (Thing body) =>
            {
                Interlocked.Increment(ref _runs);
                throw new ConflictException("refused");
            }
        );
        things.MapPost(
            "/upload",
            async (HttpRequest request) =>
            {
                var form = await request.ReadFormAsync();
                return Create(new Thing(Guid.Empty, form["name"].ToString()));
            }
        );
        things.MapPost("/own", (Thing body) => Create(body)).HonoursIdempotencyKeyItself();
        things.MapPost("/search", (Thing body) => TypedResults.Ok(body));
        api.MapPost("/open", (Thing body) => Create(body)).AllowAnonymous();
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        _client.Dispose();
        await _app.DisposeAsync();
        _tokens.Dispose();
        await (await TestInfrastructure.PostgresAsync()).DropDatabaseAsync(_database);
    }

    private Created<Thing> Create(Thing body)
    {
        Interlocked.Increment(ref _runs);
        var thing = body with { Id = Guid.NewGuid() };
        return TypedResults.Created($"/things/{thing.Id}", thing);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string? key, string name, Guid? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(new { id = Guid.Empty, name }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Issue(user ?? Alice));
        if (key is not null)
            request.Headers.Add("Idempotency-Key", key);
        return _client.SendAsync(request);
    }

    private static readonly Guid Alice = Guid.NewGuid();
    private static readonly Guid Bob = Guid.NewGuid();

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task The_same_key_and_body_replay_the_first_answer_and_run_once()
    {
        var first = await PostAsync("/things", "k-replay", "a");
        var second = await PostAsync("/things", "k-replay", "a");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Content.Headers.ContentType, second.Content.Headers.ContentType);
        Assert.Equal("\"7\"", second.Headers.ETag?.Tag);
        Assert.False(first.Headers.Contains(IdempotentRequests.ReplayedHeader));
        Assert.Equal("true", second.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task An_answer_that_cannot_be_kept_still_reaches_the_client_and_a_brief_outage_is_waited_out()
    {
        // The database blinks as the answer is kept: kept on a later try, then replayed.
        Volatile.Write(ref _completionOutages, 1);
        var first = await PostAsync("/things", "k-blink", "a");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var replay = await PostAsync("/things", "k-blink", "a");
        Assert.Equal("true", replay.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());

        // Down for longer: the thing was made, so its answer is given, not a 500 that would send the client back to
        // make it again; a repeat meanwhile is told it is in progress.
        Volatile.Write(ref _completionOutages, 100);
        var made = await PostAsync("/things", "k-down", "b");
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        Assert.Equal("b", (await made.Content.ReadFromJsonAsync<Thing>())!.Name);
        await ProblemAsync(await PostAsync("/things", "k-down", "b"), HttpStatusCode.Conflict);
        Assert.Equal(2, _runs);
        Volatile.Write(ref _completionOutages, 0);
    }

    /// <summary>The store, its CompleteAsync failing as often in a row as <paramref name="outages"/> says.</summary>
    private sealed class OutagesOnCompletion(IIdempotentRequestStore inner, Func<int> outages) : IIdempotentRequestStore
    {
        private int _failed;

        public Task<IdempotentClaim> ClaimAsync(
            Guid userId,
            string key,
            byte[] fingerprint,
            CancellationToken cancellationToken
        ) => inner.ClaimAsync(userId, key, fingerprint, cancellationToken);

        public Task CompleteAsync(Guid userId, string key, StoredResponse response, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _failed) <= outages())
                throw new Npgsql.NpgsqlException("The database is briefly unreachable.");
            Interlocked.Exchange(ref _failed, 0);
            return inner.CompleteAsync(userId, key, response, cancellationToken);
        }

        public Task ReleaseAsync(
            Guid userId,
            string key,
            DateTimeOffset claimedAt,
            CancellationToken cancellationToken
        ) => inner.ReleaseAsync(userId, key, claimedAt, cancellationToken);
    }

    [Fact]
    public async Task A_claim_taken_over_after_its_lease_is_ended_only_by_its_taker_and_the_first_answer_kept_stays()
    {
        var store = _app.Services.GetRequiredService<IdempotentRequestStore>();
        byte[] request = [1, 2, 3];
        Task<IdempotentClaim> ClaimAsync() => store.ClaimAsync(Alice, "k-lease", request, CancellationToken.None);
        var first = await ClaimAsync();
        Assert.Equal(IdempotentClaimOutcome.Claimed, first.Outcome);
        Assert.Equal(IdempotentClaimOutcome.InProgress, (await ClaimAsync()).Outcome);

        // The first request's instance looks gone: past the lease, the same request takes the key over.
        _clock.Advance(IdempotentRequests.InProgressLease + TimeSpan.FromSeconds(1));
        var second = await ClaimAsync();
        Assert.Equal(IdempotentClaimOutcome.Claimed, second.Outcome);

        // The first was slow, not gone, and ends in a 5xx: the claim is the second's now, so it stays.
        await store.ReleaseAsync(Alice, "k-lease", first.ClaimedAt, CancellationToken.None);
        Assert.Equal(IdempotentClaimOutcome.InProgress, (await ClaimAsync()).Outcome);

        // Both finish: the answer kept first is the one replayed, then and later.
        StoredResponse Answer(string name) => new(201, "application/json", $"/things/{name}", null, [(byte)name[0]]);
        await store.CompleteAsync(Alice, "k-lease", Answer("b"), CancellationToken.None);
        await store.CompleteAsync(Alice, "k-lease", Answer("a"), CancellationToken.None);
        var replay = await ClaimAsync();
        Assert.Equal(IdempotentClaimOutcome.Completed, replay.Outcome);
        Assert.Equal("/things/b", replay.Response!.Location);

        // And a late release of either claim leaves the kept answer alone.
        await store.ReleaseAsync(Alice, "k-lease", second.ClaimedAt, CancellationToken.None);
        Assert.Equal(IdempotentClaimOutcome.Completed, (await ClaimAsync()).Outcome);
    }

    [Fact]
    public async Task A_retried_upload_with_a_new_boundary_is_the_same_request_and_replays()
    {
        // A new MultipartFormDataContent picks a new random boundary, as a browser or the SDK does for each attempt.
        Task<HttpResponseMessage> UploadAsync(byte[] file)
        {
            var form = new MultipartFormDataContent
            {
                { new StringContent("a"), "name" },
                { new ByteArrayContent(file), "file", "photo.jpg" },
            };
            var request = new HttpRequestMessage(HttpMethod.Post, "/things/upload") { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Issue(Alice));
            request.Headers.Add("Idempotency-Key", "k-upload");
            return _client.SendAsync(request);
        }
        // Larger than a read, so boundaries and the bytes held between reads are both crossed.
        var file = System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000);

        var first = await UploadAsync(file);
        var retry = await UploadAsync(file);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(1, _runs);

        // Another file under that key is another request.
        var other = file.ToArray();
        other[^1] ^= 1;
        await ProblemAsync(await UploadAsync(other), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task The_same_key_for_another_body_or_path_is_a_422_and_runs_nothing()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/things", "k-other", "a")).StatusCode);

        var otherBody = await ProblemAsync(
            await PostAsync("/things", "k-other", "b"),
            HttpStatusCode.UnprocessableEntity
        );
        Assert.Contains("another request", otherBody["detail"]!.GetValue<string>());
        await ProblemAsync(await PostAsync("/things/slow", "k-other", "a"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task A_repeat_while_the_first_runs_is_a_409_with_retry_after_and_the_replay_follows()
    {
        var first = PostAsync("/things/slow", "k-slow", "a");
        await _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var repeat = await PostAsync("/things/slow", "k-slow", "a");
        var problem = await ProblemAsync(repeat, HttpStatusCode.Conflict);
        Assert.Contains("in progress", problem["detail"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(1), repeat.Headers.RetryAfter?.Delta);

        _release.SetResult();
        var created = await first;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var replay = await PostAsync("/things/slow", "k-slow", "a");
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await created.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task A_client_that_leaves_after_the_work_is_done_finds_it_kept_when_it_retries_and_it_ran_once()
    {
        using (var gaveUp = new CancellationTokenSource())
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/things/done-then-slow")
            {
                Content = JsonContent.Create(new { id = Guid.Empty, name = "a" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Issue(Alice));
            request.Headers.Add("Idempotency-Key", "k-left");
            var first = _client.SendAsync(request, gaveUp.Token);
            await _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await gaveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
            _release.SetResult();
        }

        // The retry waits for the first to finish (409, retry after), then gets its answer: one thing made.
        HttpResponseMessage retry;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((retry = await PostAsync("/things/done-then-slow", "k-left", "a")).StatusCode == HttpStatusCode.Conflict)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first request's answer was never kept");
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues(IdempotentRequests.ReplayedHeader).Single());
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task A_5xx_or_a_refusal_is_not_kept_so_a_retry_runs_again()
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync("/things/failing", "k-fail", "a")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync("/things/failing", "k-fail", "a")).StatusCode);
        Assert.Equal(2, _runs);

        await ProblemAsync(await PostAsync("/things/refused", "k-refused", "a"), HttpStatusCode.Conflict);
        await ProblemAsync(await PostAsync("/things/refused", "k-refused", "a"), HttpStatusCode.Conflict);
        Assert.Equal(4, _runs);
    }

    [Fact]
    public async Task Keys_are_per_user_another_users_same_key_is_independent()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/things", "k-shared", "a", Alice)).StatusCode);
        var bobs = await PostAsync("/things", "k-shared", "b", Bob);
        Assert.Equal(HttpStatusCode.Created, bobs.StatusCode);
        Assert.False(bobs.Headers.Contains(IdempotentRequests.ReplayedHeader));
        Assert.Equal(2, _runs);
    }

    [Fact]
    public async Task Without_a_key_every_request_runs_and_a_malformed_key_is_a_400()
    {
        await PostAsync("/things", null, "a");
        await PostAsync("/things", null, "a");
        Assert.Equal(2, _runs);

        var problem = await ProblemAsync(
            await PostAsync("/things", new string('k', 256), "a"),
            HttpStatusCode.BadRequest
        );
        Assert.NotNull(problem["errors"]!["idempotency_key"]);
        Assert.Equal(2, _runs);
    }

    [Fact]
    public async Task Endpoints_that_keep_their_own_handling_or_do_not_create_are_left_alone()
    {
        await PostAsync("/things/own", "k-own", "a");
        await PostAsync("/things/own", "k-own", "a");
        Assert.Equal(2, _runs);

        var endpoints = _app
            .Services.GetRequiredService<EndpointDataSource>()
            .Endpoints.OfType<RouteEndpoint>()
            .ToDictionary(
                e => "/" + e.RoutePattern.RawText!.Trim('/').Replace("//", "/"),
                e => e.Metadata.GetMetadata<HonoursIdempotencyKey>()
            );
        Assert.Same(HonoursIdempotencyKey.Replayed, endpoints["/things"]);
        Assert.Same(HonoursIdempotencyKey.Replayed, endpoints["/things/failing"]);
        Assert.Same(HonoursIdempotencyKey.ByHandler, endpoints["/things/own"]);
        Assert.Null(endpoints["/things/search"]);
        Assert.Null(endpoints["/open"]);
    }

    [Fact]
    public async Task Keys_expire_after_24_hours_and_the_sweep_removes_them()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/things", "k-old", "a")).StatusCode);
        _clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/things", "k-new", "a")).StatusCode);

        var store = _app.Services.GetRequiredService<IdempotentRequestStore>();
        Assert.Equal(1, await store.SweepAsync(CancellationToken.None));
        Assert.Equal(0, await store.SweepAsync(CancellationToken.None));

        var again = await PostAsync("/things", "k-old", "b");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(3, _runs);
    }
}
