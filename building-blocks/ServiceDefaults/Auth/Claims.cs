using System.Security.Claims;

namespace Community.ServiceDefaults.Auth;

/// <summary>Claim names of the platform's access tokens.</summary>
public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Tier = "tier";

    /// <summary>The session (refresh-token family) the token was issued for; logout ends it.</summary>
    public const string Session = "sid";
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated user's id (the token's sub).</summary>
    public static Guid UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimNames.Subject), out var id)
            ? id
            : throw new InvalidOperationException("No authenticated user.");
}
