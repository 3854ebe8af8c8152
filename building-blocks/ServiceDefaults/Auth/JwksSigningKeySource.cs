using System.Collections.Frozen;
using System.Security.Cryptography;
using Community.ServiceDefaults.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Reads identity's published keys and caches them. An unknown kid triggers a refresh (keys rotate), at most one
/// attempt per <see cref="MinRefreshInterval"/>, answered or failed, so forged kids cannot hammer identity, not even
/// while it is down; between attempts they are refused without waiting. A known kid never waits: when the set is
/// older than <see cref="MaxAge"/> it is refreshed in the background, so identity being slow or down delays no
/// request that carries a key already held. Read from whichever identity instance answers
/// (<see cref="JwtOptions.JwksUrl"/>); an outage is logged once, and its end. An unknown kid while the last attempt
/// failed cannot be told from a key identity rotated in meanwhile: a 503 (<see cref="ServiceUnavailableException"/>),
/// not the 401 that signs the user out; counted as an invalid token all the same, and not warned of again per request.
/// </summary>
public sealed class JwksSigningKeySource(
    IHttpClientFactory httpClients,
    IOptions<JwtOptions> options,
    TimeProvider clock,
    ILogger<JwksSigningKeySource> logger
) : ISigningKeySource, IDisposable
{
    public const string HttpClientName = "jwks";
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    // Swapped whole, never changed in place, so a lookup always sees one consistent set. TriedAt: when the last
    // refresh ended, answered or not; Unanswered: whether that refresh failed.
    private sealed record KeySet(
        FrozenDictionary<string, ECDsaSecurityKey> Keys,
        DateTimeOffset FetchedAt,
        DateTimeOffset TriedAt,
        bool Unanswered = false
    )
    {
        public bool MayRefresh(DateTimeOffset now) => now - TriedAt >= MinRefreshInterval;
    }

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly RetiredKeys _retired = new(clock);
    private readonly InstanceFailover _instances = new();
    private volatile KeySet _current = new(
        FrozenDictionary<string, ECDsaSecurityKey>.Empty,
        DateTimeOffset.MinValue,
        DateTimeOffset.MinValue
    );
    private int _refreshingInBackground;
    private bool _failing;

    public async ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken)
    {
        var current = _current;
        var now = clock.GetUtcNow();
        if (current.Keys.TryGetValue(kid, out var key))
        {
            if (now - current.FetchedAt >= MaxAge && current.MayRefresh(now))
                RefreshInBackground();
            return key;
        }
        if (current.MayRefresh(now))
        {
            await RefreshAsync(cancellationToken);
            current = _current;
            if (current.Keys.TryGetValue(kid, out key))
                return key;
        }
        if (current.Unanswered)
            throw new ServiceUnavailableException(
                "The token's signing key cannot be looked up now: identity is not answering. Try again shortly.",
                MinRefreshInterval
            )
            {
                OutageLogged = true,
            };
        return null;
    }

    /// <summary>The background refresh of a stale set (one at a time), that no request waits for.</summary>
    private void RefreshInBackground()
    {
        if (Interlocked.Exchange(ref _refreshingInBackground, 1) == 1)
            return;
        _ = Task.Run(async () =>
        {
            try
            {
                await RefreshAsync(CancellationToken.None);
            }
            finally
            {
                Volatile.Write(ref _refreshingInBackground, 0);
            }
        });
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            // Whoever queued behind an attempt takes its outcome: one round of identity's instances serves them all.
            var current = _current;
            if (!current.MayRefresh(clock.GetUtcNow()))
                return;
            var urls = IdentityAddress.Split(options.Value.JwksUrl);
            if (urls.Count == 0)
            {
                logger.LogError("Neither Jwt:JwksUrl nor Services:identity is configured: no token can be verified");
                _current = current with { TriedAt = clock.GetUtcNow() };
                return;
            }
            var json = await _instances.AskAsync(
                urls,
                (url, token) => httpClients.CreateClient(HttpClientName).GetStringAsync(url, token),
                cancellationToken
            );
            var keys = Es256Keys(new JsonWebKeySet(json), current.Keys);
            var now = clock.GetUtcNow();
            _current = new KeySet(keys, now, now);
            _retired.Retire(current.Keys.Values.Where(old => !keys.Values.Contains(old)).Select(old => old.ECDsa));
            if (_failing)
                logger.LogInformation("Signing keys are read again: {Count} keys", keys.Count);
            else
                logger.LogInformation("Loaded {Count} signing keys", keys.Count);
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Keep the keys we had: identity being briefly unreachable must not log everybody out. Tried again
            // MinRefreshInterval from now at the earliest; logged once an outage.
            if (!_failing)
                logger.LogWarning(
                    e,
                    "Could not refresh signing keys from any identity instance; keeping the {Count} held",
                    _current.Keys.Count
                );
            _failing = true;
            _current = _current with { TriedAt = clock.GetUtcNow(), Unanswered = true };
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>
    /// The set's P-256 signing keys by kid, reusing the keys already held; any other or unreadable key is ignored.
    /// </summary>
    private static FrozenDictionary<string, ECDsaSecurityKey> Es256Keys(
        JsonWebKeySet set,
        FrozenDictionary<string, ECDsaSecurityKey> held
    )
    {
        var keys = new Dictionary<string, ECDsaSecurityKey>();
        foreach (var jwk in set.Keys)
        {
            if (
                jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve
                || jwk.Crv != JsonWebKeyECTypes.P256
                || !(string.IsNullOrEmpty(jwk.Alg) || jwk.Alg == SecurityAlgorithms.EcdsaSha256)
                || !(string.IsNullOrEmpty(jwk.Use) || jwk.Use == JsonWebKeyUseNames.Sig)
                || string.IsNullOrEmpty(jwk.Kid)
                || keys.ContainsKey(jwk.Kid)
                || PointOf(jwk) is not { } point
            )
                continue;

            keys[jwk.Kid] =
                held.TryGetValue(jwk.Kid, out var known) && SamePoint(known.ECDsa, point)
                    ? known
                    : RetiredKeys.SecurityKey(
                        ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = point }),
                        jwk.Kid
                    );
        }
        return keys.ToFrozenDictionary();
    }

    /// <summary>The public point, when it is one on P-256.</summary>
    private static ECPoint? PointOf(JsonWebKey jwk)
    {
        try
        {
            var point = new ECPoint
            {
                X = Base64UrlEncoder.DecodeBytes(jwk.X),
                Y = Base64UrlEncoder.DecodeBytes(jwk.Y),
            };
            new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = point }.Validate();
            return point;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static bool SamePoint(ECDsa key, ECPoint point)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return q.X.AsSpan().SequenceEqual(point.X) && q.Y.AsSpan().SequenceEqual(point.Y);
    }

    public void Dispose()
    {
        foreach (var key in _current.Keys.Values)
            key.ECDsa.Dispose();
        _retired.Dispose();
    }
}
