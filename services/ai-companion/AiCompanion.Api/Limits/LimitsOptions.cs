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

    /// <summary>
    /// The daily limit of <paramref name="tier"/> (an unknown or missing tier is free); null: unlimited.
    /// </summary>
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
