namespace Community.Social.Users;

/// <summary>A person in a list (connections, followers, blocks): who they are, not their whole profile.</summary>
public sealed record UserSummary(Guid UserId, string? Username, string? FullName, string? ProfileImageUrl)
{
    public static UserSummary From(Profile? p, Guid userId) =>
        new(userId, p?.Username, p?.FullName, p?.ProfileImageUrl);
}
