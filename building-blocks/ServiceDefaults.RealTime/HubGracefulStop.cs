using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// Closes this instance's hub connections as the application begins to stop, each with SignalR's close message that
/// lets the client reconnect (to another instance, through the gateway), and waits until each connection has ended
/// (its WebSocket close handshake included), at most <see cref="Bound"/>. Without it SignalR aborts them as it stops:
/// each client's socket is reset, and the gateway in front logs a forwarding failure for every connection of a
/// rolling restart. A connection that opens while the instance stops is closed the same way at once.
/// </summary>
public sealed class HubGracefulStop(IHostApplicationLifetime lifetime, ILogger<HubGracefulStop> logger)
    : IHubFilter,
        IHostedService
{
    /// <summary>
    /// The longest the stop waits for clients to answer (inside the 5 s a service has to end after SIGTERM).
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, OpenConnection> _open = new(StringComparer.Ordinal);
    private CancellationTokenRegistration _stopping;
    private volatile bool _isStopping;

    private sealed record OpenConnection(HubCallerContext Context, CancellationToken Closed);

    /// <summary>
    /// Registered once the endpoints are mapped, so after SignalR's own stop callback, and so run before it
    /// (cancellation callbacks run last registered first): the connections it would abort are closed by then.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(CloseAll);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        var connection = new OpenConnection(
            context.Context,
            context.Context.Features.Get<IConnectionLifetimeFeature>()?.ConnectionClosed ?? CancellationToken.None
        );
        _open[context.Context.ConnectionId] = connection;
        if (_isStopping)
            Close(connection);
    }

    public async Task OnDisconnectedAsync(
        HubLifetimeContext context,
        Exception? exception,
        Func<HubLifetimeContext, Exception?, Task> next
    )
    {
        _open.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    private void CloseAll()
    {
        _isStopping = true;
        var open = _open.Values.ToArray();
        if (open.Length == 0)
            return;
        var ended = open.Select(c => Ended(c.Closed)).ToArray();
        foreach (var connection in open)
            Close(connection);
        var allEnded = Task.WaitAll(ended, Bound);
        logger.LogInformation(
            "Closed {Count} hub connections as this instance stops ({Ended} ended within {Bound})",
            open.Length,
            allEnded ? open.Length : ended.Count(t => t.IsCompleted),
            Bound
        );
    }

    /// <summary>
    /// SignalR's close with "reconnect allowed" (what it sends when a token expires), through the connection's
    /// lifetime notification; a connection without one is aborted.
    /// </summary>
    private static void Close(OpenConnection connection)
    {
        if (connection.Context.Features.Get<IConnectionLifetimeNotificationFeature>() is { } notification)
            notification.RequestClose();
        else
            connection.Context.Abort();
    }

    private static Task Ended(CancellationToken closed)
    {
        if (!closed.CanBeCanceled)
            return Task.CompletedTask;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        closed.Register(() => ended.TrySetResult());
        return ended.Task;
    }
}
