namespace Community.Payments;

/// <summary>
/// How long a paid period is, as the provider bills it: a 30-day plan renews monthly (Stripe's interval month: 28 to
/// 31 days, on the day of the month it began), any other length every so many days.
/// </summary>
public static class BillingPeriods
{
    private const int MonthDays = 30;

    public static bool IsMonthly(int periodDays) => periodDays == MonthDays;

    /// <summary>When a period that began at <paramref name="start"/> ends.</summary>
    public static DateTimeOffset EndAfter(DateTimeOffset start, int periodDays) =>
        IsMonthly(periodDays) ? start.AddMonths(1) : start.AddDays(periodDays);
}
