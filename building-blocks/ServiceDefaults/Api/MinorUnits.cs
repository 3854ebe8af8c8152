using System.Globalization;
using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// What an amount's minor unit is in each currency, as the payment provider counts it (Stripe): every
/// <c>*_cents</c> field is an integer of these units. Most currencies have 2 decimals; those below have none (5000 JPY
/// is 5000) or 3 (1.250 KWD is 1250, and the provider takes only multiples of 10). The web client keeps the same
/// table (clients/web/src/lib/money.ts).
/// </summary>
public static class MinorUnits
{
    private static readonly HashSet<string> NoDecimals =
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ];

    private static readonly HashSet<string> ThreeDecimals = ["BHD", "JOD", "KWD", "OMR", "TND"];

    /// <summary>
    /// How many decimals an amount in <paramref name="currency"/> (ISO 4217, upper case) has: 0, 2 or 3.
    /// </summary>
    public static int DigitsOf(string currency) =>
        NoDecimals.Contains(currency) ? 0
        : ThreeDecimals.Contains(currency) ? 3
        : 2;

    /// <summary>"12.50 EUR", "5000 JPY", "1.250 KWD".</summary>
    public static string Format(long minor, string currency)
    {
        var digits = DigitsOf(currency);
        var major = minor / (decimal)Math.Pow(10, digits);
        return major.ToString("F" + digits, CultureInfo.InvariantCulture) + " " + currency;
    }

    /// <summary>
    /// Refuses an amount the provider cannot charge in <paramref name="currency"/>: a three-decimal currency's amount
    /// must end in 0.
    /// </summary>
    public static void ChargeableAmount(this ValidationErrors errors, string field, long minor, string? currency)
    {
        if (currency is not null && DigitsOf(currency) == 3 && minor % 10 != 0)
            errors.Add(
                field,
                $"{field} in {currency} (3 decimals, in thousandths) must be a multiple of 10: payment "
                    + "providers charge it to the hundredth."
            );
    }
}
