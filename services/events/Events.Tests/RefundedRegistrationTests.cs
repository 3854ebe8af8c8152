using Community.Contracts;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.Events.Tests;

/// <summary>
/// A paid ticket refunded in full (PaymentRefunded) ends as refunded and frees its seat; one RsvpCancelled marked
/// refunded, owing nothing, lets the event's chat and the feed let its holder go.
/// </summary>
public sealed class RefundedRegistrationTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    [Fact]
    public async Task A_refunded_ticket_ends_refunded_frees_its_seat_and_its_holder_leaves_as_refunded()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 1;
                b["price_cents"] = 2000;
                b["currency"] = "EUR";
            }
        );
        var eventId = e["id"]!.GetValue<string>();
        var (holderId, holder) = fx.Member();
        var (_, waiting) = fx.Member();
        var hold = await (
            await fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, holder)
        ).AssertProblem(402);
        var registrationId = Guid.Parse(hold["registration_id"]!.GetValue<string>());
        var paymentId = Guid.NewGuid();
        await PublishAsync(
            new PaymentSucceeded(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                paymentId,
                holderId,
                PaymentPurposes.EventRegistration,
                registrationId,
                2000,
                "EUR"
            )
        );
        await Eventually.TrueAsync(
            async () => (await MineAsync(eventId, holder))["status"]!.GetValue<string>() == "confirmed",
            "the ticket was never issued"
        );
        await (await fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, waiting)).AssertStatus(202);

        await PublishAsync(
            new PaymentRefunded(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                paymentId,
                holderId,
                registrationId,
                2000,
                2000,
                "EUR"
            )
        );

        await Eventually.TrueAsync(
            async () => (await MineAsync(eventId, holder))["status"]!.GetValue<string>() == "refunded",
            "the ticket never ended as refunded"
        );
        await Eventually.TrueAsync(
            async () => (await MineAsync(eventId, waiting))["status"]!.GetValue<string>() == "held",
            "the freed seat never went to the waiting list"
        );
        // Once, though the refund is told twice; marked refunded, owing nothing (payments refunds nothing more).
        var again = new PaymentRefunded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paymentId,
            holderId,
            registrationId,
            2000,
            2000,
            "EUR"
        );
        await PublishAsync(again);
        await fx.HandledAsync(again.MessageId, "PaymentRefundedConsumer");
        Assert.Equal(
            "1 true 0",
            await fx.ScalarAsync<string>(
                """
                SELECT count(*) || ' ' || bool_and((payload->>'refunded')::boolean) || ' '
                    || max(payload->>'refundCents')
                FROM outbox_messages WHERE type LIKE '%.RsvpCancelled,%' AND payload->>'userId' = @user
                """,
                ("user", holderId.ToString())
            )
        );
    }

    private async Task PublishAsync<T>(T message)
        where T : class, IIntegrationEvent
    {
        // Until the receive endpoints are bound, a published message would reach no queue.
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    fx.Host.Services.GetRequiredService<IBusControl>().CheckHealth().Status == BusHealthStatus.Healthy
                ),
            "the events bus never became ready"
        );
        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(message, context => context.MessageId = message.MessageId);
    }

    private async Task<JsonNode> MineAsync(string eventId, string token) =>
        await (await fx.Client.Get($"/api/v1/events/{eventId}/registrations/me", token)).AssertStatus(200);
}
