using System.ComponentModel.DataAnnotations;
using Community.Identity.Users;
using Community.ServiceDefaults.OpenApi;

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
    [Required] string? Username,
    string? Email,
    string? Phone,
    [Required] string? Password,
    string? FullName,
    [ValuesOf(typeof(RegisterRequest), nameof(RegisterRequest.Roles))] string? Role,
    string? ReferralCode
)
{
    /// <summary>The roles a registration may ask for.</summary>
    public static readonly string[] Roles = [Community.Contracts.Roles.Member, Community.Contracts.Roles.Organizer];
}

/// <summary>The token from the link that confirms an account's e-mail.</summary>
public sealed record ConfirmRegistrationRequest([Required] string? Token);

/// <summary>
/// The address a confirmation link proved, and nothing else of the account: the link proves who reads the mailbox,
/// not who holds the account (an address mistyped at registration mails a stranger), so the profile is for its owner's
/// own GET /api/v1/auth/me.
/// </summary>
public sealed record EmailConfirmed(string Email, bool EmailVerified);

/// <param name="Identifier">The username, e-mail or phone of the account.</param>
public sealed record LoginRequest([Required] string? Identifier, [Required] string? Password);

/// <summary>What signing out everywhere else ended.</summary>
/// <param name="SessionsEnded">How many other sessions were ended: 0 when this was the only one.</param>
public sealed record OtherSessionsEnded(int SessionsEnded);

public sealed record RefreshRequest([Required] string? RefreshToken);

public sealed record AuthResponse(
    UserDto User,
    string AccessToken,
    string RefreshToken,
    string TokenType,
    int ExpiresIn
)
{
    public static AuthResponse From(UserDto user, TokenPair tokens) =>
        new(user, tokens.AccessToken, tokens.RefreshToken, "bearer", tokens.ExpiresIn);
}

/// <summary>The outside providers one may sign in with; empty when none is configured.</summary>
public sealed record ExternalProvidersDto(IReadOnlyList<ExternalProviderDto> Items);

/// <param name="Name">
/// What the sign-in's routes name it by: GET /api/v1/auth/external/{name}/start?redirect_uri=... begins it.
/// </param>
/// <param name="DisplayName">How to name it to a person ("Continue with Google").</param>
public sealed record ExternalProviderDto(string Name, string DisplayName);
