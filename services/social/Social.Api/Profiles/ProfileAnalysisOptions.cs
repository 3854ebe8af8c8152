using Community.Contracts;
using Community.ServiceDefaults.Ai;

namespace Community.Social.Profiles;

/// <summary>
/// <c>Social:ProfileAnalysis</c>: the OpenAI-compatible chat endpoint that analyses innovator profiles (without an
/// Endpoint the offline analyst answers), and how many analyses each tier may ask for per UTC day.
/// </summary>
public sealed class ProfileAnalysisOptions : OpenAiEndpointOptions
{
    public const string Section = "Social:ProfileAnalysis";

    /// <summary>The HttpClient of analyses: retried (an analysis changes nothing), bounded by Timeout.</summary>
    public const string HttpClient = "social-profile-analysis";

    public int FreePerDay { get; set; } = 3;
    public int PremiumPerDay { get; set; } = 20;
    public int ElitePerDay { get; set; } = 100;

    public int PerDay(string tier) =>
        tier switch
        {
            Tiers.Elite => ElitePerDay,
            Tiers.Premium => PremiumPerDay,
            _ => FreePerDay,
        };

    public override IEnumerable<string> Problems(string section)
    {
        foreach (var problem in base.Problems(section))
            yield return problem;
        if (FreePerDay < 0 || PremiumPerDay < 0 || ElitePerDay < 0)
            yield return $"{section}: FreePerDay, PremiumPerDay and ElitePerDay must not be negative.";
    }
}
