using Community.Contracts;
using System.Security.Cryptography;
using Community.ServiceDefaults.Auth;
using Microsoft.IdentityModel.Tokens;

namespace Community.Testing;

/// <summary>
/// Plays identity for a service under test: register it as the service's <see cref="ISigningKeySource"/>
/// and issue real ES256 access tokens, dated by the test's clock so moving the clock does not expire them.
/// </summary>
public sealed class TestTokens(TimeProvider clock) : ISigningKeySource, IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _kid = "test-" + Guid.NewGuid().ToString("N")[..8];

    public string Issue(Guid userId, string role = Roles.Member, string tier = Tiers.Free)
    {
        var claims = TokenForge.Claims(userId.ToString(), clock.GetUtcNow(), role: role);
        claims["tier"] = tier;
        return TokenForge.Es256(_key, _kid, claims);
    }

    public ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SecurityKey?>(kid == _kid ? new ECDsaSecurityKey(_key) { KeyId = _kid } : null);

    public void Dispose() => _key.Dispose();
}
