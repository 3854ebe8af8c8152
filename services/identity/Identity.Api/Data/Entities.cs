using Community.Contracts;

namespace Community.Identity.Data;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>The row's version (xmin): the profile's ETag.</summary>
    public uint Version { get; set; }
    public string Username { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string PasswordHash { get; set; } = "";
    public string Role { get; set; } = Roles.Member;
    public string Tier { get; set; } = Tiers.Free;

    /// <summary>When the subscription change that set <see cref="Tier"/> happened; an older change arriving later is ignored.</summary>
    public DateTimeOffset? TierChangedAt { get; set; }
    public string? FullName { get; set; }
    public string? Bio { get; set; }
    public string? Region { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public string? Gender { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public List<string> Interests { get; set; } = [];
    public List<string> Languages { get; set; } = [];
    public string? ProfileImageUrl { get; set; }

    /// <summary>The uploaded picture's blob, when <see cref="ProfileImageUrl"/> is ours; null for a URL the member gave.</summary>
    public string? ProfileImageKey { get; set; }
    public string? LinkedinUrl { get; set; }
    public string? GithubUrl { get; set; }
    public string? IdentityBadge { get; set; }
    public string ReferralCode { get; set; } = "";

    /// <summary>When the owner last proved <see cref="Email"/> is theirs (the mailed link); null when never. Only a verified address is unique.</summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    /// <summary>When the owner last proved <see cref="Phone"/> is theirs (an SMS code); null when never. Only a verified number is unique.</summary>
    public DateTimeOffset? PhoneVerifiedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Seed 004's verified member: an e-mail or a phone proven to be the owner's.</summary>
    public bool IsVerified => EmailVerifiedAt is not null || PhoneVerifiedAt is not null;
}

public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid FamilyId { get; set; }
    public Guid UserId { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class PasswordResetToken
{
    public byte[] TokenHash { get; set; } = [];
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

public sealed class Referral
{
    public Guid ReferredUserId { get; set; }
    public Guid ReferrerUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ConvertedAt { get; set; }

    /// <summary>Set when the converting payment was refunded in full: the conversion no longer counts (and never converts again).</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class WaitlistEntry
{
    public long Sequence { get; set; }
    public string Email { get; set; } = "";
    public string? Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Hash of the token that shows this entry's place (null for entries from before tokens).</summary>
    public byte[]? StatusTokenHash { get; set; }
}

/// <summary>A mailed link that proves an account's e-mail (hashed); it proves only the address it went to.</summary>
public sealed class EmailVerificationToken
{
    public byte[] TokenHash { get; set; } = [];
    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>The live SMS code for an account's phone (hashed), and how many codes were sent in the current window.</summary>
public sealed class PhoneVerificationCode
{
    public Guid UserId { get; set; }

    /// <summary>The number the code went to: a code proves only that number.</summary>
    public string Phone { get; set; } = "";
    public byte[] CodeHash { get; set; } = [];
    public DateTimeOffset ExpiresAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset LastSentAt { get; set; }
    public DateTimeOffset WindowStartedAt { get; set; }
    public int SendsInWindow { get; set; }
}

public sealed class SigningKey
{
    public string Kid { get; set; } = "";

    /// <summary>PKCS#8, encrypted with Data Protection when <see cref="Encrypted"/> (rows from before encryption are plain until first read).</summary>
    public byte[] PrivateKey { get; set; } = [];
    public bool Encrypted { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class LoginFailure
{
    public string Key { get; set; } = "";
    public DateTimeOffset WindowStartedAt { get; set; }
    public int Failures { get; set; }
    public DateTimeOffset? LastFailedAt { get; set; }
}

/// <summary>An address an account has signed in from; see <c>LoginThrottle</c>.</summary>
public sealed class LoginAddress
{
    public Guid UserId { get; set; }
    public string Address { get; set; } = "";
    public DateTimeOffset LastSucceededAt { get; set; }
}

/// <summary>A session (or every session of a user before NotBefore) that ended while its access tokens still live.</summary>
public sealed class SessionRevocation
{
    public long Sequence { get; set; }
    public Guid UserId { get; set; }
    public Guid? SessionId { get; set; }
    public DateTimeOffset? NotBefore { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset TokensExpireBy { get; set; }
}

/// <summary>A started sign-in with an outside provider: what the callback must match (state, hashed), and what it needs (nonce, PKCE verifier).</summary>
public sealed class ExternalLoginState
{
    public byte[] StateHash { get; set; } = [];
    public string Provider { get; set; } = "";
    public string Nonce { get; set; } = "";
    public string CodeVerifier { get; set; } = "";
    public string ClientRedirectUri { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>An account linked to a provider's subject, so a later sign-in finds it even if the provider's e-mail changes.</summary>
public sealed class ExternalLogin
{
    public string Provider { get; set; } = "";
    public string Subject { get; set; } = "";
    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A one-time code handed to the client after an outside sign-in; the client posts it to get the token pair.</summary>
public sealed class ExternalLoginCode
{
    public byte[] CodeHash { get; set; } = [];
    public Guid UserId { get; set; }

    /// <summary>Whether the sign-in created the account (201 rather than 200 on exchange).</summary>
    public bool Created { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
