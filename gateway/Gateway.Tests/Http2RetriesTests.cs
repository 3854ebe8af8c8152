using System.Net.Sockets;
using Community.Contracts;

namespace Community.Gateway.Tests;

/// <summary>
/// The gateway spoken to over HTTP/2 (cleartext, prior knowledge), where a request body may come with neither a length
/// nor Transfer-Encoding: a keyed POST sent again after an instance hung up mid-body is sent whole, or not at all.
/// </summary>
public sealed class Http2RetriesTests : IAsyncLifetime
{
    private const int BodyBytes = 200 * 1024;
    private readonly TestTokens _tokens = new();
    private FakeBackend _alive = null!;
    private GatewayHost _gateway = null!;
    private RawInstance _hangingUp = null!;
    private int _hungUp;

    public async Task InitializeAsync()
    {
        _alive = await FakeBackend.StartAsync(_tokens);
        _hangingUp = RawInstance.Start(HangUpMidBodyAsync);
        var alive = _alive.BaseAddress.ToString().TrimEnd('/');
        var hangingUp = _hangingUp.Address;
        _gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                ["Kestrel:EndpointDefaults:Protocols"] = "Http2",
                // identity (the signing keys) answers alone
                [$"Services:{ResourceNames.Identity}"] = alive,
                [$"Services:{ResourceNames.Messaging}"] = $"{alive};{hangingUp}",
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
    public async Task A_keyed_post_whose_streamed_body_an_instance_cut_is_sent_again_whole_or_refused()
    {
        using var client = new HttpClient { BaseAddress = _gateway.Address };
        var token = _tokens.Issue();
        var (whole, refused) = (0, 0);
        for (var i = 0; i < 12; i++)
        {
            // a path whose key the service honours (KeyedPosts): a PUT that reached an instance is not sent again
            using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/conversations/direct");
            post.Version = HttpVersion.Version20;
            post.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            post.Headers.Authorization = new("Bearer", token);
            post.Headers.Add(InstanceRetries.IdempotencyKeyHeader, $"key-{i}");
            post.Content = new StreamContent(new Unseekable(new byte[BodyBytes]));
            post.Content.Headers.ContentType = new("application/octet-stream");
            using var response = await client.SendAsync(post);
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Null(post.Content.Headers.ContentLength);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal(BodyBytes, (await GatewayFixture.EchoOf(response)).BodyBytes);
                whole++;
            }
            else
            {
                await GatewayFixture.ProblemOf(response, HttpStatusCode.ServiceUnavailable);
                refused++;
            }
        }

        Assert.True(Volatile.Read(ref _hungUp) > 0, "no POST reached the instance that hangs up");
        Assert.True(whole > 0, "no POST was answered by the instance that works");
        Assert.Equal(12, whole + refused);
    }

    /// <summary>A body whose length nobody knows before it ends: sent as DATA frames, with no content-length.</summary>
    private sealed class Unseekable(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private async Task HangUpMidBodyAsync(Socket socket, CancellationToken stop)
    {
        // the headers and some of the body arrive; then the "instance" dies
        var buffer = new byte[64 * 1024];
        var received = 0;
        try
        {
            while (received < buffer.Length / 2)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, stop);
                if (read == 0)
                    break;
                received += read;
            }
        }
        catch (Exception) { }
        Interlocked.Increment(ref _hungUp);
        RawInstance.Reset(socket);
    }
}
