namespace Community.AiCompanion.Data;

/// <summary>A user as identity and payments announced them (<c>users</c>); what the companion may know of its user.</summary>
public sealed class CompanionUser
{
    public Guid UserId { get; set; }
    public string Username { get; set; } = "";
    public string? Region { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public List<string> Interests { get; set; } = [];
    public string? IdentityBadge { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset AsOf { get; set; }

    /// <summary>free, premium or elite (<see cref="Community.Contracts.Tiers"/>).</summary>
    public string Tier { get; set; } = "free";
    public DateTimeOffset TierAsOf { get; set; }

    /// <summary>Whole years of age on <paramref name="today"/>; null when the profile has no date of birth.</summary>
    public int? AgeOn(DateOnly today)
    {
        if (DateOfBirth is not { } born)
            return null;
        var age = today.Year - born.Year;
        return born > today.AddYears(-age) ? age - 1 : age;
    }
}

/// <summary>A block as social announced it (<c>blocks</c>); Blocked false once lifted.</summary>
public sealed class Block
{
    public Guid BlockerId { get; set; }
    public Guid BlockedId { get; set; }
    public bool Blocked { get; set; }
    public DateTimeOffset AsOf { get; set; }
}
