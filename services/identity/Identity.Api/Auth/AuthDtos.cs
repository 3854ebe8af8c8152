using Community.Identity.Users;

namespace Community.Identity.Auth;

/// <summary>A new account: an e-mail or a phone (or both) to reach its owner.</summary>
/// <param name="Username">3-30 characters of a-z, 0-9, '_' and '.' (upper case is lowered); public and unique.</param>
/// <param name="Email">Needed unless a phone is given; confirmed by a mailed link.</param>
/// <param name="Phone">E.164, e.g. +971501234567; needed unless an e-mail is given.</param>
/// <param name="Password">10-128 characters with letters and a digit or symbol, not containing the username.</param>
/// <param name="FullName">At most 100 characters.</param>
/// <param name="Role">member (the default) or organizer.</param>
/// <param name="ReferralCode">Another member's referral code, if they invited you.</param>
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
