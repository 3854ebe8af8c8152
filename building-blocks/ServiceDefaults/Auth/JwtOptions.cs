namespace Community.ServiceDefaults.Auth;

/// <summary>Access-token validation settings, bound from the "Jwt" configuration section.</summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";

    public string Issuer { get; set; } = "community-identity";
    public string Audience { get; set; } = "community";

    /// <summary>
    /// Where the public keys are published, one address or several separated by ';' (read from whichever answers);
    /// defaults to /.well-known/jwks.json of every identity instance in <c>Services:identity</c>.
    /// </summary>
    public string? JwksUrl { get; set; }

    /// <summary>Clock skew allowed on exp and nbf (the platform's limit is 30 s).</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// Path prefixes on which a token is also accepted as the access_token query parameter (browsers' WebSockets).
    /// </summary>
    public string[] QueryTokenPaths { get; set; } = ["/hubs"];
}
