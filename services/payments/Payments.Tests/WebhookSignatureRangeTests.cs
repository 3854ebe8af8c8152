using System.Text;
using Community.Payments.Webhooks;

namespace Community.Payments.Tests;

/// <summary>Stripe-Signature values the outside probe sent to the anonymous webhook: refused with a reason, never thrown.</summary>
public sealed class WebhookSignatureRangeTests
{
    [Theory]
    [InlineData("t=99999999999999,v1=00")]
    [InlineData("t=9223372036854775807,v1=00")]
    [InlineData("t=253402300800,v1=00")]
    [InlineData("t=99999999999999999999999,v1=00")]
    public void A_timestamp_past_any_date_is_refused_not_thrown(string header)
    {
        var reason = WebhookSignature.Verify(header, Encoding.UTF8.GetBytes("{}"), ["whsec_test"], DateTimeOffset.UtcNow);
        Assert.NotNull(reason);
    }

    [Fact]
    public void A_genuine_signature_still_passes()
    {
        var now = DateTimeOffset.UtcNow;
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1\"}");
        Assert.Null(WebhookSignature.Verify(WebhookSignature.Header("whsec_test", now, body), body, ["whsec_test"], now));
    }
}
