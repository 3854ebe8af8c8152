using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// Closes this instance's hub connections (those <see cref="HubSessionGuard"/> keeps) as the application begins to
/// stop, each with SignalR's close message that lets the client reconnect (to another instance, through the gateway),
/// and waits until each connection has ended (its WebSocket close handshake included), at most <see cref="Bound"/>.
/// Without it SignalR aborts them as it stops: each client's socket is reset, and the gateway in front logs a
/// forwarding failure for every connection of a rolling restart. A connection that opens while the instance stops is
/// closed the same way at once.
/// </summary>
public sealed class HubGracefulStop(
    HubSessionGuard connections,
    IHostApplicationLifetime lifetime,
    ILogger<HubGracefulStop> logger
) : IHostedService
{
    /// <summary>
    /// The longest the stop waits for clients to answer, inside the host's stop budget (Hosting:ShutdownSeconds: 5 s
    /// locally, 20 s in a pod).
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    private CancellationTokenRegistration _stopping;

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

    private void CloseAll()
    {
        var open = connections.CloseFromNowOn(Close);
        if (open.Count == 0)
            return;
        var ended = open.Select(Ended).ToArray();
        foreach (var connection in open)
            Close(connection);
        var allEnded = Task.WaitAll(ended, Bound);
        logger.LogInformation(
            "Closed {Count} hub connections as this instance stops ({Ended} ended within {Bound})",
            open.Count,
            allEnded ? open.Count : ended.Count(t => t.IsCompleted),
            Bound
        );
    }

    /// <summary>
    /// SignalR's close with "reconnect allowed" (what it sends when a token expires), through the connection's
    /// lifetime notification; a connection without one is aborted.
    /// </summary>
    private static void Close(HubCallerContext connection)
    {
        if (connection.Features.Get<IConnectionLifetimeNotificationFeature>() is { } notification)
            notification.RequestClose();
        else
            connection.Abort();
    }

    /// <summary>Completes when the connection's transport has closed.</summary>
    private static Task Ended(HubCallerContext connection)
    {
        var closed = connection.Features.Get<IConnectionLifetimeFeature>()?.ConnectionClosed ?? CancellationToken.None;
        if (!closed.CanBeCanceled)
            return Task.CompletedTask;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        closed.Register(() => ended.TrySetResult());
        return ended.Task;
    }
}
