using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Testing;

/// <summary>A call the server made to a client method: the method's name and its arguments.</summary>
public sealed record HubCall(string Target, IReadOnlyList<JsonElement> Arguments)
{
    public T Argument<T>(int index) => Arguments[index].Deserialize<T>(Json.Options)!;
}

/// <summary>
/// SignalR's .NET client (<see cref="Connection"/>) connected as the platform's clients connect, and the calls the
/// server made to the client methods it listens to, kept in order for a test to wait on and assert.
/// </summary>
public sealed class LiveConnection : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);

    private readonly List<HubCall> _received = [];
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reconnects;

    private LiveConnection(HubConnection hub, IEnumerable<string> clientMethods, int arguments)
    {
        Connection = hub;
        var parameters = Enumerable.Repeat(typeof(JsonElement), arguments).ToArray();
        foreach (var method in clientMethods)
            hub.On(method, parameters, (args, _) => Record(method, args), this);
        hub.Reconnecting += _ =>
        {
            Interlocked.Increment(ref _reconnects);
            return Task.CompletedTask;
        };
        hub.Closed += error =>
        {
            _closed.TrySetResult(error);
            Pulse();
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    /// <summary>
    /// Completes when the connection is closed for good, with the error it closed with (the server's close message
    /// comes as a HubException), or null.
    /// </summary>
    public Task<Exception?> Closed => _closed.Task;

    /// <summary>How often automatic reconnect had to start over since the connection opened.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Every call received so far, in order.</summary>
    public IReadOnlyList<HubCall> Received
    {
        get
        {
            lock (_received)
                return [.. _received];
        }
    }

    public IReadOnlyList<HubCall> ReceivedOf(string target) => [.. Received.Where(c => c.Target == target)];

    /// <summary>
    /// A connection to <paramref name="hubUrl"/> over WebSockets, the token from the access token provider and the
    /// arguments in the platform's wire format. <paramref name="skipNegotiation"/> opens the WebSocket at once, as
    /// clients behind a load balancer do (negotiate and the WebSocket could land on different instances).
    /// </summary>
    /// <param name="configure">Changes the client's options last (its cookies, for one).</param>
    public static HubConnection Build(
        Uri hubUrl,
        string? accessToken,
        bool skipNegotiation = false,
        bool reconnect = false,
        Action<HttpConnectionOptions>? configure = null
    )
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(
                hubUrl,
                HttpTransportType.WebSockets,
                options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult(accessToken);
                    options.SkipNegotiation = skipNegotiation;
                    configure?.Invoke(options);
                }
            )
            .AddJsonProtocol(json => json.PayloadSerializerOptions = Json.Options);
        if (reconnect)
            builder.WithAutomaticReconnect();
        return builder.Build();
    }

    /// <summary>
    /// Connects (see <see cref="Build"/>), listening to <paramref name="clientMethods"/>, each called with
    /// <paramref name="arguments"/> arguments. A refusal is the client's own: negotiate's HttpRequestException with its
    /// status code, or the WebSocket's WebSocketException when negotiation is skipped.
    /// </summary>
    public static async Task<LiveConnection> ConnectAsync(
        Uri hubUrl,
        string? accessToken,
        IEnumerable<string> clientMethods,
        int arguments,
        bool skipNegotiation = false,
        bool reconnect = false,
        Action<HttpConnectionOptions>? configure = null
    )
    {
        var hub = Build(hubUrl, accessToken, skipNegotiation, reconnect, configure);
        var live = new LiveConnection(hub, clientMethods, arguments);
        try
        {
            await live.Connection.StartAsync();
        }
        catch
        {
            await live.Connection.DisposeAsync();
            throw;
        }
        return live;
    }

    /// <summary>
    /// The first call to <paramref name="target"/> matching <paramref name="match"/>, received so far or from now on.
    /// </summary>
    public async Task<HubCall> WaitForAsync(string target, Func<HubCall, bool>? match = null, TimeSpan? timeout = null)
    {
        var found = await WaitUntilAsync(
            all => all.FirstOrDefault(c => c.Target == target && (match?.Invoke(c) ?? true)),
            timeout
        );
        return found ?? throw new TimeoutException($"{target} never arrived at {Connection.ConnectionId}.");
    }

    /// <summary>Waits for <paramref name="count"/> calls to <paramref name="target"/>; returns all of them.</summary>
    public async Task<IReadOnlyList<HubCall>> WaitForCountAsync(string target, int count, TimeSpan? timeout = null)
    {
        var found = await WaitUntilAsync(
            all => all.Where(c => c.Target == target).ToList() is { } calls && calls.Count >= count ? calls : null,
            timeout
        );
        return found
            ?? throw new TimeoutException(
                $"{ReceivedOf(target).Count} of {count} {target} calls arrived at {Connection.ConnectionId}."
            );
    }

    /// <summary>The error the connection closed with, once closed (a TimeoutException if it stays open).</summary>
    public Task<Exception?> WaitForCloseAsync(TimeSpan? timeout = null) => Closed.WaitAsync(timeout ?? DefaultWait);

    private async Task<T?> WaitUntilAsync<T>(Func<IReadOnlyList<HubCall>, T?> probe, TimeSpan? timeout)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (true)
        {
            var arrived = Volatile.Read(ref _arrived);
            if (probe(Received) is { } found)
                return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || Closed.IsCompleted)
                return null;
            await Task.WhenAny(arrived.Task, Task.Delay(left));
        }
    }

    private Task Record(string target, object?[] args)
    {
        var call = new HubCall(target, [.. args.Select(a => (JsonElement)a!)]);
        lock (_received)
            _received.Add(call);
        Pulse();
        return Task.CompletedTask;
    }

    private void Pulse() =>
        Interlocked
            .Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult();

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
