using System.Collections.Concurrent;
using System.Security.Claims;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// Ends the hub connections of ended sessions and expired tokens: every connection's user, session
/// (<c>sid</c>), issue and expiry times are kept while it is open; when <see cref="SessionRevocations"/>
/// records a revocation (from the bus or identity's feed) the connections it now refuses are aborted,
/// and every second those whose token expired on the app's clock (SignalR's own
/// CloseOnAuthenticationExpiration, on the endpoint too, reads the real clock only).
/// </summary>
public sealed class HubSessionGuard : IHubFilter, IDisposable
{
    private static readonly TimeSpan ExpirySweepEvery = TimeSpan.FromSeconds(1);

    // Set on a connection aborted because its session ended: its calls still on their way are refused.
    private static readonly object SessionEndedItem = new();

    private readonly ConcurrentDictionary<string, GuardedConnection> _connections = new(StringComparer.Ordinal);
    private readonly SessionRevocations _revocations;
    private readonly TimeProvider _clock;
    private readonly ITimer _expirySweep;
    private readonly ILogger<HubSessionGuard> _logger;

    private sealed record GuardedConnection(
        HubCallerContext Context,
        Guid UserId,
        Guid? SessionId,
        DateTimeOffset IssuedAt,
        DateTimeOffset ExpiresAt
    );

    public HubSessionGuard(SessionRevocations revocations, TimeProvider clock, ILogger<HubSessionGuard> logger)
    {
        _revocations = revocations;
        _clock = clock;
        _logger = logger;
        revocations.Recorded += OnRecorded;
        _expirySweep = clock.CreateTimer(_ => AbortExpired(), null, ExpirySweepEvery, ExpirySweepEvery);
    }

    private volatile Action<HubCallerContext>? _closeOnOpen;

    /// <summary>
    /// The connections open now; from now on each connection that opens is handed to <paramref name="close"/> (an
    /// instance that stops: <see cref="HubGracefulStop"/>).
    /// </summary>
    public IReadOnlyList<HubCallerContext> CloseFromNowOn(Action<HubCallerContext> close)
    {
        _closeOnOpen = close;
        return [.. _connections.Values.Select(connection => connection.Context)];
    }

    /// <summary>Whether any open connection of <paramref name="userId"/> is being watched.</summary>
    public bool Watches(Guid userId) => _connections.Values.Any(connection => connection.UserId == userId);

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var user = context.Context.User;
        if (user is null || user.TryUserId() is not { } userId)
            throw new HubException("A hub connection needs a signed-in user.");
        var guarded = new GuardedConnection(
            context.Context,
            userId,
            user.SessionId(),
            Seconds(user, "iat") ?? DateTimeOffset.MinValue,
            Seconds(user, "exp") ?? DateTimeOffset.MinValue
        );
        _connections[context.Context.ConnectionId] = guarded;
        // A revocation recorded between the token's check and this line found nothing to end.
        if (HasEnded(guarded))
        {
            Abort(guarded, "its session has ended");
            return;
        }
        try
        {
            await next(context);
        }
        catch
        {
            // SignalR calls no OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
            _connections.TryRemove(context.Context.ConnectionId, out _);
            throw;
        }
        _closeOnOpen?.Invoke(context.Context);
    }

    /// <summary>
    /// Serves a call only while its connection's session stands: a revocation aborts the connection at once, but calls
    /// read before the abort took hold would still be dispatched. (An expired token's calls are served while its
    /// connection closes: the sweep closes it within a second, well inside the 30 s of clock skew a request's token
    /// is allowed.)
    /// </summary>
    public ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next
    )
    {
        var context = invocationContext.Context;
        if (HasSessionEnded(context.ConnectionId, context.Items))
            throw new HubException(SessionEnded);
        return next(invocationContext);
    }

    internal const string SessionEnded = "Your session has ended.";

    /// <summary>
    /// Whether the connection's session has ended, aborting the connection if that is news: asked for every call,
    /// also those the hub protocol cannot bind (<see cref="ExplainingJsonHubProtocol"/>), which reach no filter.
    /// </summary>
    internal bool HasSessionEnded(string connectionId, IDictionary<object, object?> items)
    {
        if (items.ContainsKey(SessionEndedItem))
            return true;
        if (!_connections.TryGetValue(connectionId, out var connection) || !HasEnded(connection))
            return false;
        Abort(connection, "its session has ended");
        return true;
    }

    public async Task OnDisconnectedAsync(
        HubLifetimeContext context,
        Exception? exception,
        Func<HubLifetimeContext, Exception?, Task> next
    )
    {
        _connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    public void Dispose()
    {
        _revocations.Recorded -= OnRecorded;
        _expirySweep.Dispose();
    }

    private void OnRecorded(Guid userId)
    {
        foreach (var connection in _connections.Values)
            if (connection.UserId == userId && HasEnded(connection))
                Abort(connection, "its session has ended");
    }

    private void AbortExpired()
    {
        var now = _clock.GetUtcNow();
        foreach (var connection in _connections.Values)
            if (connection.ExpiresAt <= now)
                Abort(connection, "its token has expired", allowReconnect: true);
    }

    private bool HasEnded(GuardedConnection connection) =>
        _revocations.HasEnded(connection.UserId, connection.SessionId, connection.IssuedAt);

    /// <summary>
    /// Closes the connection. An ended session's is told not to reconnect; an expired token's may, as SignalR's own
    /// expiry close allows, so a client with automatic reconnect comes back with a fresh token (an abort would stop it
    /// for good).
    /// </summary>
    private void Abort(GuardedConnection connection, string reason, bool allowReconnect = false)
    {
        _connections.TryRemove(connection.Context.ConnectionId, out _);
        _logger.LogInformation(
            "Hub connection {ConnectionId} of user {UserId} aborted: {Reason}",
            connection.Context.ConnectionId,
            connection.UserId,
            reason
        );
        if (
            allowReconnect
            && connection.Context.Features.Get<IConnectionLifetimeNotificationFeature>() is { } notification
        )
            notification.RequestClose();
        else
        {
            if (!allowReconnect)
                connection.Context.Items[SessionEndedItem] = true;
            connection.Context.Abort();
        }
    }

    // As the token check does, a token without iat counts as issued at the dawn of time (and one without exp cannot get
    // here).
    private static DateTimeOffset? Seconds(ClaimsPrincipal user, string claim) =>
        long.TryParse(user.FindFirstValue(claim), out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}
