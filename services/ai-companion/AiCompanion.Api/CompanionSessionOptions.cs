namespace Community.AiCompanion;

/// <summary>
/// A session bought with credits ("Companion:Sessions"): the price the companion expects (payments charges its own
/// Payments:CompanionSessionCredits; a spend of another amount is refunded), how long it lifts the daily limit, and
/// how many messages past the limit it gives at most (null: as many as its time allows). Sessions sells it; Limits
/// names it in a refused send's 429.
/// </summary>
public sealed class CompanionSessionOptions
{
    public const string Section = "Companion:Sessions";

    public long Credits { get; set; } = 30;
    public int Minutes { get; set; } = 60;
    public int? Messages { get; set; } = 100;
}
