using System.Net.Sockets;

namespace Community.Testing;

/// <summary>
/// A multipart upload over a raw socket that declares its whole length, sends only the start of its body and then
/// waits, as a slow or hostile client does: what the server answers meanwhile (or once it gives up on the rest) is read
/// with <see cref="ResponseAsync"/>; disposing it drops the connection.
/// </summary>
public sealed class StalledUpload : IAsyncDisposable
{
    private const string Boundary = "stalled-upload-boundary";
    private readonly TcpClient client;
    private readonly NetworkStream stream;

    private StalledUpload(TcpClient client)
    {
        this.client = client;
        stream = client.GetStream();
    }

    /// <summary>
    /// POSTs to <paramref name="path"/> a form whose file field declares <paramref name="declaredBytes"/> in all
    /// (Content-Length), and sends <paramref name="sentBytes"/> of it.
    /// </summary>
    public static async Task<StalledUpload> StartAsync(
        Uri baseAddress,
        string path,
        string token,
        long declaredBytes,
        int sentBytes,
        string? idempotencyKey = null
    )
    {
        var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var upload = new StalledUpload(client);
        var start = Encoding.ASCII.GetBytes(
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n"
        );
        var head = Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nAuthorization: Bearer {token}\r\n"
                + (idempotencyKey is null ? "" : $"Idempotency-Key: {idempotencyKey}\r\n")
                + $"Content-Type: multipart/form-data; boundary={Boundary}\r\n"
                + $"Content-Length: {declaredBytes}\r\n\r\n"
        );
        await upload.stream.WriteAsync(head);
        await upload.stream.WriteAsync(start);
        // JPEG's start of image, then filler: the server reads the part, it never gets to judge the image.
        var body = new byte[Math.Max(0, sentBytes - start.Length)];
        if (body.Length >= 2)
            (body[0], body[1]) = (0xFF, 0xD8);
        await upload.stream.WriteAsync(body);
        await upload.stream.FlushAsync();
        return upload;
    }

    /// <summary>The status and body of the server's answer, sent before the rest of the upload.</summary>
    public async Task<(int Status, string Headers, string Body)> ResponseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
                throw new IOException("The server closed the connection without an answer.");
            received.Write(buffer, 0, read);
        }
        var head = Encoding.ASCII.GetString(received.GetBuffer(), 0, headEnd);
        var headers = head.Split("\r\n")
            .Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var chunked = headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding == "chunked";
        var length = headers.TryGetValue("Content-Length", out var declared) ? int.Parse(declared) : 0;
        // Read to the end of the body: its declared length, the last chunk, or the connection's end.
        while (
            chunked
                ? !Encoding
                    .ASCII.GetString(received.GetBuffer(), headEnd, (int)received.Length - headEnd)
                    .EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)
                : received.Length < headEnd + 4 + length
        )
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
                break;
            received.Write(buffer, 0, read);
        }
        var body = Encoding.UTF8.GetString(received.GetBuffer(), headEnd + 4, (int)received.Length - headEnd - 4);
        return (int.Parse(head.Split(' ', 3)[1]), head, chunked ? Unchunked(body) : body);
    }

    private static string Unchunked(string body)
    {
        var text = new StringBuilder();
        for (var at = 0; ; )
        {
            var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[at..lineEnd].Split(';')[0], 16);
            if (size == 0)
                return text.ToString();
            text.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static int IndexOfHeadEnd(MemoryStream received)
    {
        var bytes = received.GetBuffer().AsSpan(0, (int)received.Length);
        return bytes.IndexOf("\r\n\r\n"u8);
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
