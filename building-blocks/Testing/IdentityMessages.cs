using Community.Contracts;
using Community.Contracts.Identity;

namespace Community.Testing;

/// <summary>Identity's messages about an account, as the services' tests announce them.</summary>
public static class IdentityMessages
{
    /// <summary>A new member's account: a username and a name, no contact, no referrer.</summary>
    public static UserRegistered Registered(Guid userId, DateTimeOffset at, string username, string? fullName = null) =>
        new(Guid.NewGuid(), at, userId, username, null, null, fullName, Roles.Member, "REF", null);

    /// <summary>A profile of a username and a name alone: a test sets what else it needs with <c>with</c>.</summary>
    public static UserProfileUpdated Profile(
        Guid userId,
        DateTimeOffset at,
        string username,
        string? fullName = null
    ) => new(Guid.NewGuid(), at, userId, username, fullName, null, null, null, [], [], null, []);
}
