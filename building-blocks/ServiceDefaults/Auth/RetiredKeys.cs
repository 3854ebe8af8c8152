using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// ECDsa keys dropped from a key set, disposed only after <see cref="Grace"/>: a validation or
/// signature that found the key a moment before the swap may still be using it.
/// </summary>
public sealed class RetiredKeys(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    // The library caches providers by public key, not by object: a cached provider could keep a key we disposed and
    // serve it again.
    private static readonly CryptoProviderFactory Uncached = new() { CacheSignatureProviders = false };

    private readonly Lock _lock = new();
    private readonly List<(ECDsa Key, DateTimeOffset RetiredAt)> _pending = [];

    /// <summary>A security key over an ECDsa that its owner disposes, through <see cref="Retire"/>.</summary>
    public static ECDsaSecurityKey SecurityKey(ECDsa key, string kid) =>
        new(key) { KeyId = kid, CryptoProviderFactory = Uncached };

    /// <summary>Queues the keys for disposal and disposes those retired longer than the grace period ago.</summary>
    public void Retire(IEnumerable<ECDsa> keys)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            _pending.AddRange(keys.Select(k => (k, now)));
            foreach (var (key, _) in _pending.Where(p => now - p.RetiredAt >= Grace))
                key.Dispose();
            _pending.RemoveAll(p => now - p.RetiredAt >= Grace);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (key, _) in _pending)
                key.Dispose();
            _pending.Clear();
        }
    }
}
