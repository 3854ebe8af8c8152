using Community.Contracts;
using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

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

    /// <summary>
    /// When the subscription change that set <see cref="Tier"/> happened; an older change arriving later is ignored.
    /// </summary>
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

    /// <summary>
    /// The uploaded picture's blob, when <see cref="ProfileImageUrl"/> is ours; null for a URL the member gave.
    /// </summary>
    public string? ProfileImageKey { get; set; }
    public string? LinkedinUrl { get; set; }
    public string? GithubUrl { get; set; }
    public string? IdentityBadge { get; set; }
    public string ReferralCode { get; set; } = "";

    /// <summary>
    /// When the owner last proved <see cref="Email"/> is theirs (the mailed link); null when never. Only a verified
    /// address is unique.
    /// </summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    /// <summary>
    /// When the owner last proved <see cref="Phone"/> is theirs (an SMS code); null when never. Only a verified number
    /// is unique.
    /// </summary>
    public DateTimeOffset? PhoneVerifiedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the account's current or last suspension began; null when never suspended or lifted.</summary>
    public DateTimeOffset? SuspendedAt { get; set; }

    /// <summary>When the suspension ends by itself; null (with <see cref="SuspendedAt"/> set): until lifted.</summary>
    public DateTimeOffset? SuspendedUntil { get; set; }
    public string? SuspensionReason { get; set; }

    /// <summary>
    /// When the account was last suspended or its suspension lifted, by an admin or a report's resolution (the
    /// resolution's own time); null when never. A resolution older than this is not applied.
    /// </summary>
    public DateTimeOffset? SuspensionDecidedAt { get; set; }

    /// <summary>Whether the account may not sign in at <paramref name="now"/> (a suspension ends by itself).</summary>
    public bool IsSuspendedAt(DateTimeOffset now) =>
        SuspendedAt is not null && (SuspendedUntil is null || SuspendedUntil > now);

    /// <summary>Seed 004's verified member: an e-mail or a phone proven to be the owner's.</summary>
    public bool IsVerified => EmailVerifiedAt is not null || PhoneVerifiedAt is not null;
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Ignore(u => u.IsVerified);
        builder.Property(u => u.Version).MapToXmin();
        // Identifiers are stored normalised, so plain unique indexes suffice; only a proven e-mail or phone is unique.
        builder.HasIndex(u => u.Username, "users_username_key").IsUnique();
        builder.HasIndex(u => u.ReferralCode, "users_referral_code_key").IsUnique();
        builder
            .HasIndex(u => u.Email, "users_verified_email_key")
            .IsUnique()
            .HasFilter("email_verified_at IS NOT NULL");
        builder
            .HasIndex(u => u.Phone, "users_verified_phone_key")
            .IsUnique()
            .HasFilter("phone_verified_at IS NOT NULL");
        builder.HasIndex(u => u.Email, "users_email").HasFilter("email IS NOT NULL");
        builder.HasIndex(u => u.Phone, "users_phone").HasFilter("phone IS NOT NULL");
    }
}
