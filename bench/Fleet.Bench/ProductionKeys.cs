using Community.ServiceDefaults.Auth;
using Microsoft.IdentityModel.Tokens;

namespace Community.Fleet.Bench;

/// <summary>
/// The test issuer's public key handed out the way the gateway and the services get identity's keys in production
/// (JwksSigningKeySource): one key object per kid, kept, with a CryptoProviderFactory that caches no signature provider
/// (RetiredKeys.SecurityKey), so a token check here costs what it costs there. TestTokens' own FindAsync builds a new
/// key object per call, whose provider cache key (a JWK thumbprint) is recomputed every time: a cost production does
/// not pay.
/// </summary>
public sealed class ProductionKeys(TestTokens tokens) : ISigningKeySource
{
    private readonly ECDsaSecurityKey _key = new(tokens.Key)
    {
        KeyId = tokens.Kid,
        CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
    };

    public ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SecurityKey?>(kid == _key.KeyId ? _key : null);
}
