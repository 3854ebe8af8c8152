using System.Net;
using Community.Contracts.Identity;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.ServiceDefaults.Tests.RealTime;

/// <summary>
/// One hub instance with tight limits: a call every 10 s after a burst of 5 (only a 10-s stall of a loaded machine
/// would refill the bucket between the burst's calls), messages up to 4 KB.
/// </summary>
public sealed class GuardedHubFixture : IAsyncLifetime
{
    public const int Burst = 5;
    public const int MaxMessageBytes = 4096;

    public IsolatedResources Resources { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    public TestTokens Tokens { get; private set; } = null!;
    public HubHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tokens = new TestTokens(Clock);
        Resources = await TestInfrastructure.IsolateAsync(nameof(GuardedHubFixture));
        Host = await HubHost.StartAsync(
            Resources,
            Tokens,
            Clock,
            new Dictionary<string, string?>
            {
                ["RealTime:CallsPerSecond"] = "0.1",
                ["RealTime:Burst"] = Burst.ToString(),
                ["RealTime:MaxMessageBytes"] = MaxMessageBytes.ToString(),
            }
        );
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Resources.DisposeAsync();
        Tokens.Dispose();
    }
}

public sealed class ConnectionGuardTests(GuardedHubFixture fx) : IClassFixture<GuardedHubFixture>, IAsyncLifetime
{
    private readonly List<LiveConnection> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
    }

    private async Task<LiveConnection> Connect(string token)
    {
        var client = await fx.Host.ConnectAsync(token);
        _clients.Add(client);
        return client;
    }

    private static async Task AssertOpen(LiveConnection client) =>
        Assert.Equal("ping", await client.Connection.InvokeAsync<string>("Echo", "ping"));

    [Fact]
    public async Task A_connection_without_a_valid_token_is_refused()
    {
        var none = await Assert.ThrowsAsync<HttpRequestException>(() => fx.Host.ConnectAsync(null));
        var forged = await Assert.ThrowsAsync<HttpRequestException>(() =>
            fx.Host.ConnectAsync(TestTokens.Tamper(fx.Tokens.Issue(Guid.NewGuid()), "sub", Guid.NewGuid().ToString()))
        );

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task A_request_to_the_connections_address_other_than_a_WebSocket_is_a_problem_and_connections_open()
    {
        var token = fx.Tokens.Issue(Guid.NewGuid());
        using var http = new HttpClient { BaseAddress = fx.Host.BaseAddress };
        var negotiated = await (
            await http.SendJson(HttpMethod.Post, $"{HubHost.HubPath}/negotiate?negotiateVersion=1", null, token)
        ).AssertStatus(200);
        var id = negotiated["connectionToken"]!.GetValue<string>();

        // No id, an unknown one, and the negotiated one asked without a WebSocket (as long polling would).
        foreach (
            var (method, query) in new[]
            {
                (HttpMethod.Get, ""),
                (HttpMethod.Get, "?id=unknown"),
                (HttpMethod.Get, $"?id={id}"),
                (HttpMethod.Post, $"?id={id}"),
                (HttpMethod.Delete, $"?id={id}"),
            }
        )
        {
            var answer = await http.SendJson(method, HubHost.HubPath + query, null, token);
            var problem = await answer.AssertProblem(400);
            Assert.StartsWith("This hub takes WebSocket connections only", problem["detail"]!.GetValue<string>());
            Assert.NotNull(problem["request_id"]);
        }
        // Still refused without a token first, and the WebSocket itself connects.
        await (await http.SendJson(HttpMethod.Get, HubHost.HubPath, null, null)).AssertProblem(401);
        await AssertOpen(await Connect(token));
    }

    [Fact]
    public async Task A_connection_closes_when_its_token_expires()
    {
        var now = fx.Clock.GetUtcNow().UtcDateTime;
        // Long enough to connect on a loaded machine.
        var shortLived = await Connect(fx.Tokens.Issue(subject: Guid.NewGuid().ToString(), expires: now.AddSeconds(8)));
        var longLived = await Connect(fx.Tokens.Issue(Guid.NewGuid()));
        await AssertOpen(shortLived);

        await shortLived.WaitForCloseAsync(TimeSpan.FromSeconds(30));

        await AssertOpen(longLived);
        Assert.Equal(HubConnectionState.Disconnected, shortLived.Connection.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            shortLived.Connection.InvokeAsync<string>("Echo", "too late")
        );
    }

    [Fact]
    public async Task A_connection_closes_when_its_token_expires_on_the_services_clock()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));
        await AssertOpen(client);

        // Past the token's 15 minutes; the clock skew does not keep an open connection.
        fx.Clock.Advance(TimeSpan.FromMinutes(16));

        await client.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        await AssertOpen(await Connect(fx.Tokens.Issue(Guid.NewGuid())));
    }

    [Fact]
    public async Task A_connection_whose_token_expires_is_closed_with_reconnect_allowed()
    {
        // A client with automatic reconnect comes back with a fresh token (an abort would stop it for good).
        var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(Guid.NewGuid()), reconnect: true);
        _clients.Add(client);
        await AssertOpen(client);

        fx.Clock.Advance(TimeSpan.FromMinutes(16));

        await Eventually.TrueAsync(
            () => Task.FromResult(client.Reconnects > 0),
            "the client was told not to reconnect",
            TimeSpan.FromSeconds(10)
        );
    }

    [Fact]
    public async Task An_ended_session_loses_its_open_connections_at_once_and_the_users_other_sessions_keep_theirs()
    {
        var user = Guid.NewGuid();
        var (ended, other) = (Guid.NewGuid(), Guid.NewGuid());
        var endedFirst = await Connect(SessionTokens.Issue(fx.Tokens, fx.Clock, user, ended));
        var endedSecond = await Connect(SessionTokens.Issue(fx.Tokens, fx.Clock, user, ended));
        var otherSession = await Connect(SessionTokens.Issue(fx.Tokens, fx.Clock, user, other));
        await AssertOpen(endedFirst);

        await fx.Host.PublishAsync(
            new SessionEnded(Guid.NewGuid(), fx.Clock.GetUtcNow(), user, ended, fx.Clock.GetUtcNow().AddMinutes(15))
        );

        await endedFirst.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        await endedSecond.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        await AssertOpen(otherSession);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() =>
            fx.Host.ConnectAsync(SessionTokens.Issue(fx.Tokens, fx.Clock, user, ended))
        );
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Ending_every_session_of_a_user_closes_connections_of_tokens_issued_before_and_spares_later_ones()
    {
        var user = Guid.NewGuid();
        var stranger = await Connect(fx.Tokens.Issue(Guid.NewGuid()));
        var before = await Connect(
            SessionTokens.Issue(fx.Tokens, fx.Clock, user, Guid.NewGuid(), fx.Clock.GetUtcNow().AddMinutes(-2))
        );
        var after = await Connect(
            SessionTokens.Issue(fx.Tokens, fx.Clock, user, Guid.NewGuid(), fx.Clock.GetUtcNow().AddSeconds(5))
        );
        var now = fx.Clock.GetUtcNow();

        await fx.Host.PublishAsync(
            new UserSessionsEnded(Guid.NewGuid(), now, user, now.AddMinutes(-1), "password_reset", now.AddMinutes(15))
        );

        await before.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        await AssertOpen(after);
        await AssertOpen(stranger);
    }

    [Fact]
    public async Task Calls_over_the_rate_are_answered_with_an_error_and_the_connection_stays_open()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));
        var other = await Connect(fx.Tokens.Issue(Guid.NewGuid()));

        for (var i = 0; i < GuardedHubFixture.Burst; i++)
            await AssertOpen(client);
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            client.Connection.InvokeAsync<string>("Echo", "one too many")
        );

        Assert.Contains("Too many calls", refused.Message);
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
        // Each connection has its own bucket.
        await AssertOpen(other);
        // The bucket refills at one call every 10 s (slow enough that a loaded machine's stall between the calls above
        // refills none).
        await Task.Delay(TimeSpan.FromSeconds(10.5));
        await AssertOpen(client);
    }

    [Fact]
    public async Task Calls_to_an_unknown_method_over_the_rate_are_refused_as_too_many_calls_not_explained()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));

        for (var i = 0; i < GuardedHubFixture.Burst; i++)
        {
            var explained = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Nope", i));
            Assert.Contains("Unknown hub method 'Nope'.", explained.Message);
        }
        for (var i = 0; i < 2; i++)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Nope", i));
            Assert.Contains("Too many calls: at most 0.1 per second on one connection.", refused.Message);
            Assert.DoesNotContain("Unknown hub method", refused.Message);
        }
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task Calls_with_wrongly_typed_arguments_over_the_rate_are_refused_as_too_many_calls_not_explained()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));

        // Calls served and calls that do not bind spend the same budget.
        await AssertOpen(client);
        for (var i = 1; i < GuardedHubFixture.Burst; i++)
        {
            var explained = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Echo", i));
            Assert.Contains("text (argument 1) must be a string", explained.Message);
        }
        var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Echo", 42));

        Assert.Contains("Too many calls: at most 0.1 per second on one connection.", refused.Message);
        Assert.DoesNotContain("must be a string", refused.Message);
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task Calls_that_do_not_bind_spend_the_budget_a_valid_call_then_needs()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));

        // Sent without waiting for an answer (no invocation id), so nothing is explained, yet each is charged.
        for (var i = 1; i < GuardedHubFixture.Burst; i++)
            await client.Connection.SendAsync("Nope", i);
        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Echo", "one", "two"));
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            client.Connection.InvokeAsync<string>("Echo", "valid")
        );

        Assert.Contains("Too many calls", refused.Message);
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task A_call_that_does_not_bind_within_the_rate_is_still_explained()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));

        var unknown = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Nope"));
        var extra = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("Echo", "one", "two"));

        Assert.Contains("HubException: Unknown hub method 'Nope'.", unknown.Message);
        Assert.Contains("HubException: Echo(text) takes 1 argument; 2 given.", extra.Message);
        await AssertOpen(client);
    }

    [Fact]
    public async Task A_method_with_a_limit_of_its_own_is_refused_sooner_and_the_connections_other_calls_go_on()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));

        Assert.Equal("typing", await client.Connection.InvokeAsync<string>("Typing"));
        Assert.Equal("typing", await client.Connection.InvokeAsync<string>("Typing"));
        var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<string>("Typing"));

        Assert.Contains("Too many Typing calls", refused.Message);
        await AssertOpen(client);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_closes_only_its_connection_with_a_reason()
    {
        var client = await Connect(fx.Tokens.Issue(Guid.NewGuid()));
        var other = await Connect(fx.Tokens.Issue(Guid.NewGuid()));

        // The client sends what it is given; the server's limit is what refuses it.
        var oversized = new string('x', GuardedHubFixture.MaxMessageBytes * 2);
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            client.Connection.InvokeAsync<string>("Echo", oversized)
        );

        var close = await client.WaitForCloseAsync(TimeSpan.FromSeconds(10));
        // A close message with an error (its detail stays on the server, detailed errors being off), not a dropped
        // socket.
        const string closeError =
            "The server closed the connection with the following error: Connection closed with an error.";
        Assert.Equal(closeError, Assert.IsType<HubException>(close).Message);
        Assert.Equal(closeError, refused.Message);
        await AssertOpen(other);
    }

    [Fact]
    public async Task The_guard_forgets_closed_connections()
    {
        var guard = fx.Host.Services.GetRequiredService<HubSessionGuard>();
        var userId = Guid.NewGuid();
        var client = await Connect(fx.Tokens.Issue(userId));
        await AssertOpen(client);
        Assert.True(guard.Watches(userId));

        await client.DisposeAsync();
        _clients.Remove(client);

        // Asked about this user only: other tests' connections may still be closing.
        await Eventually.TrueAsync(() => Task.FromResult(!guard.Watches(userId)), "the guard kept a closed connection");
    }
}
