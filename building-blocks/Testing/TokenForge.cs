using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Community.Testing;

/// <summary>Hand-made JWTs for attack tests: any header, any payload, any (or no) signature.</summary>
public static class TokenForge
{
    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static byte[] FromB64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    /// <summary>Claims of a well-formed platform token for <paramref name="sub"/>, valid for 15 minutes from <paramref name="now"/>.</summary>
    public static JsonObject Claims(string sub, DateTimeOffset now, string issuer = "community-identity", string audience = "community", string role = "member") => new()
    {
        ["sub"] = sub, ["name"] = "forged", ["role"] = role, ["tier"] = "free",
        ["iss"] = issuer, ["aud"] = audience,
        ["iat"] = now.ToUnixTimeSeconds(), ["nbf"] = now.ToUnixTimeSeconds(), ["exp"] = now.AddMinutes(15).ToUnixTimeSeconds(),
    };

    public static string Es256(ECDsa key, string kid, JsonObject claims)
    {
        var signingInput = $"{B64(new JsonObject { ["alg"] = "ES256", ["kid"] = kid, ["typ"] = "JWT" }.ToJsonString())}.{B64(claims.ToJsonString())}";
        return signingInput + "." + B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256));
    }

    public static string Unsigned(string kid, JsonObject claims) =>
        $"{B64(new JsonObject { ["alg"] = "none", ["kid"] = kid, ["typ"] = "JWT" }.ToJsonString())}.{B64(claims.ToJsonString())}.";

    public static string Hs256(byte[] secret, string kid, JsonObject claims)
    {
        var signingInput = $"{B64(new JsonObject { ["alg"] = "HS256", ["kid"] = kid, ["typ"] = "JWT" }.ToJsonString())}.{B64(claims.ToJsonString())}";
        return signingInput + "." + B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The token with one claim changed and the original signature kept.</summary>
    public static string Tamper(string token, string claim, string value)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(FromB64(parts[1]))!.AsObject();
        payload[claim] = value;
        return $"{parts[0]}.{B64(payload.ToJsonString())}.{parts[2]}";
    }

    public static JsonObject Payload(string token) => JsonNode.Parse(FromB64(token.Split('.')[1]))!.AsObject();
    public static JsonObject Header(string token) => JsonNode.Parse(FromB64(token.Split('.')[0]))!.AsObject();

    /// <summary>The public key of a JWKS entry as raw bytes, what an HS256 "key confusion" attacker would sign with.</summary>
    public static byte[] PublicKeyBytes(JsonNode jwk)
    {
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = FromB64(jwk["x"]!.GetValue<string>()), Y = FromB64(jwk["y"]!.GetValue<string>()) },
        });
        return ecdsa.ExportSubjectPublicKeyInfo();
    }

    public static string Serialize(object value) => JsonSerializer.Serialize(value);
}
