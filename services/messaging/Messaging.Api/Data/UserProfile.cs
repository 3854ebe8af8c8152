namespace Community.Messaging.Data;

/// <summary>What messaging knows of a person, from identity's events (the consumers in Users/).</summary>
public sealed class UserProfile
{
    public Guid UserId { get; set; }

    /// <summary>Null until identity's first event about the user arrives, and again once they are deleted.</summary>
    public string? Username { get; set; }
    public string? DisplayName { get; set; }

    /// <summary>Identity's <c>profile_image_url</c> from the newest profile update; null for a tombstone.</summary>
    public string? ProfileImageUrl { get; set; }

    /// <summary>The digest's address: only registration carries it, and it is mailed once proven.</summary>
    public string? Email { get; set; }
    public bool EmailVerified { get; set; }
    public DateTimeOffset? DigestSentAt { get; set; }

    /// <summary><c>OccurredAt</c> of the newest event applied; an older event changes nothing.</summary>
    public DateTimeOffset AsOf { get; set; }

    /// <summary>Set by <c>UserDeleted</c>; the row stays as a tombstone so a late event cannot bring it back.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

internal sealed class UserProfileConfiguration : IEntityTypeConfiguration<UserProfile>
{
    public void Configure(EntityTypeBuilder<UserProfile> e) => e.HasKey(u => u.UserId);
}
