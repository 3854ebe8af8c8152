using Community.Identity.Users;

namespace Community.Identity.Auth;

public sealed record RegisterRequest(
    string? Username, string? Email, string? Phone, string? Password, string? FullName, string? Role, string? ReferralCode);

/// <summary>The token from the link that confirms an account's e-mail.</summary>
public sealed record ConfirmRegistrationRequest(string? Token);

public sealed record LoginRequest(string? Identifier, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record AuthResponse(UserDto User, string AccessToken, string RefreshToken, string TokenType, int ExpiresIn)
{
    public static AuthResponse From(UserDto user, TokenPair tokens) =>
        new(user, tokens.AccessToken, tokens.RefreshToken, "bearer", tokens.ExpiresIn);
}
