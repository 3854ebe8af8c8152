using System.Collections.Concurrent;
using System.Security.Claims;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// Ends the hub connections of ended sessions: every connection's user, session (<c>sid</c>) and
/// issue time are kept while it is open, and when <see cref="SessionRevocations"/> records a
/// revocation (from the bus or identity's feed) the connections it now refuses are aborted.
/// A token's expiry is enforced apart, by CloseOnAuthenticationExpiration on the hub's endpoint.
/// </summary>
public sealed class HubSessionGuard : IHubFilter, IDisposable
{
    private readonly ConcurrentDictionary<string, GuardedConnection> _connections = new(StringComparer.Ordinal);
    private readonly SessionRevocations _revocations;
    private readonly ILogger<HubSessionGuard> _logger;

    private sealed record GuardedConnection(HubCallerContext Context, Guid UserId, Guid? SessionId, DateTimeOffset IssuedAt);

    public HubSessionGuard(SessionRevocations revocations, ILogger<HubSessionGuard> logger)
    {
        _revocations = revocations;
        _logger = logger;
        revocations.Recorded += OnRecorded;
    }

    /// <summary>Open connections being watched.</summary>
    public int Count => _connections.Count;

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var user = context.Context.User;
        if (user is null || !Guid.TryParse(user.FindFirstValue(ClaimNames.Subject), out var userId))
            throw new HubException("A hub connection needs a signed-in user.");
        var guarded = new GuardedConnection(context.Context, userId, SessionOf(user), IssuedAt(user));
        _connections[context.Context.ConnectionId] = guarded;
        // A revocation recorded between the token's check and this line found nothing to end.
        if (HasEnded(guarded))
        {
            Abort(guarded);
            return;
        }
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    public void Dispose() => _revocations.Recorded -= OnRecorded;

    private void OnRecorded(Guid userId)
    {
        foreach (var connection in _connections.Values)
            if (connection.UserId == userId && HasEnded(connection)) Abort(connection);
    }

    private bool HasEnded(GuardedConnection connection) => _revocations.HasEnded(connection.UserId, connection.SessionId, connection.IssuedAt);

    private void Abort(GuardedConnection connection)
    {
        _connections.TryRemove(connection.Context.ConnectionId, out _);
        _logger.LogInformation("Hub connection {ConnectionId} of user {UserId} aborted: its session has ended", connection.Context.ConnectionId, connection.UserId);
        connection.Context.Abort();
    }

    private static Guid? SessionOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimNames.Session), out var session) ? session : null;

    // As the token check does: a token without iat counts as issued at the dawn of time.
    private static DateTimeOffset IssuedAt(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue("iat"), out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.MinValue;
}
