using System.Security.Claims;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Tests.RealTime;

/// <summary>
/// The guard's own filter, without a server: a call that reaches it after its connection's session ended (read before
/// the abort took hold) is refused, not served.
/// </summary>
public sealed class HubSessionGuardTests : IDisposable
{
    private readonly SessionRevocations _revocations = new(TimeProvider.System, Options.Create(new JwtOptions()));
    private readonly HubSessionGuard _guard;
    private readonly ServiceProviderStub _services = new();

    public HubSessionGuardTests() =>
        _guard = new HubSessionGuard(_revocations, TimeProvider.System, NullLogger<HubSessionGuard>.Instance);

    public void Dispose() => _guard.Dispose();

    private async Task<CallerStub> ConnectAsync(Guid user, Guid session, TimeSpan? expiresIn = null)
    {
        var now = DateTimeOffset.UtcNow;
        var caller = new CallerStub(
            new ClaimsPrincipal(
                new ClaimsIdentity(
                    [
                        new Claim(ClaimNames.Subject, user.ToString()),
                        new Claim(ClaimNames.Session, session.ToString()),
                        new Claim("iat", now.AddMinutes(-1).ToUnixTimeSeconds().ToString()),
                        new Claim("exp", now.Add(expiresIn ?? TimeSpan.FromMinutes(14)).ToUnixTimeSeconds().ToString()),
                    ],
                    "test"
                )
            )
        );
        await _guard.OnConnectedAsync(
            new HubLifetimeContext(caller, _services, new EchoHub()),
            _ => Task.CompletedTask
        );
        return caller;
    }

    private async Task<bool> CallAsync(CallerStub caller)
    {
        var served = false;
        var method = typeof(EchoHub).GetMethod(nameof(EchoHub.Echo))!;
        await ((IHubFilter)_guard).InvokeMethodAsync(
            new HubInvocationContext(caller, _services, new EchoHub(), method, ["x"]),
            _ =>
            {
                served = true;
                return ValueTask.FromResult<object?>("x");
            }
        );
        return served;
    }

    [Fact]
    public async Task A_call_after_its_session_ended_is_refused_and_another_sessions_is_served()
    {
        var user = Guid.NewGuid();
        var (ending, other) = (Guid.NewGuid(), Guid.NewGuid());
        var ended = await ConnectAsync(user, ending);
        var standing = await ConnectAsync(user, other);
        Assert.True(await CallAsync(ended));

        _revocations.Add(user, ending, null, DateTimeOffset.UtcNow.AddMinutes(15));

        Assert.True(ended.Aborted);
        await Assert.ThrowsAsync<HubException>(() => CallAsync(ended));
        Assert.True(await CallAsync(standing));
        Assert.False(standing.Aborted);
    }

    [Fact]
    public async Task A_call_on_a_connection_closed_for_its_tokens_expiry_is_served_while_it_closes()
    {
        var expired = await ConnectAsync(Guid.NewGuid(), Guid.NewGuid(), TimeSpan.FromSeconds(-1));

        // The sweep (every second) closes it; a client sending then is within the token's clock skew.
        await Eventually.TrueAsync(() => Task.FromResult(expired.Aborted), "the expired connection was not closed");
        Assert.True(await CallAsync(expired));
    }

    private sealed class EchoHub : Hub
    {
        public string Echo(string text) => text;
    }

    private sealed class ServiceProviderStub : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    private sealed class CallerStub(ClaimsPrincipal user) : HubCallerContext
    {
        public bool Aborted { get; private set; }
        public override string ConnectionId { get; } = Guid.NewGuid().ToString("N");
        public override string? UserIdentifier => User.TryUserId()?.ToString();
        public override ClaimsPrincipal User { get; } = user;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort() => Aborted = true;
    }
}
