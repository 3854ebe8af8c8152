namespace Community.Payments.Subscriptions;

/// <summary>
/// The billing period a purchase was sold with: kept on its payment and then on its subscription, so a tier taken off
/// sale or a period changed in the configuration since changes nothing already bought. Rows from before it was kept
/// read the configuration of the day.
/// </summary>
public static class SubscriptionPeriods
{
    /// <summary>
    /// What <paramref name="payment"/> bought, in days; null when neither it nor the configuration says.
    /// </summary>
    public static int? DaysOf(Payment payment, PaymentsOptions options) =>
        payment.PeriodDays ?? Configured(payment.Product, options);

    /// <summary>The period <paramref name="subscription"/> runs on, in days; null when nothing says.</summary>
    public static int? DaysOf(Subscription subscription, PaymentsOptions options) =>
        subscription.PeriodDays ?? Configured(subscription.Plan, options);

    private static int? Configured(string? tier, PaymentsOptions options) =>
        tier is not null && options.Tiers.TryGetValue(tier, out var price) ? price.PeriodDays : null;
}
