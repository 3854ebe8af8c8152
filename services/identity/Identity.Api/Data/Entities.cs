using Community.Contracts;
namespace Community.Identity.Data;

public sealed class User
{
    public Guid Id { get; set; }
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
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
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

/// <summary>A registration with an e-mail, kept until the address's owner confirms it with the mailed token.</summary>
public sealed class PendingRegistration
{
    public byte[] TokenHash { get; set; } = [];
    public string Username { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Phone { get; set; }
    public string PasswordHash { get; set; } = "";
    public string Role { get; set; } = "";
    public string? FullName { get; set; }
    public Guid? ReferrerId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
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
