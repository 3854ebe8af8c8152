using System.Net.Sockets;
using System.Text;
using Community.Contracts;

namespace Community.Gateway.Tests;

/// <summary>
/// A service with three instances behind the gateway: one answers, one is gone (nothing listens on its port), one
/// takes each connection, reads the request and hangs up without answering (an instance killed mid-request).
/// </summary>
public sealed class InstanceRetriesTests : IAsyncLifetime
{
    private readonly TestTokens _tokens = new();
    private FakeBackend _alive = null!;
    private GatewayHost _gateway = null!;
    private RawInstance _hangingUp = null!;
    private int _hungUp;

    public async Task InitializeAsync()
    {
        _alive = await FakeBackend.StartAsync(_tokens);
        _hangingUp = RawInstance.Start(HangUpOnEveryRequestAsync);
        var alive = _alive.BaseAddress.ToString().TrimEnd('/');
        var hangingUp = _hangingUp.Address;
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = $"{alive};{GatewayHost.DeadAddress()};{hangingUp}",
                [$"Services:{ResourceNames.Messaging}"] = $"{alive};{GatewayHost.DeadAddress()};{hangingUp}",
            }
        );
    }

    public async Task DisposeAsync()
    {
        await _hangingUp.DisposeAsync();
        await _gateway.DisposeAsync();
        await _alive.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task Reads_and_keyed_posts_are_answered_by_the_instance_that_works()
    {
        var token = _tokens.Issue();
        for (var i = 0; i < 15; i++)
        {
            using var read = Request(HttpMethod.Get, token);
            Assert.Equal(HttpStatusCode.OK, (await _gateway.Client.SendAsync(read)).StatusCode);

            // a path whose key the service honours (KeyedPosts): a repeat is answered from what it stored
            using var write = Request(HttpMethod.Post, token, body: $"{{\"text\":\"message {i}\"}}", KeyedPath);
            write.Headers.Add(InstanceRetries.IdempotencyKeyHeader, $"key-{i}");
            var echo = await GatewayFixture.EchoOf(await _gateway.Client.SendAsync(write));
            Assert.Equal(Encoding.UTF8.GetByteCount($"{{\"text\":\"message {i}\"}}"), echo.BodyBytes);
        }
    }

    [Theory]
    // No key, or a blank one (what the services read as no key at all: the first instance's work would not be found
    // by the second); a key on a PATCH, which no service keeps (they replay POSTs only); or a key on a POST whose
    // path is not one the service keeps keys for (KeyedPosts: marking a conversation read, a password change).
    [InlineData("POST", null, Path)]
    [InlineData("POST", " ", Path)]
    [InlineData("PATCH", "patch-once", Path)]
    [InlineData("POST", "read-once", "/api/v1/conversations/5f0c2a52-8d3e-4d53-9a43-3f1a0e4b7c11/read")]
    [InlineData("POST", "unlisted-once", Path)]
    public async Task A_write_not_replayed_by_its_key_that_reached_an_instance_is_never_sent_twice(
        string method,
        string? key,
        string path
    )
    {
        var token = _tokens.Issue();
        var before = _alive.Received.Count(r => r.Method == method && r.Path == path);
        var hungUpBefore = Volatile.Read(ref _hungUp);
        var (answered, refused) = (0, 0);
        for (var i = 0; i < 30; i++)
        {
            using var write = Request(new HttpMethod(method), token, body: "{\"text\":\"once\"}", path);
            if (key is not null)
                write.Headers.TryAddWithoutValidation(InstanceRetries.IdempotencyKeyHeader, key);
            var response = await _gateway.Client.SendAsync(write);
            if (response.StatusCode == HttpStatusCode.OK)
                answered++;
            else
            {
                // the hung-up instance may have acted on it: the client decides, with the problem it got
                await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
                refused++;
            }
        }

        var hungUp = Volatile.Read(ref _hungUp) - hungUpBefore;
        Assert.True(hungUp > 0, $"no {method} reached the instance that hangs up");
        Assert.Equal(answered, _alive.Received.Count(r => r.Method == method && r.Path == path) - before);
        // every write the hanging-up instance read ended as a 503, none was replayed on the working one
        Assert.Equal(hungUp, refused);
        Assert.Equal(30, answered + refused);
    }

    [Theory]
    [InlineData("/api/v1/waitlist/status?email=someone%40example.com", "/api/v1/waitlist/status")]
    [InlineData("/api/v1/auth/external/fake/callback?code=c&state=s", "/api/v1/auth/external/fake/callback")]
    public async Task A_get_that_acts_once_is_never_sent_twice(string request, string path)
    {
        var token = _tokens.Issue();
        var before = _alive.Received.Count(r => r.Method == "GET" && r.Path == path);
        var hungUpBefore = Volatile.Read(ref _hungUp);
        var (answered, refused) = (0, 0);
        // 15: the waitlist's own limit (20 an hour from an address) stays out of it
        for (var i = 0; i < 15; i++)
        {
            using var get = Request(HttpMethod.Get, token, path: request);
            var response = await _gateway.Client.SendAsync(get);
            if (response.StatusCode == HttpStatusCode.OK)
                answered++;
            else
            {
                await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
                refused++;
            }
        }

        var hungUp = Volatile.Read(ref _hungUp) - hungUpBefore;
        Assert.True(hungUp > 0, $"no GET {path} reached the instance that hangs up");
        Assert.Equal(answered, _alive.Received.Count(r => r.Method == "GET" && r.Path == path) - before);
        Assert.Equal(hungUp, refused);
    }

    private const string Path = "/api/v1/conversations";
    private const string KeyedPath = "/api/v1/conversations/direct";

    private static HttpRequestMessage Request(HttpMethod method, string token, string? body = null, string path = Path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    private async Task HangUpOnEveryRequestAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[8192];
        var received = 0;
        try
        {
            // the request line and headers (and a small body) arrive; then the "instance" dies
            received = await socket.ReceiveAsync(buffer, SocketFlags.None, stop);
        }
        catch (Exception) { }
        var text = Encoding.ASCII.GetString(buffer, 0, received);
        var write =
            text.StartsWith("POST ", StringComparison.Ordinal)
            || text.StartsWith("PATCH ", StringComparison.Ordinal)
            || text.StartsWith("GET /api/v1/waitlist/status?email", StringComparison.Ordinal)
            || text.StartsWith("GET /api/v1/auth/external/", StringComparison.Ordinal);
        if (write && !text.Contains("Idempotency-Key: key-"))
            Interlocked.Increment(ref _hungUp);
        RawInstance.Reset(socket);
    }
}
