using Community.ServiceDefaults.Api;

namespace Community.Payments.Checkout;

/// <summary>What every checkout (payments, subscriptions, boosts) checks in its request.</summary>
public static class CheckoutRules
{
    /// <summary>Validates what every checkout needs besides the thing bought.</summary>
    public static CheckoutUrls Urls(
        ValidationErrors errors,
        string? paymentMethod,
        string? successUrl,
        string? cancelUrl
    )
    {
        var method = paymentMethod?.Trim().ToLowerInvariant() ?? "card";
        if (!PaymentMethods.All.Contains(method))
            errors.Add("payment_method", "payment_method must be card, alipay or wechat_pay.");
        foreach (var (field, url) in new[] { ("success_url", successUrl), ("cancel_url", cancelUrl) })
            if (errors.Required(field, url))
                errors.Url(field, url);
        return new CheckoutUrls(method, successUrl ?? "", cancelUrl ?? "");
    }
}
