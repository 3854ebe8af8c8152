using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// The JSON Web Key Set document (RFC 7517) as identity publishes it; readers parse it with the library's
/// JsonWebKeySet.
/// </summary>
public sealed record JsonWebKeySetDocument([property: JsonPropertyName("keys")] IReadOnlyList<EcPublicJwk> Keys);

public sealed record EcPublicJwk(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y
)
{
    public static EcPublicJwk From(string kid, ECDsa key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new EcPublicJwk(
            JsonWebAlgorithmsKeyTypes.EllipticCurve,
            JsonWebKeyECTypes.P256,
            kid,
            JsonWebKeyUseNames.Sig,
            SecurityAlgorithms.EcdsaSha256,
            Base64UrlEncoder.Encode(p.Q.X!),
            Base64UrlEncoder.Encode(p.Q.Y!)
        );
    }

    public static JsonSerializerOptions SerializerOptions { get; } =
        new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
