using Community.Contracts;
using Community.Contracts.Payments;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Identity.Tests;

public sealed class ReferralConversionTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task A_referred_members_first_payment_converts_the_referral_once()
    {
        var referrer = await fx.RegisterAsync();
        var referrerId = Guid.Parse(referrer["user"]!["id"]!.GetValue<string>());
        var referred = await fx.RegisterAsync(referralCode: referrer["user"]!["referral_code"]!.GetValue<string>());
        var referredId = Guid.Parse(referred["user"]!["id"]!.GetValue<string>());
        // Referred too, never pays.
        await fx.RegisterAsync(referralCode: referrer["user"]!["referral_code"]!.GetValue<string>());

        var paid = Payment(referredId);
        await PublishAsync(paid);
        await PublishAsync(paid); // redelivered
        await fx.ConsumedAsync(paid.MessageId, "ReferralConversionConsumer", times: 2);

        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
        Assert.Equal(
            referrerId.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT payload->>'referrerUserId' FROM outbox_messages WHERE type LIKE '%.ReferralConverted,%' "
                    + "AND payload->>'referredUserId' = @u",
                ("u", referredId.ToString())
            )
        );
        var summary = await (
            await fx.Client.Get("/api/v1/referrals/me", referrer["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.Equal(2, summary["referrals_count"]!.GetValue<int>());
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());

        // A later, different payment is no first purchase: nothing converts again.
        var later = Payment(referredId);
        await PublishAsync(later);
        await HandledAsync(later.MessageId);
        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
        Assert.Equal(
            paid.PaymentId,
            await fx.ScalarAsync<Guid>(
                "SELECT conversion_payment_id FROM referrals WHERE referred_user_id = @u",
                ("u", referredId)
            )
        );
        summary = await (
            await fx.Client.Get("/api/v1/referrals/me", referrer["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_purchase_before_the_referred_member_confirms_a_contact_converts_nothing_one_after_does()
    {
        var referrer = await fx.RegisterAsync();
        var username = "u_" + Guid.NewGuid().ToString("N")[..12];
        var referred = await (
            await fx.Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    email = $"{username}@example.com",
                    password = "correct-horse-9",
                    full_name = "Test User",
                    referral_code = referrer["user"]!["referral_code"]!.GetValue<string>(),
                }
            )
        ).AssertStatus(201);
        var referredId = Guid.Parse(referred["user"]!["id"]!.GetValue<string>());

        var unconfirmed = Payment(referredId, PaymentPurposes.Boost);
        await PublishAsync(unconfirmed);
        await HandledAsync(unconfirmed.MessageId);
        Assert.Equal(0L, await ConvertedOutboxRowsAsync(referredId));
        Assert.Null(
            await fx.ScalarAsync<DateTimeOffset?>(
                "SELECT converted_at FROM referrals WHERE referred_user_id = @u",
                ("u", referredId)
            )
        );

        await (await fx.ConfirmAsync($"{username}@example.com")).AssertStatus(200);
        // a purchase made before the confirmation and handled after it (a backlog) is judged as of its time
        var late = Payment(referredId, PaymentPurposes.Boost) with
        {
            OccurredAt = fx.Clock.GetUtcNow().AddMinutes(-5),
        };
        await PublishAsync(late);
        await HandledAsync(late.MessageId);
        Assert.Equal(0L, await ConvertedOutboxRowsAsync(referredId));
        fx.Clock.Advance(TimeSpan.FromSeconds(1));
        var confirmed = Payment(referredId, PaymentPurposes.Boost);
        await PublishAsync(confirmed);
        await HandledAsync(confirmed.MessageId);
        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
    }

    [Theory]
    [InlineData(PaymentPurposes.EventRegistration)]
    [InlineData(PaymentPurposes.Course)]
    [InlineData(PaymentPurposes.GroupMembership)]
    public async Task What_members_sell_one_another_converts_nothing_what_the_platform_sells_does(string purpose)
    {
        // A referrer selling a cheap ticket, course or group to their own referrals (and refunding most of it) would
        // farm the rewards: only the platform's own sales convert.
        var referrer = await fx.RegisterAsync();
        var referred = await fx.RegisterAsync(referralCode: referrer["user"]!["referral_code"]!.GetValue<string>());
        var referredId = Guid.Parse(referred["user"]!["id"]!.GetValue<string>());

        var bought = Payment(referredId, purpose);
        await PublishAsync(bought);
        await HandledAsync(bought.MessageId);
        Assert.Equal(0L, await ConvertedOutboxRowsAsync(referredId));

        var platform = Payment(referredId, PaymentPurposes.Subscription);
        await PublishAsync(platform);
        await HandledAsync(platform.MessageId);
        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
    }

    [Fact]
    public async Task Payments_of_members_nobody_referred_convert_nothing()
    {
        var member = await fx.RegisterAsync();
        var memberId = Guid.Parse(member["user"]!["id"]!.GetValue<string>());
        var paid = Payment(memberId);
        await PublishAsync(paid);
        await HandledAsync(paid.MessageId);
        Assert.Equal(0L, await ConvertedOutboxRowsAsync(memberId));
    }

    [Fact]
    public async Task Two_first_payments_racing_convert_the_referral_once()
    {
        var referrer = await fx.RegisterAsync();
        var referred = await fx.RegisterAsync(referralCode: referrer["user"]!["referral_code"]!.GetValue<string>());
        var referredId = Guid.Parse(referred["user"]!["id"]!.GetValue<string>());

        var payments = Enumerable.Range(0, 6).Select(_ => Payment(referredId)).ToList();
        await Task.WhenAll(payments.Select(PublishAsync));
        foreach (var payment in payments)
            await HandledAsync(payment.MessageId);

        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
        var summary = await (
            await fx.Client.Get("/api/v1/referrals/me", referrer["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_summary_counts_pending_referrals_and_credits_earned_and_a_full_refund_revokes_a_conversion()
    {
        var referrer = await fx.RegisterAsync();
        var code = referrer["user"]!["referral_code"]!.GetValue<string>();
        var token = referrer["access_token"]!.GetValue<string>();
        var paying = new List<Guid>();
        for (var i = 0; i < 2; i++)
            paying.Add(Guid.Parse((await fx.RegisterAsync(referralCode: code))["user"]!["id"]!.GetValue<string>()));
        await fx.RegisterAsync(referralCode: code); // never pays

        var summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(3, summary["pending"]!.GetValue<int>());
        Assert.Equal(0, summary["credits_earned"]!.GetValue<long>());

        var payments = paying.Select(id => Payment(id)).ToList();
        foreach (var payment in payments)
            await PublishAsync(payment);
        foreach (var payment in payments)
            await HandledAsync(payment.MessageId);
        summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(3, summary["referrals_count"]!.GetValue<int>());
        Assert.Equal(2, summary["conversions"]!.GetValue<int>());
        Assert.Equal(1, summary["pending"]!.GetValue<int>());
        Assert.Equal(100, summary["credits_earned"]!.GetValue<long>());

        // A partial refund is a goodwill gesture: the conversion stands. A full one revokes it, and it never converts
        // again.
        var first = payments[0];
        var partial = Refund(first, 500);
        var full = Refund(first, first.AmountCents);
        await RefundAsync(partial);
        summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(2, summary["conversions"]!.GetValue<int>());
        await RefundAsync(full);
        var again = Payment(first.UserId);
        await PublishAsync(again);
        await HandledAsync(again.MessageId);
        summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(3, summary["referrals_count"]!.GetValue<int>());
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());
        Assert.Equal(1, summary["pending"]!.GetValue<int>());
        Assert.Equal(50, summary["credits_earned"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_full_refund_leaves_no_conversion_whichever_of_it_and_its_payment_is_handled_first(
        bool refundFirst
    )
    {
        // PaymentSucceeded and PaymentRefunded come on separate queues: either may be handled first, and both orders
        // must end alike, as they do in payments.
        var referrer = await fx.RegisterAsync();
        var code = referrer["user"]!["referral_code"]!.GetValue<string>();
        var token = referrer["access_token"]!.GetValue<string>();
        var referredId = Guid.Parse((await fx.RegisterAsync(referralCode: code))["user"]!["id"]!.GetValue<string>());

        var paid = Payment(referredId);
        var full = Refund(paid, paid.AmountCents);
        if (refundFirst)
            await RefundAsync(full);
        await PublishAsync(paid);
        await HandledAsync(paid.MessageId);
        if (refundFirst)
        {
            // Nothing to reward: payments never hears of a conversion its refund already undid.
            Assert.Equal(0L, await ConvertedOutboxRowsAsync(referredId));
        }
        else
        {
            Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
            var converted = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
            Assert.Equal(1, converted["conversions"]!.GetValue<int>());
            await RefundAsync(full);
        }

        var summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(1, summary["referrals_count"]!.GetValue<int>());
        Assert.Equal(0, summary["conversions"]!.GetValue<int>());
        Assert.Equal(0, summary["pending"]!.GetValue<int>());
        Assert.Equal(0, summary["credits_earned"]!.GetValue<long>());
        Assert.Equal(
            paid.PaymentId,
            await fx.ScalarAsync<Guid>(
                "SELECT conversion_payment_id FROM referrals WHERE referred_user_id = @u AND revoked_at IS NOT NULL",
                ("u", referredId)
            )
        );
        Assert.Equal(0L, await RememberedRefundsAsync(referredId));

        // Revoked, the referral never converts again, in either order.
        var again = Payment(referredId);
        await PublishAsync(again);
        await HandledAsync(again.MessageId);
        Assert.Equal(refundFirst ? 0L : 1L, await ConvertedOutboxRowsAsync(referredId));
        summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(0, summary["conversions"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_partial_refund_handled_before_its_payment_leaves_the_conversion_standing()
    {
        var referrer = await fx.RegisterAsync();
        var code = referrer["user"]!["referral_code"]!.GetValue<string>();
        var token = referrer["access_token"]!.GetValue<string>();
        var referredId = Guid.Parse((await fx.RegisterAsync(referralCode: code))["user"]!["id"]!.GetValue<string>());

        // Two partial refunds of one payment arrive out of order, both before the payment: the higher total is kept.
        var paid = Payment(referredId);
        await RefundAsync(Refund(paid, 700));
        await RefundAsync(Refund(paid, 500));
        Assert.Equal(
            700L,
            await fx.ScalarAsync<long>(
                "SELECT total_refunded_cents FROM referral_refunds WHERE payment_id = @p",
                ("p", paid.PaymentId)
            )
        );

        await PublishAsync(paid);
        await HandledAsync(paid.MessageId);
        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
        var summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());
        Assert.Equal(0L, await RememberedRefundsAsync(referredId));

        // The rest refunded later revokes the conversion as usual.
        await RefundAsync(Refund(paid, paid.AmountCents));
        summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(0, summary["conversions"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_full_refund_racing_its_payment_leaves_no_conversion()
    {
        var referrer = await fx.RegisterAsync();
        var code = referrer["user"]!["referral_code"]!.GetValue<string>();
        var token = referrer["access_token"]!.GetValue<string>();
        var referred = new List<Guid>();
        for (var i = 0; i < 4; i++)
            referred.Add(Guid.Parse((await fx.RegisterAsync(referralCode: code))["user"]!["id"]!.GetValue<string>()));

        var payments = referred.Select(id => Payment(id)).ToList();
        await Task.WhenAll(
            payments.SelectMany(paid => new[] { PublishAsync(paid), RefundAsync(Refund(paid, paid.AmountCents)) })
        );
        foreach (var paid in payments)
            await HandledAsync(paid.MessageId);

        var summary = await (await fx.Client.Get("/api/v1/referrals/me", token)).AssertStatus(200);
        Assert.Equal(4, summary["referrals_count"]!.GetValue<int>());
        Assert.Equal(0, summary["conversions"]!.GetValue<int>());
        Assert.Equal(0, summary["pending"]!.GetValue<int>());
        foreach (var referredId in referred)
            Assert.Equal(0L, await RememberedRefundsAsync(referredId));
    }

    private PaymentRefunded Refund(PaymentSucceeded paid, long totalRefunded) =>
        new(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paid.PaymentId,
            paid.UserId,
            paid.ReferenceId,
            totalRefunded,
            totalRefunded,
            paid.Currency
        );

    private async Task RefundAsync(PaymentRefunded message)
    {
        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(message, context => context.MessageId = message.MessageId);
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM inbox_messages WHERE message_id = @id "
                        + "AND consumer LIKE '%.ReferralRefundConsumer'",
                    ("id", message.MessageId)
                ) == 1,
            $"refund message {message.MessageId} was never handled"
        );
    }

    private PaymentSucceeded Payment(Guid userId, string purpose = PaymentPurposes.Credits) =>
        new(Guid.NewGuid(), fx.Clock.GetUtcNow(), Guid.NewGuid(), userId, purpose, Guid.NewGuid(), 1499, "EUR");

    private Task PublishAsync(PaymentSucceeded message) =>
        fx.Host.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = message.MessageId);

    private Task HandledAsync(Guid messageId) => fx.HandledAsync(messageId, "ReferralConversionConsumer");

    private async Task<long> RememberedRefundsAsync(Guid referredId) =>
        await fx.ScalarAsync<long>(
            "SELECT count(*) FROM referral_refunds WHERE referred_user_id = @u",
            ("u", referredId)
        );

    private async Task<long> ConvertedOutboxRowsAsync(Guid referredId) =>
        await fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.ReferralConverted,%' "
                + "AND payload->>'referredUserId' = @u",
            ("u", referredId.ToString())
        );
}
