using Community.Contracts.AiCompanion;
using Community.Contracts.Events;
using Community.Payments.Credits;

namespace Community.Payments.Tests;

/// <summary>The payments side of a companion session bought with credits (price 30 from appsettings.json).</summary>
public sealed class CompanionSessionCreditsTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    private const long Price = 30;

    [Fact]
    public async Task A_requested_session_is_spent_once_at_payments_price_however_often_it_is_asked()
    {
        var userId = Guid.NewGuid();
        await GrantAsync(userId, 100);
        var request = new CompanionSessionRequested(Guid.NewGuid(), fx.Clock.GetUtcNow(), Guid.NewGuid(), userId);

        // A redelivery (same message) and the companion asking again (a new message, the same session).
        await PublishAsync(request, request.MessageId);
        await PublishAsync(request, request.MessageId);
        var again = request with { MessageId = Guid.NewGuid() };
        await PublishAsync(again, again.MessageId);
        await fx.ConsumedAsync(request.MessageId, nameof(CompanionSessionRequestedConsumer), times: 2);
        await HandledAsync(again.MessageId);

        Assert.Equal(100 - Price, await BalanceAsync(userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM credit_transactions WHERE user_id = @u AND kind = 'spend' AND purpose = "
                    + "'companion_session' AND reference_id = @s AND amount = @p",
                ("u", userId),
                ("s", request.SessionId),
                ("p", Price)
            )
        );
        Assert.Equal(1, await OutboxAsync("CreditsSpent", request.SessionId));
        Assert.Equal(0, await OutboxAsync("CreditsSpendDeclined", request.SessionId));
    }

    [Fact]
    public async Task A_balance_short_of_the_price_is_declined_and_writes_no_spend()
    {
        var userId = Guid.NewGuid();
        await GrantAsync(userId, Price - 1);
        var request = new CompanionSessionRequested(Guid.NewGuid(), fx.Clock.GetUtcNow(), Guid.NewGuid(), userId);

        await PublishAsync(request, request.MessageId);
        await HandledAsync(request.MessageId);

        Assert.Equal(Price - 1, await BalanceAsync(userId));
        Assert.Equal(0, await OutboxAsync("CreditsSpent", request.SessionId));
        Assert.Equal(1, await OutboxAsync("CreditsSpendDeclined", request.SessionId));
        var declined = await fx.ScalarAsync<string>(
            "SELECT payload->>'reason' || ' ' || (payload->>'balance') || ' ' || (payload->>'required') || ' ' "
                + "|| (payload->>'purpose') FROM outbox_messages "
                + "WHERE type LIKE '%.CreditsSpendDeclined,%' AND payload->>'referenceId' = @s",
            ("s", request.SessionId.ToString())
        );
        Assert.Equal($"insufficient_credits {Price - 1} {Price} companion_session", declined);
    }

    [Fact]
    public async Task A_session_the_companion_rejects_is_paid_back_once()
    {
        var userId = Guid.NewGuid();
        await GrantAsync(userId, 100);
        var request = new CompanionSessionRequested(Guid.NewGuid(), fx.Clock.GetUtcNow(), Guid.NewGuid(), userId);
        await PublishAsync(request, request.MessageId);
        await HandledAsync(request.MessageId);
        var spendId = await fx.ScalarAsync<Guid>(
            "SELECT id FROM credit_transactions WHERE kind = 'spend' AND reference_id = @s",
            ("s", request.SessionId)
        );

        var rejected = new PurchaseRejected(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            spendId,
            "companion_session",
            request.SessionId,
            "The account was deleted."
        );
        await PublishAsync(rejected, rejected.MessageId);
        await PublishAsync(rejected, rejected.MessageId);
        var sentAgain = rejected with { MessageId = Guid.NewGuid() };
        await PublishAsync(sentAgain, sentAgain.MessageId);
        await HandledAsync(rejected.MessageId, "PurchaseRejectedConsumer");
        await HandledAsync(sentAgain.MessageId, "PurchaseRejectedConsumer");

        Assert.Equal(100, await BalanceAsync(userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM credit_transactions WHERE kind = 'reversal' AND reverses_transaction_id = "
                    + "@t AND amount = @p",
                ("t", spendId),
                ("p", Price)
            )
        );
    }

    private async Task GrantAsync(Guid userId, long amount)
    {
        await using var scope = fx.Host.Services.CreateAsyncScope();
        await scope
            .ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(userId, amount, "test", "test:" + Guid.NewGuid(), CancellationToken.None);
    }

    private async Task<long> BalanceAsync(Guid userId)
    {
        await using var scope = fx.Host.Services.CreateAsyncScope();
        return await scope
            .ServiceProvider.GetRequiredService<CreditLedger>()
            .BalanceAsync(userId, CancellationToken.None);
    }

    private async Task PublishAsync<T>(T message, Guid messageId)
        where T : class =>
        await fx.Host.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);

    private Task HandledAsync(Guid messageId, string consumer = nameof(CompanionSessionRequestedConsumer)) =>
        fx.HandledAsync(messageId, consumer);

    private Task<long> OutboxAsync(string eventType, Guid sessionId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND "
                + "payload->>'referenceId' = @s",
            ("type", eventType),
            ("s", sessionId.ToString())
        );
}
