namespace Community.Payments.Tests;

/// <summary>
/// The sandbox's hosted page behaves like Stripe's: a declined card comes back to the page, which offers to pay again.
/// </summary>
public sealed class SandboxDeclineTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task Declining_comes_back_to_the_page_which_offers_to_pay_again_and_paying_then_settles_once()
    {
        var (userId, token) = fx.User();
        var checkout = await fx.CheckoutAsync(token, "event_registration", await fx.SeatHeldAsync(userId, 2500));
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var page = new Uri(checkout["checkout_url"]!.GetValue<string>()).AbsolutePath;

        var declined = await fx.PressAsync(checkout, pay: false);

        Assert.Equal(HttpStatusCode.Redirect, declined.StatusCode);
        Assert.Equal(page, declined.Headers.Location!.ToString());
        var payment = await (await fx.Client.Get($"/api/v1/payments/{paymentId}", token)).AssertStatus(200);
        Assert.Equal("pending", payment["status"]!.GetValue<string>());
        Assert.Equal("generic_decline", payment["failure_reason"]!.GetValue<string>());
        var html = await fx.CheckoutPageAsync(checkout);
        Assert.Contains("Your last attempt was declined (generic_decline)", html);
        Assert.Contains($"action=\"{page}/pay\"", html);
        Assert.Contains("<a href=\"https://app.example/cancelled\">Cancel and return</a>", html);
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", paymentId));

        var paid = await fx.PressAsync(checkout);

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Equal("https://app.example/paid", paid.Headers.Location!.ToString());
        Assert.Equal(
            "succeeded",
            await fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Null(
            await fx.ScalarAsync<string>("SELECT failure_reason FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", paymentId));
        html = await fx.CheckoutPageAsync(checkout);
        Assert.Contains("This checkout is paid", html);
        Assert.DoesNotContain("<form", html);
    }

    [Fact]
    public async Task A_session_that_expires_after_a_decline_ends_expired_with_one_PaymentFailed_and_the_page_says_so()
    {
        var (userId, token) = fx.User();
        var checkout = await fx.CheckoutAsync(token, "event_registration", await fx.SeatHeldAsync(userId, 2500));
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var page = new Uri(checkout["checkout_url"]!.GetValue<string>()).AbsolutePath;
        await fx.PressAsync(checkout, pay: false);

        fx.Clock.Advance(TimeSpan.FromHours(2));
        var late = await fx.PressAsync(checkout);

        // Like Stripe, an expired session cannot be paid: it reports its expiry and the page says so.
        Assert.Equal(page, late.Headers.Location!.ToString());
        Assert.Equal(
            "expired",
            await fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentFailed", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        var html = await fx.CheckoutPageAsync(checkout);
        Assert.Contains("This checkout has expired", html);
        Assert.DoesNotContain("<form", html);
        Assert.Contains("<a href=\"https://app.example/cancelled\">Return</a>", html);

        Assert.Equal(page, (await fx.PressAsync(checkout, pay: false)).Headers.Location!.ToString());
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentFailed", paymentId));
    }
}
