using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Net.Sockets;
using System.Text;
using Community.Contracts;

namespace Community.Gateway.Tests;

/// <summary>
/// Two services with two instances each behind the gateway. Messaging's first instance reads each request whole and
/// then hangs up without answering (killed after it applied the request, before it wrote an answer); social's first
/// address has nothing listening; events' first address names a host that does not resolve; payments' first address
/// is https, and what listens there answers the TLS handshake with plain text. The second of each answers.
/// </summary>
public sealed class ReachedWritesTests : IAsyncLifetime
{
    private readonly TestTokens _tokens = new();
    private readonly ConcurrentDictionary<string, int> _dropped = new();
    private FakeBackend _alive = null!;
    private RawInstance _hangingUp = null!;
    private RawInstance _notTls = null!;
    private ForwardsTo _toNotTls = null!;
    private ForwardsTo _toDead = null!;
    private ForwardsTo _toUnresolved = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _alive = await FakeBackend.StartAsync(_tokens);
        _hangingUp = RawInstance.Start(ReadWholeThenHangUpAsync);
        _notTls = RawInstance.Start(AnswerTheHandshakeInPlainTextAsync);
        var alive = _alive.BaseAddress.ToString().TrimEnd('/');
        var dead = GatewayHost.DeadAddress();
        _toDead = new ForwardsTo(dead);
        _toUnresolved = new ForwardsTo(Unresolved);
        _toNotTls = new ForwardsTo(NotTls);
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = alive,
                [$"Services:{ResourceNames.Messaging}"] = $"{_hangingUp.Address};{alive}",
                [$"Services:{ResourceNames.Social}"] = $"{dead};{alive}",
                [$"Services:{ResourceNames.Events}"] = $"{Unresolved};{alive}",
                [$"Services:{ResourceNames.Payments}"] = $"{NotTls};{alive}",
            }
        );
    }

    public async Task DisposeAsync()
    {
        await _hangingUp.DisposeAsync();
        await _notTls.DisposeAsync();
        await _gateway.DisposeAsync();
        await _alive.DisposeAsync();
        _toDead.Dispose();
        _toUnresolved.Dispose();
        _toNotTls.Dispose();
        _tokens.Dispose();
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task An_idempotent_write_an_instance_read_whole_is_not_sent_to_the_other(string method)
    {
        var token = _tokens.Issue();
        // the gateway picks an instance at random: until one reached the instance that hangs up
        for (var i = 0; i < 40 && Dropped(method) == 0; i++)
        {
            var (aliveBefore, droppedBefore) = (Received(method, MessagingPath), Dropped(method));
            using var write = Request(new HttpMethod(method), token, MessagingPath);
            using var response = await _gateway.Client.SendAsync(write);
            if (Dropped(method) > droppedBefore)
            {
                // it may have been applied there: the client decides, with the problem it got
                await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
                Assert.Equal(aliveBefore, Received(method, MessagingPath));
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(aliveBefore + 1, Received(method, MessagingPath));
            }
        }

        Assert.True(Dropped(method) > 0, $"no {method} reached the instance that hangs up");
    }

    [Fact]
    public async Task A_read_an_instance_read_whole_is_answered_by_the_other()
    {
        var token = _tokens.Issue();
        var sent = 0;
        for (; sent < 40 && Dropped("GET") == 0; sent++)
        {
            using var read = Request(HttpMethod.Get, token, MessagingPath);
            using var response = await _gateway.Client.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(Dropped("GET") > 0, "no GET reached the instance that hangs up");
        Assert.Equal(sent, Received("GET", MessagingPath));
    }

    [Fact]
    public Task A_delete_the_first_instance_refused_is_sent_to_the_other() =>
        DeletesReachTheOtherAsync(_toDead, SocialPath, "the address where nothing listens");

    [Fact]
    public Task A_delete_whose_first_instance_name_does_not_resolve_is_sent_to_the_other() =>
        DeletesReachTheOtherAsync(_toUnresolved, EventsPath, "the address whose name does not resolve");

    [Fact]
    public Task A_delete_whose_first_instance_failed_the_tls_handshake_is_sent_to_the_other() =>
        DeletesReachTheOtherAsync(_toNotTls, PaymentsPath, "the address that fails the handshake");

    /// <summary>
    /// DELETEs to <paramref name="path"/> until one was sent to the instance that never gets it (the gateway picks at
    /// random): every one answered 200 by the other.
    /// </summary>
    private async Task DeletesReachTheOtherAsync(ForwardsTo first, string path, string what)
    {
        var token = _tokens.Issue();
        var sent = 0;
        for (; sent < 40 && first.Count == 0; sent++)
        {
            using var delete = Request(HttpMethod.Delete, token, path);
            using var response = await _gateway.Client.SendAsync(delete);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(first.Count > 0, $"no DELETE was sent to {what}");
        Assert.Equal(sent, Received("DELETE", path));
    }

    // Reads the client's hello and answers in plain HTTP, as an instance serving no TLS does.
    private async Task AnswerTheHandshakeInPlainTextAsync(Socket socket, CancellationToken stop)
    {
        using var _ = socket;
        try
        {
            var hello = new byte[4096];
            await socket.ReceiveAsync(hello, SocketFlags.None, stop);
            await socket.SendAsync("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"u8.ToArray(), stop);
        }
        catch (Exception) { }
    }

    // .invalid never resolves (RFC 6761)
    private const string Unresolved = "http://instance-gone.invalid:8080";
    private string NotTls => _notTls.Address.Replace("http:", "https:", StringComparison.Ordinal);
    private const string PaymentsPath = "/api/v1/subscriptions/me";
    private const string EventsPath = "/api/v1/events/5f0c2a52-8d3e-4d53-9a43-3f1a0e4b7c11/registrations/me";
    private const string MessagingPath = "/api/v1/conversations/5f0c2a52-8d3e-4d53-9a43-3f1a0e4b7c11/mute";
    private const string SocialPath = "/api/v1/follows/5f0c2a52-8d3e-4d53-9a43-3f1a0e4b7c11";

    private int Dropped(string method) => _dropped.GetValueOrDefault(method);

    private int Received(string method, string path) =>
        _alive.Received.Count(r => r.Method == method && r.Path == path);

    private static HttpRequestMessage Request(HttpMethod method, string token, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (method == HttpMethod.Put)
            request.Content = new StringContent("{\"muted\":true}", Encoding.UTF8, "application/json");
        return request;
    }

    // Reads the head and as many body bytes as its Content-Length says, then resets the connection; health probes are
    // dropped uncounted.
    private async Task ReadWholeThenHangUpAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        var received = 0;
        try
        {
            while (received < buffer.Length && !IsWhole(buffer.AsSpan(0, received)))
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, stop);
                if (read == 0)
                    break;
                received += read;
            }
        }
        catch (Exception) { }
        var text = Encoding.ASCII.GetString(buffer, 0, received);
        if (IsWhole(buffer.AsSpan(0, received)) && !text.StartsWith("GET /health", StringComparison.Ordinal))
            _dropped.AddOrUpdate(text[..text.IndexOf(' ', StringComparison.Ordinal)], 1, (_, n) => n + 1);
        RawInstance.Reset(socket);
    }

    private static bool IsWhole(ReadOnlySpan<byte> request)
    {
        var headEnd = request.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
            return false;
        var head = Encoding.ASCII.GetString(request[..headEnd]);
        var length = head.Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line => int.Parse(line["Content-Length:".Length..].Trim()))
            .FirstOrDefault();
        return request.Length >= headEnd + 4 + length;
    }

    /// <summary>
    /// Counts the forwards YARP starts to one address (its own telemetry names each one's destination): an attempt on
    /// an address where nothing listens leaves no other trace.
    /// </summary>
    private sealed class ForwardsTo(string address) : EventListener
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Yarp.ReverseProxy")
                EnableEvents(source, EventLevel.Informational);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (
                e.EventName == "ForwarderStart"
                && e.Payload?[0] is string prefix
                && prefix.StartsWith(address, StringComparison.Ordinal)
            )
                Interlocked.Increment(ref _count);
        }
    }
}
