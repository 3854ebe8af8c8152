using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Finds the public key that verifies a token, by its kid. Identity serves its own keys; everyone else reads the JWKS.
/// </summary>
public interface ISigningKeySource
{
    /// <summary>
    /// The key, or null when there is none by that kid (the token is refused, 401); throws when the store cannot tell
    /// now (a <see cref="Errors.ServiceUnavailableException"/> or a database fault: a 503 or 500, not a 401).
    /// </summary>
    ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken);
}
