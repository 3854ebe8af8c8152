using Community.Payments.Data;
using Community.ServiceDefaults.Errors;

namespace Community.Payments.Checkout;

/// <summary>What every checkout (payments, subscriptions, boosts) checks in its request.</summary>
public static class CheckoutRules
{
    /// <summary>Validates what every checkout needs besides the thing bought.</summary>
    public static CheckoutUrls Urls(ValidationErrors errors, string? paymentMethod, string? successUrl, string? cancelUrl)
    {
        var method = paymentMethod?.Trim().ToLowerInvariant() ?? "card";
        if (!PaymentMethods.All.Contains(method)) errors.Add("payment_method", "payment_method must be card, alipay or wechat_pay.");
        foreach (var (field, url) in new[] { ("success_url", successUrl), ("cancel_url", cancelUrl) })
            if (url is null || url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                errors.Add(field, $"{field} must be an absolute http(s) URL.");
        return new CheckoutUrls(method, successUrl ?? "", cancelUrl ?? "");
    }
}
