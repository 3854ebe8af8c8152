using Community.Contracts;
using Community.Contracts.Payments;
using Community.Contracts.Social;

namespace Community.Events.Tests;

/// <summary>
/// A report resolved with remove_content on an event (social's ReportResolved) cancels it as its organizer's
/// cancellation does, once; an event that is over stays as it took place.
/// </summary>
public sealed class ReportedEventTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    private ReportResolved Removal(string eventId) =>
        ReportRemovals.Of(fx.Clock, eventId, "spam", "A fake event selling tickets.");

    private Task<long> CancellationsAsync(string eventId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.EventCancelled,%' AND payload->>'eventId' = @id",
            ("id", eventId)
        );

    private async Task<JsonNode> MineAsync(string eventId, string token) =>
        await (await fx.Client.Get($"/api/v1/events/{eventId}/registrations/me", token)).AssertStatus(200);

    [Fact]
    public async Task A_removed_event_is_cancelled_once_as_by_its_organizer_so_its_paid_tickets_are_refunded()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["price_cents"] = 2000;
                b["currency"] = "EUR";
            }
        );
        var eventId = e["id"]!.GetValue<string>();
        var (holderId, holder) = fx.Member();
        var hold = await (
            await fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, holder)
        ).AssertProblem(402);
        await fx.PublishAsync(
            new PaymentSucceeded(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                Guid.NewGuid(),
                holderId,
                PaymentPurposes.EventRegistration,
                Guid.Parse(hold["registration_id"]!.GetValue<string>()),
                2000,
                "EUR"
            )
        );
        await Eventually.TrueAsync(
            async () => (await MineAsync(eventId, holder))["status"]!.GetValue<string>() == "confirmed",
            "the ticket was never issued"
        );

        var removal = Removal(eventId);
        await fx.DeliverAsync(removal, "ReportedEventCanceller");

        var seen = await (await fx.Client.Get($"/api/v1/events/{eventId}", holder)).AssertStatus(200);
        Assert.Equal("cancelled", seen["status"]!.GetValue<string>());
        Assert.Equal("Removed by the moderators after a report.", seen["cancellation_reason"]!.GetValue<string>());
        Assert.NotNull(seen["cancelled_at"]);
        // EventCancelled is what payments refunds every ticket on, as after an organizer's cancellation; the ticket
        // stays confirmed until that refund comes back.
        Assert.Equal(1L, await CancellationsAsync(eventId));
        Assert.Equal("confirmed", (await MineAsync(eventId, holder))["status"]!.GetValue<string>());

        // Delivered again, and another report's removal: cancelled once.
        await fx.PublishAsync(removal);
        await fx.ConsumedAsync(removal.MessageId, "ReportedEventCanceller", 2);
        await fx.DeliverAsync(Removal(eventId), "ReportedEventCanceller");
        Assert.Equal(1L, await CancellationsAsync(eventId));
    }

    [Fact]
    public async Task An_event_that_is_over_stays_as_it_took_place()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(10).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddMinutes(20).ToString("O");
            }
        );
        var eventId = e["id"]!.GetValue<string>();
        fx.Clock.Advance(TimeSpan.FromMinutes(30));

        await fx.DeliverAsync(Removal(eventId), "ReportedEventCanceller");

        var seen = await (await fx.Client.Get($"/api/v1/events/{eventId}")).AssertStatus(200);
        Assert.Equal("published", seen["status"]!.GetValue<string>());
        Assert.Null(seen["cancelled_at"]);
        Assert.Equal(0L, await CancellationsAsync(eventId));
    }
}
