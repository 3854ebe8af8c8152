using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Finds the public key that verifies a token, by its kid. Identity serves its own keys; everyone else reads the JWKS.
/// </summary>
public interface ISigningKeySource
{
    ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken);
}
