using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Community.Contracts;

namespace Community.Gateway.Tests;

/// <summary>
/// A service with two instances behind the gateway, which waits 1 s on a silent one: one answers, the other reads each
/// request and never answers (an instance stuck in its database), though it passes its health checks. A request that
/// timed out there may still be applied by it.
/// </summary>
public sealed class TimedOutRetriesTests : IAsyncLifetime
{
    private readonly TestTokens _tokens = new();
    private readonly ConcurrentQueue<Socket> _held = new();
    private readonly ConcurrentDictionary<string, int> _stuck = new();
    private FakeBackend _alive = null!;
    private RawInstance _silent = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _alive = await FakeBackend.StartAsync(_tokens);
        _silent = RawInstance.Start(AnswerNothingAsync);
        var alive = _alive.BaseAddress.ToString().TrimEnd('/');
        var silent = _silent.Address;
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = alive,
                [$"Services:{ResourceNames.Messaging}"] = $"{silent};{alive}",
                [GatewayProxyConfig.ServiceTimeoutKey] = "1",
            }
        );
    }

    public async Task DisposeAsync()
    {
        await _silent.DisposeAsync();
        while (_held.TryDequeue(out var socket))
            socket.Dispose();
        await _gateway.DisposeAsync();
        await _alive.DisposeAsync();
        _tokens.Dispose();
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task An_idempotent_write_that_timed_out_is_not_sent_to_another_instance(string method)
    {
        var token = _tokens.Issue();
        var (answered, refused) = (0, 0);
        for (var i = 0; i < 40 && Stuck(method) == 0; i++)
        {
            using var write = Request(new HttpMethod(method), token, method == "PUT" ? "{\"muted\":true}" : null);
            var response = await _gateway.Client.SendAsync(write);
            if (response.StatusCode == HttpStatusCode.OK)
                answered++;
            else
            {
                // the stuck instance may still apply it: the client decides, with the problem it got
                await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
                refused++;
            }
        }

        Assert.True(Stuck(method) > 0, $"no {method} reached the instance that answers nothing");
        Assert.Equal(Stuck(method), refused);
        Assert.Equal(answered, _alive.Received.Count(r => r.Method == method && r.Path == Path));
    }

    [Fact]
    public async Task A_read_that_timed_out_is_answered_by_the_other_instance()
    {
        var token = _tokens.Issue();
        for (var i = 0; i < 40 && Stuck("GET") == 0; i++)
        {
            using var read = Request(HttpMethod.Get, token);
            Assert.Equal(HttpStatusCode.OK, (await _gateway.Client.SendAsync(read)).StatusCode);
        }

        Assert.True(Stuck("GET") > 0, "no GET reached the instance that answers nothing");
    }

    [Fact]
    public async Task A_hub_request_that_timed_out_gets_a_problem_naming_the_service_not_its_pinned_cluster()
    {
        var token = _tokens.Issue();
        // no affinity cookie kept: each negotiation picks an instance afresh
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false })
        {
            BaseAddress = _gateway.Address,
        };
        for (var i = 0; i < 40 && Stuck("POST") == 0; i++)
        {
            using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/messaging/negotiate");
            negotiate.Headers.Authorization = new("Bearer", token);
            var response = await client.SendAsync(negotiate);
            if (response.StatusCode == HttpStatusCode.OK)
                continue;
            var problem = await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("The messaging service is unavailable.", problem.GetProperty("detail").GetString());
        }

        Assert.True(Stuck("POST") > 0, "no negotiation reached the instance that answers nothing");
    }

    private const string Path = "/api/v1/conversations/5f0c2a52-8d3e-4d53-9a43-3f1a0e4b7c11/mute";

    private int Stuck(string method) => _stuck.GetValueOrDefault(method);

    private static HttpRequestMessage Request(HttpMethod method, string token, string? body = null)
    {
        var request = new HttpRequestMessage(method, Path);
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    // Health probes are answered (the instance looks ready); every other request is read, counted and held unanswered.
    private async Task AnswerNothingAsync(Socket socket, CancellationToken stop)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, stop);
                if (received == 0)
                    break;
                var text = Encoding.ASCII.GetString(buffer, 0, received);
                if (text.StartsWith("GET /health", StringComparison.Ordinal))
                {
                    await socket.SendAsync(
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(),
                        SocketFlags.None,
                        stop
                    );
                    continue;
                }
                var method = text[..Math.Max(0, text.IndexOf(' ', StringComparison.Ordinal))];
                _stuck.AddOrUpdate(method, 1, (_, n) => n + 1);
                _held.Enqueue(socket);
                return;
            }
        }
        catch (Exception) { }
        socket.Dispose();
    }
}
