using System.Text;
using static Community.Payments.Tests.StripePaymentsFixture;

namespace Community.Payments.Tests;

/// <summary>
/// A correctly signed webhook whose body carries what jsonb refuses (\u0000) is recorded and handled, not a 500; what
/// is recorded of it is its id, never the payer's details the body carries.
/// </summary>
public sealed class WebhookPayloadTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    [Fact]
    public async Task A_signed_body_with_an_escaped_nul_is_accepted_and_settles_the_payment()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();
        var session = Event(
            "checkout.session.completed",
            new
            {
                id = sessionId,
                @object = "checkout.session",
                mode = "payment",
                status = "complete",
                payment_status = "paid",
                payment_intent = IntentOf(paymentId),
                client_reference_id = paymentId.ToString(),
                metadata = new { payment_id = paymentId.ToString(), note = "a\u0000b" },
                customer_details = new { email = "pat.payer@example.com", name = "Pat Payer" },
            }
        );
        Assert.Contains("\\u0000", Encoding.UTF8.GetString(session.Bytes));

        Assert.False(await fx.AcceptedAsync(session));

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1L, await fx.WebhookEventsAsync(session.EventId));
        Assert.True(await fx.AcceptedAsync(session));
        var recorded = await fx.ScalarAsync<string>(
            "SELECT row_to_json(w)::text FROM webhook_events w WHERE id = @id",
            ("id", session.EventId)
        );
        Assert.NotNull(recorded);
        Assert.DoesNotContain("pat.payer", recorded);
        Assert.DoesNotContain("Pat Payer", recorded);
    }
}
