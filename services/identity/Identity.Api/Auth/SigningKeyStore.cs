using System.Security.Cryptography;
using Community.ServiceDefaults.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;

namespace Community.Identity.Auth;

/// <summary>
/// The ES256 keys identity signs with, encrypted in its database so every replica signs alike. A key the key ring
/// cannot decrypt fails loudly: replacing it would sign everyone out and hide the lost ring.
/// </summary>
public sealed class SigningKeyStore(
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> options,
    TimeProvider clock,
    IDataProtectionProvider protection
) : ISigningKeySource, IDisposable
{
    private readonly IDataProtector _protector = protection.ForStoredSecret("signing_keys");
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly RetiredKeys _retired = new(clock);
    private IReadOnlyList<LoadedKey> _keys = [];
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public sealed record LoadedKey(string Kid, ECDsa Key, DateTimeOffset CreatedAt)
    {
        public ECDsaSecurityKey SecurityKey { get; } = RetiredKeys.SecurityKey(Key, Kid);
    }

    public async ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken)
    {
        var keys = await GetPublishedAsync(cancellationToken);
        var key = keys.FirstOrDefault(k => k.Kid == kid);
        if (key is null && clock.GetUtcNow() - _loadedAt > TimeSpan.FromSeconds(5))
        {
            // Another replica may have rotated a moment ago.
            _loadedAt = DateTimeOffset.MinValue;
            key = (await GetPublishedAsync(cancellationToken)).FirstOrDefault(k => k.Kid == kid);
        }
        return key?.SecurityKey;
    }

    /// <summary>
    /// How old a key must be before it signs: every replica caches the published keys for <see cref="CacheFor"/>, and
    /// the gateway and services fetch the key set from any of them on a kid they do not know. A key signing the moment
    /// it is made would be missing from the others' answers for up to a minute, and its tokens refused meanwhile.
    /// </summary>
    public static readonly TimeSpan PublishLead = CacheFor + TimeSpan.FromSeconds(30);

    /// <summary>
    /// The newest published key every replica publishes by now (<see cref="PublishLead"/>); the only key there is
    /// when none is that old yet (the first one).
    /// </summary>
    public async Task<LoadedKey> GetSigningKeyAsync(CancellationToken cancellationToken)
    {
        var keys = await GetPublishedAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return keys.FirstOrDefault(k => now - k.CreatedAt >= PublishLead) ?? keys[^1];
    }

    /// <summary>Keys whose tokens may still be valid, newest (the signing key) first.</summary>
    public async Task<IReadOnlyList<LoadedKey>> GetPublishedAsync(CancellationToken cancellationToken)
    {
        if (clock.GetUtcNow() - _loadedAt < CacheFor && _keys.Count > 0)
            return _keys;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (clock.GetUtcNow() - _loadedAt < CacheFor && _keys.Count > 0)
                return _keys;
            var previous = _keys;
            _keys = await LoadAsync(previous, cancellationToken);
            _loadedAt = clock.GetUtcNow();
            _retired.Retire(previous.Except(_keys).Select(k => k.Key));
            return _keys;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// The published keys, reusing the loaded ones (a kid's key never changes) so only retired keys need disposing.
    /// </summary>
    private async Task<IReadOnlyList<LoadedKey>> LoadAsync(
        IReadOnlyList<LoadedKey> loaded,
        CancellationToken cancellationToken
    )
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = clock.GetUtcNow();
        var rotation = options.Value.SigningKeyRotation;

        var newest = await db.SigningKeys.OrderByDescending(k => k.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (newest is null || now - newest.CreatedAt >= rotation)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Serialise replicas so a rotation makes exactly one new key.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(4839201)", cancellationToken);
            newest = await db.SigningKeys.OrderByDescending(k => k.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            if (newest is null || now - newest.CreatedAt >= rotation)
            {
                using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                db.SigningKeys.Add(
                    new SigningKey
                    {
                        Kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
                        PrivateKey = _protector.Protect(ecdsa.ExportPkcs8PrivateKey()),
                        Encrypted = true,
                        CreatedAt = now,
                    }
                );
                await db.SaveChangesAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        var stored = await db
            .SigningKeys.AsNoTracking()
            .OrderByDescending(k => k.CreatedAt)
            .ToListAsync(cancellationToken);
        var keep = options.Value.AccessTokenLifetime + TimeSpan.FromMinutes(5);
        var published = new List<LoadedKey>();
        for (var i = 0; i < stored.Count; i++)
        {
            // A key is retired when its successor has been published for longer than a token lives, and 5 minutes more
            // (its last tokens were signed up to PublishLead after that).
            if (i > 0 && now - stored[i - 1].CreatedAt > keep)
                break;
            if (loaded.FirstOrDefault(k => k.Kid == stored[i].Kid) is { } known)
            {
                published.Add(known);
                continue;
            }
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(await PrivateKeyAsync(db, stored[i], cancellationToken), out _);
            published.Add(new LoadedKey(stored[i].Kid, ecdsa, stored[i].CreatedAt));
        }
        return published;
    }

    /// <summary>The PKCS#8 key of a row, encrypting in place a row stored before keys were encrypted.</summary>
    private async Task<byte[]> PrivateKeyAsync(
        IdentityDbContext db,
        SigningKey row,
        CancellationToken cancellationToken
    )
    {
        if (row.Encrypted)
            return _protector.UnprotectStored(row.PrivateKey, $"Signing key {row.Kid}");
        var encrypted = _protector.Protect(row.PrivateKey);
        await db
            .SigningKeys.Where(k => k.Kid == row.Kid && !k.Encrypted)
            .ExecuteUpdateAsync(
                s => s.SetProperty(k => k.PrivateKey, encrypted).SetProperty(k => k.Encrypted, true),
                cancellationToken
            );
        return row.PrivateKey;
    }

    public void Dispose()
    {
        foreach (var key in _keys)
            key.Key.Dispose();
        _retired.Dispose();
    }
}
