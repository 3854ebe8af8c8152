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
        user.TryUserId() ?? throw new InvalidOperationException("No authenticated user.");

    /// <summary>The user's id when the principal carries one (a token's sub), otherwise null (anonymous).</summary>
    public static Guid? TryUserId(this ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirstValue(ClaimNames.Subject), out var id) ? id : null;

    /// <summary>The session (sid) the token was issued for, or null when it names none.</summary>
    public static Guid? SessionId(this ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirstValue(ClaimNames.Session), out var session) ? session : null;
}
