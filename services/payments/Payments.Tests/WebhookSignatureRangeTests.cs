using Community.Payments.Webhooks;
using Stripe;

namespace Community.Payments.Tests;

/// <summary>
/// Stripe-Signature values the outside probe sent to the anonymous webhook: refused with a reason, never thrown.
/// </summary>
public sealed class WebhookSignatureRangeTests
{
    [Theory]
    [InlineData("t=99999999999999,v1=00")]
    [InlineData("t=9223372036854775807,v1=00")]
    [InlineData("t=253402300800,v1=00")]
    [InlineData("t=99999999999999999999999,v1=00")]
    public void A_timestamp_past_any_date_is_refused_not_thrown(string header)
    {
        WebhookApi.ConstructEvent("{}", header, ["whsec_test"], DateTimeOffset.UtcNow, out var reason);
        Assert.NotNull(reason);
    }

    [Fact]
    public void A_genuine_signature_still_passes()
    {
        var now = DateTimeOffset.UtcNow;
        var body =
            "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"customer.created\",\"api_version\":\""
            + StripeConfiguration.ApiVersion
            + "\",\"data\":{\"object\":{\"id\":\"cus_1\",\"object\":\"customer\"}}}";
        var header = EventUtility.GenerateSignatureHeader(body, "whsec_test", now.ToUnixTimeSeconds());
        Assert.NotNull(WebhookApi.ConstructEvent(body, header, ["whsec_test"], now, out var reason));
        Assert.Null(reason);
    }
}
