using Community.Contracts.Payments;
using Community.Testing;
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
        await fx.RegisterAsync(referralCode: referrer["user"]!["referral_code"]!.GetValue<string>()); // referred too, never pays

        var paid = Payment(referredId);
        await PublishAsync(paid);
        await PublishAsync(paid); // redelivered
        await HandledAsync(paid.MessageId);

        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
        Assert.Equal(referrerId.ToString(), await fx.ScalarAsync<string>(
            "SELECT payload->>'referrerUserId' FROM outbox_messages WHERE type LIKE '%.ReferralConverted,%' AND payload->>'referredUserId' = @u",
            ("u", referredId.ToString())));
        var summary = await (await fx.Client.Get("/api/v1/referrals/me", referrer["access_token"]!.GetValue<string>())).AssertStatus(200);
        Assert.Equal(2, summary["referrals_count"]!.GetValue<int>());
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());

        // A later, different payment is no first purchase: nothing converts again.
        var later = Payment(referredId);
        await PublishAsync(later);
        await HandledAsync(later.MessageId);
        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
        Assert.Equal(paid.PaymentId, await fx.ScalarAsync<Guid>(
            "SELECT conversion_payment_id FROM referrals WHERE referred_user_id = @u", ("u", referredId)));
        summary = await (await fx.Client.Get("/api/v1/referrals/me", referrer["access_token"]!.GetValue<string>())).AssertStatus(200);
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());
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
        foreach (var payment in payments) await HandledAsync(payment.MessageId);

        Assert.Equal(1L, await ConvertedOutboxRowsAsync(referredId));
        var summary = await (await fx.Client.Get("/api/v1/referrals/me", referrer["access_token"]!.GetValue<string>())).AssertStatus(200);
        Assert.Equal(1, summary["conversions"]!.GetValue<int>());
    }

    private PaymentSucceeded Payment(Guid userId) =>
        new(Guid.NewGuid(), fx.Clock.GetUtcNow(), Guid.NewGuid(), userId, "course", Guid.NewGuid(), 1499, "EUR");

    private Task PublishAsync(PaymentSucceeded message) =>
        fx.Host.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = message.MessageId);

    private Task HandledAsync(Guid messageId) => Eventually.TrueAsync(
        async () => await fx.ScalarAsync<long>(
            "SELECT count(*) FROM inbox_messages WHERE message_id = @id AND consumer LIKE '%.ReferralConversionConsumer'", ("id", messageId)) == 1,
        $"payment message {messageId} was never handled");

    private async Task<long> ConvertedOutboxRowsAsync(Guid referredId) => await fx.ScalarAsync<long>(
        "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.ReferralConverted,%' AND payload->>'referredUserId' = @u",
        ("u", referredId.ToString()));
}
