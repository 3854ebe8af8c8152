using System.Globalization;
using Community.Payments.Subscriptions;
using Community.ServiceDefaults.Api;

namespace Community.Payments;

/// <summary>
/// The "Payments" configuration section. Prices of platform products live here; event and course prices come from their
/// services.
/// </summary>
public sealed class PaymentsOptions
{
    public const string Section = "Payments";

    /// <summary>Where clients reach the platform (the gateway); checkout URLs are built on it.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:8080";

    /// <summary>How long a checkout stays open when nothing else bounds it (a ticket hold does).</summary>
    public TimeSpan CheckoutLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Subscription tiers ("premium", "elite") to price and billing period.</summary>
    public Dictionary<string, TierPrice> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Boost length in days ("1", "7", "30") to price (and credit price, when credits may buy it).</summary>
    public Dictionary<string, BoostPrice> Boosts { get; set; } = new();

    public List<CreditPack> CreditPacks { get; set; } = [];

    /// <summary>
    /// What a companion session costs in credits (CompanionSessionRequested); null: not sold. Never the client's or the
    /// companion's figure.
    /// </summary>
    public int? CompanionSessionCredits { get; set; }

    public StripeOptions Stripe { get; set; } = new();

    public SandboxOptions Sandbox { get; set; } = new();

    /// <summary>
    /// What is wrong with the settings, so a misconfigured service stops at start-up instead of after a buyer paid
    /// for a pack that delivers nothing, or at a checkout that cannot be priced.
    /// </summary>
    public IEnumerable<string> Problems(string section)
    {
        for (var i = 0; i < CreditPacks.Count; i++)
        {
            var pack = CreditPacks[i];
            var at = $"{section}:CreditPacks:{i}";
            if (pack.Id == Guid.Empty)
                yield return $"{at}:Id is required (a GUID).";
            else if (CreditPacks.FindIndex(p => p.Id == pack.Id) < i)
                yield return $"{at}:Id {pack.Id} is the id of an earlier pack too.";
            if (pack.Credits <= 0)
                yield return $"{at}:Credits must be above 0.";
            foreach (var problem in pack.Problems(at))
                yield return problem;
        }
        foreach (var (tier, price) in Tiers)
        {
            var at = $"{section}:Tiers:{tier}";
            if (!SubscriptionsApi.PaidTiers.Contains(tier, StringComparer.OrdinalIgnoreCase))
                yield return $"{at} is not a tier sold: {string.Join(", ", SubscriptionsApi.PaidTiers)}.";
            // Stripe renews a plan once a year at the longest.
            if (price.PeriodDays is < 1 or > 365)
                yield return $"{at}:PeriodDays must be from 1 to 365.";
            foreach (var problem in price.Problems(at))
                yield return problem;
        }
        foreach (var (days, price) in Boosts)
        {
            var at = $"{section}:Boosts:{days}";
            // Checkout and the credits spend look a boost up by its days written plainly ("7"), as its price list does.
            if (
                !int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
                || d <= 0
                || d.ToString(CultureInfo.InvariantCulture) != days
            )
                yield return $"{at} must be named by its days, a whole number above 0 such as 7.";
            if (price.Credits is <= 0)
                yield return $"{at}:Credits must be above 0, or unset when credits do not buy it.";
            foreach (var problem in price.Problems(at))
                yield return problem;
        }
        if (CompanionSessionCredits is <= 0)
            yield return $"{section}:CompanionSessionCredits must be above 0, or unset when sessions are not sold.";
    }
}

public class Price
{
    public long AmountCents { get; set; }
    public string Currency { get; set; } = "EUR";

    internal IEnumerable<string> Problems(string at)
    {
        if (AmountCents <= 0)
            yield return $"{at}:AmountCents must be above 0.";
        if (!FieldRules.IsCurrency((Currency ?? "").ToUpperInvariant()))
            yield return $"{at}:Currency must be an ISO 4217 code such as EUR.";
    }
}

public sealed class BoostPrice : Price
{
    /// <summary>
    /// What the boost costs in credits (POST /credits/spend, purpose boost); null: not sold for credits.
    /// </summary>
    public int? Credits { get; set; }
}

public sealed class TierPrice : Price
{
    public int PeriodDays { get; set; } = 30;
}

public sealed class CreditPack : Price
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public int Credits { get; set; }
}

public sealed class StripeOptions
{
    /// <summary>The secret API key; when empty the sandbox provider is used.</summary>
    public string? SecretKey { get; set; }
    public string ApiBaseUrl { get; set; } = "https://api.stripe.com";

    /// <summary>Webhook signing secrets (whsec_...); several while rotating.</summary>
    public List<string> WebhookSecrets { get; set; } = [];
}

public sealed class SandboxOptions
{
    /// <summary>Where the sandbox delivers its webhooks; by default the service's own address.</summary>
    public string? WebhookUrl { get; set; }
}
