using System.ComponentModel.DataAnnotations;
using Community.ServiceDefaults.OpenApi;

namespace Community.Identity.Auth;

/// <summary>The caller's two-factor sign-in.</summary>
/// <param name="Enabled">
/// True when sign-in asks for a code from the authenticator app; a setup not yet confirmed leaves it false.
/// </param>
/// <param name="EnabledAt">When it was turned on; null while off.</param>
/// <param name="RecoveryCodesLeft">
/// Recovery codes not used yet (0 while off); turning it off and on again gives ten new ones.
/// </param>
public sealed record TwoFactorStatus(bool Enabled, DateTimeOffset? EnabledAt, int RecoveryCodesLeft);

/// <summary>Starts turning two-factor sign-in on.</summary>
/// <param name="Password">The account's password.</param>
public sealed record TwoFactorSetupRequest([Required] string? Password) : IRequestExample<TwoFactorSetupRequest>
{
    public static TwoFactorSetupRequest Example => new("sunny-dunes-42");
}

/// <summary>The secret to put in an authenticator app; two-factor sign-in stays off until a code confirms it.</summary>
/// <param name="Secret">The TOTP secret in base32 (RFC 4648), for typing into an app by hand.</param>
/// <param name="OtpauthUri">The same secret as an otpauth:// URI (SHA-1, 6 digits, 30 s), for a QR code.</param>
public sealed record TwoFactorSetup(string Secret, string OtpauthUri);

/// <summary>A code from the authenticator app, proving it holds the secret.</summary>
/// <param name="Code">The 6 digits the app shows now.</param>
public sealed record TwoFactorConfirmRequest([Required] string? Code) : IRequestExample<TwoFactorConfirmRequest>
{
    public static TwoFactorConfirmRequest Example => new("492039");
}

/// <summary>Two-factor sign-in is on; each of these codes signs in once in place of an app's code.</summary>
/// <param name="RecoveryCodes">Ten one-time codes, shown this once only: keep them somewhere safe.</param>
public sealed record TwoFactorRecoveryCodes(IReadOnlyList<string> RecoveryCodes);

/// <summary>Turns two-factor sign-in off.</summary>
/// <param name="Password">The account's password.</param>
/// <param name="Code">A code from the authenticator app, or an unused recovery code.</param>
public sealed record TwoFactorDisableRequest([Required] string? Password, [Required] string? Code)
    : IRequestExample<TwoFactorDisableRequest>
{
    public static TwoFactorDisableRequest Example => new("sunny-dunes-42", "k7m2p-9qx4t");
}

/// <summary>The second step of a login to an account with two-factor sign-in on.</summary>
/// <param name="Challenge">The challenge the login answered.</param>
/// <param name="Code">A code from the authenticator app, or an unused recovery code (each works once).</param>
public sealed record TwoFactorLoginRequest([Required] string? Challenge, [Required] string? Code)
    : IRequestExample<TwoFactorLoginRequest>
{
    public static TwoFactorLoginRequest Example => new("q5Xw0Jt3yB8uN1mR7kZc2vL9pH4sD6fA0gE3iO8uY1w", "492039");
}

/// <summary>
/// A login's answer when the password was right and the account has two-factor sign-in on: no tokens yet; post the
/// challenge with a code to /api/v1/auth/login/two-factor.
/// </summary>
/// <param name="TwoFactorRequired">Always true: tells this answer from the token answer.</param>
/// <param name="Challenge">Single use; at most 5 codes may be tried with it.</param>
/// <param name="ExpiresIn">Seconds the challenge stays valid.</param>
public sealed record TwoFactorChallengeResponse(bool TwoFactorRequired, string Challenge, int ExpiresIn);

/// <summary>Replaces the recovery codes (the ones before stop working).</summary>
/// <param name="Password">The account's password.</param>
/// <param name="Code">A code from the authenticator app, or an unused recovery code (it is spent).</param>
public sealed record TwoFactorNewRecoveryCodesRequest([Required] string? Password, [Required] string? Code)
    : IRequestExample<TwoFactorNewRecoveryCodesRequest>
{
    public static TwoFactorNewRecoveryCodesRequest Example => new("sunny-dunes-42", "492817");
}
