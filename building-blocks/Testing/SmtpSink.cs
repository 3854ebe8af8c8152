using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Community.Testing;

/// <summary>
/// A minimal SMTP server on loopback that accepts every message and keeps it, so tests read
/// the e-mails a service really sent through its SMTP client.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public sealed record Message(string From, IReadOnlyList<string> To, string Data)
    {
        /// <summary>The decoded text body (single-part messages, as our services send them).</summary>
        public string Body
        {
            get
            {
                var split = Data.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var i and >= 0
                    ? i
                    : Data.IndexOf("\n\n", StringComparison.Ordinal);
                var headers = split < 0 ? "" : Data[..split];
                var body = split < 0 ? Data : Data[split..].TrimStart('\r', '\n');
                if (headers.Contains("Content-Transfer-Encoding: base64", StringComparison.OrdinalIgnoreCase))
                    return Encoding.UTF8.GetString(
                        Convert.FromBase64String(string.Concat(body.Split('\n').Select(l => l.Trim())))
                    );
                if (headers.Contains("Content-Transfer-Encoding: quoted-printable", StringComparison.OrdinalIgnoreCase))
                    return DecodeQuotedPrintable(body);
                return body;
            }
        }

        private static string DecodeQuotedPrintable(string text)
        {
            var joined = text.Replace("=\r\n", "").Replace("=\n", "");
            var bytes = new List<byte>();
            for (var i = 0; i < joined.Length; i++)
            {
                if (
                    joined[i] == '='
                    && i + 2 < joined.Length
                    && Uri.IsHexDigit(joined[i + 1])
                    && Uri.IsHexDigit(joined[i + 2])
                )
                {
                    bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                    bytes.AddRange(Encoding.UTF8.GetBytes(joined[i].ToString()));
            }
            return Encoding.UTF8.GetString(bytes.ToArray());
        }
    }

    public ConcurrentQueue<Message> Messages { get; } = new();

    /// <summary>
    /// Recipients refused as a real server refuses an unknown one: 550 with the address in the reply's text.
    /// </summary>
    public Func<string, bool> Refuses { get; set; } = _ => false;

    private volatile TaskCompletionSource _open = Opened();

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <summary>
    /// Until the returned handle is disposed, a connection is accepted but not greeted: a client waits as for a mail
    /// server that has stopped answering. Disposing lets every waiting one go on.
    /// </summary>
    public IDisposable Hold()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _open = held;
        return new Release(() =>
        {
            _open = Opened();
            held.TrySetResult();
        });
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    public int Port { get; }

    public SmtpSink()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>
    /// Waits for a message to <paramref name="to"/> (polling, bounded by <paramref name="timeout"/>, 30 s by default).
    /// </summary>
    public Task<Message> WaitForAsync(string to, TimeSpan? timeout = null) => WaitForAsync(to, "", timeout);

    /// <summary>
    /// Waits for a message to <paramref name="to"/> whose body holds <paramref name="containing"/> (the latest such),
    /// for mail a service sends after its answer.
    /// </summary>
    public async Task<Message> WaitForAsync(string to, string containing, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var found = Messages.LastOrDefault(m =>
                m.To.Any(t => t.Contains(to, StringComparison.OrdinalIgnoreCase))
                && m.Body.Contains(containing, StringComparison.Ordinal)
            );
            if (found is not null)
                return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No e-mail to {to} holding '{containing}' arrived.");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await _open.Task;
        await writer.WriteLineAsync("220 sink ready");
        string from = "";
        var to = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 sink");
                    break;
                case "MAIL":
                    from = line[(line.IndexOf(':') + 1)..].Trim();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "RCPT":
                    var recipient = line[(line.IndexOf(':') + 1)..].Trim();
                    if (Refuses(recipient.Trim('<', '>')))
                    {
                        await writer.WriteLineAsync($"550 5.1.1 {recipient}: Recipient address rejected: User unknown");
                        break;
                    }
                    to.Add(recipient);
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 end with .");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                        data.AppendLine(dataLine.StartsWith("..") ? dataLine[1..] : dataLine);
                    Messages.Enqueue(new Message(from, to.ToList(), data.ToString()));
                    to.Clear();
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
    }
}
