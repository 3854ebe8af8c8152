using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// The library's JWT validation, preceded by the checks it leaves to us: ES256 only, typed as an
/// access token (RFC 9068 <c>at+jwt</c>), no <c>crit</c> extension we would have to understand, a
/// kid, lifetime claims that are JSON numbers (the library would read <c>"exp": "9999999999"</c>), and
/// the key found by that kid (an unknown kid may refresh the JWKS, which needs an await); followed by
/// a subject that is a user id.
/// </summary>
internal sealed class AccessTokenHandler(ISigningKeySource keys, TimeProvider clock) : JsonWebTokenHandler
{
    /// <summary>
    /// The JOSE <c>typ</c> of the platform's access tokens (RFC 9068), so an ID token or another JWT is never taken for
    /// one.
    /// </summary>
    public const string AccessTokenType = "at+jwt";

    private readonly VerifiedTokens _verified = new(clock);

    public override async Task<TokenValidationResult> ValidateTokenAsync(
        string token,
        TokenValidationParameters validationParameters
    )
    {
        if (_verified.Find(token, validationParameters) is { } earlier)
            return await keys.FindAsync(((JsonWebToken)earlier.SecurityToken).Kid, CancellationToken.None) is null
                ? Refused("The token's key is unknown.")
                : earlier;

        JsonWebToken jwt;
        try
        {
            jwt = ReadJsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return Refused("The token is not a well-formed JWT.");
        }

        // The algorithm is pinned before any key is looked at: "none", HS256-with-the-public-key and JWE never get
        // further.
        if (jwt.Alg != SecurityAlgorithms.EcdsaSha256)
            return Refused("The token's algorithm is not accepted.");
        if (
            !string.Equals(jwt.Typ, AccessTokenType, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(jwt.Typ, "application/" + AccessTokenType, StringComparison.OrdinalIgnoreCase)
        )
            return Refused("The token is not an access token (typ must be at+jwt).");
        if (jwt.TryGetHeaderValue<object>("crit", out _))
            return Refused("The token has critical header extensions this platform does not understand.");
        if (string.IsNullOrEmpty(jwt.Kid))
            return Refused("The token names no key.");
        if (!HasNumericDates(jwt.EncodedPayload))
            return Refused("The token's exp, nbf and iat must be numbers of seconds (RFC 7519 NumericDate).");

        // Not the request's token: a refresh is shared by every request waiting on it, and its HttpClient has timeouts.
        var key = await keys.FindAsync(jwt.Kid, CancellationToken.None);
        if (key is null)
            return Refused("The token's key is unknown.");

        var parameters = validationParameters.Clone();
        parameters.IssuerSigningKey = key;
        parameters.IssuerSigningKeys = null;
        var result = await base.ValidateTokenAsync(jwt, parameters);
        if (result.IsValid && !Guid.TryParse(jwt.Subject, out _))
            return Refused("The token's subject is not a user id.");
        if (result.IsValid)
            _verified.Add(token, jwt, result, validationParameters);
        // The library checks the signature before the lifetime: this one is the platform's, only out of its lifetime.
        else if (result.Exception is SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException)
            _verified.AddExpired(token, jwt, validationParameters);
        return result;
    }

    /// <summary>Whether every exp, nbf and iat in the payload is a JSON number, as RFC 7519 says.</summary>
    internal static bool HasNumericDates(string encodedPayload)
    {
        try
        {
            var reader = new Utf8JsonReader(Base64UrlEncoder.DecodeBytes(encodedPayload));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDate =
                    reader.ValueTextEquals("exp"u8)
                    || reader.ValueTextEquals("nbf"u8)
                    || reader.ValueTextEquals("iat"u8);
                if (!reader.Read())
                    return false;
                if (isDate && reader.TokenType != JsonTokenType.Number)
                    return false;
                reader.Skip();
            }
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static TokenValidationResult Refused(string reason) =>
        new() { IsValid = false, Exception = new AccessTokenRefusedException(reason) };
}

/// <summary>A refusal decided before the library's validation; its message is fit for the client.</summary>
internal sealed class AccessTokenRefusedException(string message) : SecurityTokenException(message);
