using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Reads identity's published keys and caches them. An unknown kid triggers a refresh (keys
/// rotate), at most once per <see cref="MinRefreshInterval"/> so forged kids cannot hammer identity.
/// </summary>
public sealed class JwksSigningKeySource(
    HttpClient http, IOptions<JwtOptions> options, TimeProvider clock, ILogger<JwksSigningKeySource> logger) : ISigningKeySource
{
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private ConcurrentDictionary<string, SecurityKey> _keys = new();
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(kid, out var key) && clock.GetUtcNow() - _fetchedAt < MaxAge) return key;
        await RefreshAsync(cancellationToken);
        return _keys.GetValueOrDefault(kid);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            if (clock.GetUtcNow() - _fetchedAt < MinRefreshInterval) return;
            var url = options.Value.JwksUrl;
            if (url is null)
            {
                logger.LogError("Neither Jwt:JwksUrl nor Services:identity is configured: no token can be verified");
                return;
            }
            var document = await http.GetFromJsonAsync<JsonWebKeySetDocument>(url, cancellationToken);
            var keys = new ConcurrentDictionary<string, SecurityKey>();
            foreach (var jwk in document?.Keys ?? [])
                if (jwk.ToSecurityKey() is { } securityKey) keys[jwk.Kid] = securityKey;
            _keys = keys;
            _fetchedAt = clock.GetUtcNow();
            logger.LogInformation("Loaded {Count} signing keys from {Url}", keys.Count, url);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Keep the keys we had: identity being briefly unreachable must not log everybody out.
            logger.LogWarning(e, "Could not refresh signing keys");
            _fetchedAt = clock.GetUtcNow() - MaxAge + MinRefreshInterval;
        }
        finally
        {
            _refreshLock.Release();
        }
    }
}
