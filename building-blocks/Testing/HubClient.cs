using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Community.Testing;

/// <summary>A server-to-client call the client received: the client method's name and its arguments.</summary>
public sealed record HubInvocation(string Target, IReadOnlyList<JsonElement> Arguments)
{
    public T Argument<T>(int index) => Arguments[index].Deserialize<T>(Json.Options)!;
}

/// <summary>How the connection ended: the server's close message error, or what the socket said.</summary>
public sealed record HubClose(string? Error, WebSocketCloseStatus? Status);

/// <summary>A hub method call the server answered with an error completion (a HubException, a refused call).</summary>
public sealed class HubInvocationException(string error) : Exception(error);

/// <summary>The connection could not be made: negotiate refused it (<see cref="Status"/>) or the handshake failed.</summary>
public sealed class HubConnectException(HttpStatusCode? status, string message) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// A SignalR client for tests that speaks the JSON hub protocol over a real <see cref="ClientWebSocket"/>,
/// as a browser does: negotiate (token in the Authorization header), then the WebSocket with the
/// connection token and the access token in the query, the handshake, invocations and completions,
/// pings both ways and the close message. Every server-to-client call is kept in order.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly Channel<HubInvocation> _invocations = Channel.CreateUnbounded<HubInvocation>();
    private readonly List<HubInvocation> _received = [];
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement?>> _pending = new();
    private readonly TaskCompletionSource<string?> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<HubClose> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _closeError;
    private Task _receiving = Task.CompletedTask;
    private Task _keepingAlive = Task.CompletedTask;
    private int _nextInvocationId;

    private HubClient(ClientWebSocket socket, string connectionId)
    {
        _socket = socket;
        ConnectionId = connectionId;
    }

    /// <summary>The id the server knows this connection by (from negotiate); empty when the connection skipped negotiation.</summary>
    public string ConnectionId { get; }

    /// <summary>Server-to-client calls, each read once, in the order received.</summary>
    public ChannelReader<HubInvocation> Invocations => _invocations.Reader;

    /// <summary>Completes when the connection ends, with the server's close error if it sent one.</summary>
    public Task<HubClose> Closed => _closed.Task;

    /// <summary>Every server-to-client call received so far, in order.</summary>
    public IReadOnlyList<HubInvocation> Received
    {
        get { lock (_received) return [.. _received]; }
    }

    public IReadOnlyList<HubInvocation> ReceivedOf(string target) => [.. Received.Where(i => i.Target == target)];

    /// <summary>
    /// Negotiates and connects to the hub at <paramref name="hubPath"/> (e.g. "/hubs/chat") of <paramref name="baseAddress"/>.
    /// With <paramref name="skipNegotiation"/> the WebSocket is opened at once, as SignalR clients do behind a load balancer
    /// (negotiate and the WebSocket could otherwise land on different instances).
    /// </summary>
    public static async Task<HubClient> ConnectAsync(
        Uri baseAddress, string hubPath, string? accessToken, CancellationToken cancellationToken = default, bool skipNegotiation = false)
    {
        var connectionToken = skipNegotiation ? new ConnectionToken("", "") : await NegotiateAsync(baseAddress, hubPath, accessToken, cancellationToken);
        var socket = new ClientWebSocket();
        var parameters = new List<string>();
        if (!skipNegotiation) parameters.Add($"id={Uri.EscapeDataString(connectionToken.Token)}");
        if (accessToken is not null) parameters.Add($"access_token={Uri.EscapeDataString(accessToken)}");
        var query = string.Join('&', parameters);
        var ws = new UriBuilder(new Uri(baseAddress, hubPath)) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Query = query }.Uri;
        try
        {
            await socket.ConnectAsync(ws, cancellationToken);
        }
        catch (WebSocketException e)
        {
            socket.Dispose();
            throw new HubConnectException(null, $"The WebSocket to {hubPath} was refused: {e.Message}");
        }
        var client = new HubClient(socket, connectionToken.ConnectionId);
        client._receiving = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        await client.SendRecordAsync("""{"protocol":"json","version":1}""", cancellationToken);
        var error = await client._handshake.Task.WaitAsync(DefaultWait, cancellationToken);
        if (error is not null)
        {
            await client.DisposeAsync();
            throw new HubConnectException(null, $"The handshake was refused: {error}");
        }
        client._keepingAlive = Task.Run(client.KeepAliveLoopAsync, CancellationToken.None);
        return client;
    }

    private sealed record ConnectionToken(string ConnectionId, string Token);

    private static async Task<ConnectionToken> NegotiateAsync(Uri baseAddress, string hubPath, string? accessToken, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{hubPath.TrimEnd('/')}/negotiate?negotiateVersion=1");
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new HubConnectException(response.StatusCode, $"negotiate answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        if (json.RootElement.TryGetProperty("error", out var error)) throw new HubConnectException(response.StatusCode, $"negotiate refused: {error}");
        return new ConnectionToken(json.RootElement.GetProperty("connectionId").GetString()!, json.RootElement.GetProperty("connectionToken").GetString()!);
    }

    /// <summary>Calls hub method <paramref name="method"/> and waits for its completion: the result, or a <see cref="HubInvocationException"/> with the server's error.</summary>
    public Task<JsonElement?> InvokeAsync(string method, params object?[] args) => InvokeWithinAsync(DefaultWait, method, args);

    /// <summary>As <see cref="InvokeAsync(string, object?[])"/>, for a call the server may take longer than usual to answer.</summary>
    public async Task<JsonElement?> InvokeWithinAsync(TimeSpan wait, string method, params object?[] args)
    {
        var id = Interlocked.Increment(ref _nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        if (Closed.IsCompleted) completion.TrySetException(new HubInvocationException("The connection is closed."));
        else await SendRecordAsync(Invocation(id, method, args), CancellationToken.None);
        try
        {
            return await completion.Task.WaitAsync(wait);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    // The protocol's own members are camelCase; the arguments are in the platform's wire format, as the hub reads them.
    private static string Invocation(string id, string method, object?[] args) => new JsonObject
    {
        ["type"] = 1, ["invocationId"] = id, ["target"] = method, ["arguments"] = JsonSerializer.SerializeToNode(args, Json.Options),
    }.ToJsonString();

    /// <summary>As <see cref="InvokeAsync(string, object?[])"/>, the result read as <typeparamref name="T"/>.</summary>
    public async Task<T> InvokeAsync<T>(string method, params object?[] args) =>
        (await InvokeAsync(method, args)) is { } result ? result.Deserialize<T>(Json.Options)! : default!;

    /// <summary>Sends any text as one hub protocol record (the separator is added), for messages a real client would not send.</summary>
    public Task SendRawAsync(string record) => SendRecordAsync(record, CancellationToken.None);

    /// <summary>The first server-to-client call to <paramref name="target"/> (matching <paramref name="match"/>) received so far or from now on.</summary>
    public async Task<HubInvocation> WaitForAsync(string target, Func<HubInvocation, bool>? match = null, TimeSpan? timeout = null)
    {
        var found = await WaitUntilAsync(all => all.FirstOrDefault(i => i.Target == target && (match?.Invoke(i) ?? true)), timeout);
        return found ?? throw new TimeoutException($"{target} never arrived at {ConnectionId}.");
    }

    /// <summary>Waits until <paramref name="count"/> calls to <paramref name="target"/> have arrived, and returns all of them (more if more came).</summary>
    public async Task<IReadOnlyList<HubInvocation>> WaitForCountAsync(string target, int count, TimeSpan? timeout = null)
    {
        var found = await WaitUntilAsync(all => all.Count(i => i.Target == target) >= count ? all.Where(i => i.Target == target).ToList() : null, timeout);
        return found ?? throw new TimeoutException($"{ReceivedOf(target).Count} of {count} {target} calls arrived at {ConnectionId}.");
    }

    /// <summary>How the connection ended, once it has (a <see cref="TimeoutException"/> if it stays open).</summary>
    public Task<HubClose> WaitForCloseAsync(TimeSpan? timeout = null) => Closed.WaitAsync(timeout ?? DefaultWait);

    private async Task<T?> WaitUntilAsync<T>(Func<IReadOnlyList<HubInvocation>, T?> probe, TimeSpan? timeout) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (true)
        {
            var arrived = Volatile.Read(ref _arrived);
            if (probe(Received) is { } found) return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || Closed.IsCompleted) return null;
            await Task.WhenAny(arrived.Task, Task.Delay(left));
        }
    }

    private async Task SendRecordAsync(string record, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(record + RecordSeparator);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        // The server drops a client silent for 30 s (ClientTimeoutInterval): a ping every 10 s keeps an idle test connection.
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                await Task.Delay(KeepAliveInterval, _stop.Token);
                await SendRecordAsync("""{"type":6}""", _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The connection is over; ReceiveLoopAsync reports how.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        var bytes = new MemoryStream();
        WebSocketCloseStatus? status = null;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    status = result.CloseStatus;
                    break;
                }
                bytes.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                text.Append(Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length));
                bytes.SetLength(0);
                int end;
                while ((end = text.ToString().IndexOf(RecordSeparator)) >= 0)
                {
                    var record = text.ToString(0, end);
                    text.Remove(0, end + 1);
                    Handle(record);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted by the server or by DisposeAsync: the connection is closed either way.
        }
        finally
        {
            _handshake.TrySetResult("the connection closed before the handshake answer");
            _closed.TrySetResult(new HubClose(_closeError, status));
            foreach (var pending in _pending.Values) pending.TrySetException(new HubInvocationException("The connection closed before the call completed."));
            _invocations.Writer.TryComplete();
            Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private void Handle(string record)
    {
        using var json = JsonDocument.Parse(record);
        var root = json.RootElement;
        if (!_handshake.Task.IsCompleted)
        {
            _handshake.TrySetResult(root.TryGetProperty("error", out var refused) ? refused.GetString() : null);
            return;
        }
        switch (root.GetProperty("type").GetInt32())
        {
            case 1:
                var invocation = new HubInvocation(
                    root.GetProperty("target").GetString()!,
                    [.. root.GetProperty("arguments").EnumerateArray().Select(a => a.Clone())]);
                lock (_received) _received.Add(invocation);
                _invocations.Writer.TryWrite(invocation);
                Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                break;
            case 3:
                if (!_pending.TryGetValue(root.GetProperty("invocationId").GetString()!, out var completion)) break;
                if (root.TryGetProperty("error", out var error)) completion.TrySetException(new HubInvocationException(error.GetString()!));
                else completion.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : null);
                break;
            case 7:
                _closeError = root.TryGetProperty("error", out var closeError) ? closeError.GetString() : null;
                break;
        }
    }

    /// <summary>Closes the socket (a close frame when it can) and stops the loops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "test over", timeout.Token);
                await _receiving.WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
            {
                // The server went first; nothing to say goodbye to.
            }
        }
        await _stop.CancelAsync();
        await Task.WhenAll(_receiving, _keepingAlive).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
