using Community.Contracts;

namespace Community.AiCompanion.Limits;

/// <summary>
/// Messages a day per tier ("Companion:Limits": free, premium, elite), counted per UTC day. Null (the elite default)
/// or a negative number: unlimited; 0: no messages without a bought session.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Companion:Limits";

    public long? Free { get; set; } = 20;
    public long? Premium { get; set; } = 200;
    public long? Elite { get; set; }

    /// <summary>The daily limit of <paramref name="tier"/> (an unknown or missing tier is free); null: unlimited.</summary>
    public long? For(string? tier)
    {
        var limit = tier switch
        {
            Tiers.Elite => Elite,
            Tiers.Premium => Premium,
            _ => Free,
        };
        return limit is < 0 ? null : limit;
    }

    /// <summary>The tier a token claim names, free when it names none the platform knows.</summary>
    public static string Normalize(string? tier) => tier is not null && Tiers.All.Contains(tier) ? tier : Tiers.Free;
}

/// <summary>
/// A session bought with credits ("Companion:Sessions"): what the companion expects it to cost (payments prices the
/// spend from its own Payments:CompanionSessionCredits; a spend of another amount is refunded), how long it lifts the
/// daily limit, and how many messages past the limit it gives at most (null: as many as its time allows).
/// </summary>
public sealed class CompanionSessionOptions
{
    public const string Section = "Companion:Sessions";

    public long Credits { get; set; } = 30;
    public int Minutes { get; set; } = 60;
    public int? Messages { get; set; } = 100;
}
