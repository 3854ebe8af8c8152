using Community.Contracts;
using Community.Contracts.Payments;
using MassTransit;
using Npgsql;

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
        var (eventId, holderId, holder, waiting, registrationId, paymentId) = await TicketWithOneWaitingAsync(fx);

        await PublishAsync(FullRefund(fx, paymentId, holderId, registrationId));

        await Eventually.TrueAsync(
            async () => (await MineAsync(eventId, holder))["status"]!.GetValue<string>() == "refunded",
            "the ticket never ended as refunded"
        );
        await Eventually.TrueAsync(
            async () => (await MineAsync(eventId, waiting))["status"]!.GetValue<string>() == "held",
            "the freed seat never went to the waiting list"
        );
        // Once, though the refund is told twice; marked refunded, owing nothing (payments refunds nothing more).
        var again = FullRefund(fx, paymentId, holderId, registrationId);
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

    /// <summary>The ticket of <see cref="TicketWithOneWaitingAsync"/> refunded in full, told by payments.</summary>
    internal static PaymentRefunded FullRefund(EventsFixture fx, Guid paymentId, Guid holderId, Guid registrationId) =>
        new(Guid.NewGuid(), fx.Clock.GetUtcNow(), paymentId, holderId, registrationId, 2000, 2000, "EUR");

    /// <summary>A paid event of one seat: its ticket issued to a holder, and somebody on the waiting list.</summary>
    internal static async Task<(
        string EventId,
        Guid HolderId,
        string Holder,
        string Waiting,
        Guid RegistrationId,
        Guid PaymentId
    )> TicketWithOneWaitingAsync(EventsFixture fx)
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
            fx,
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
            async () => (await MineAsync(fx, eventId, holder))["status"]!.GetValue<string>() == "confirmed",
            "the ticket was never issued"
        );
        await (await fx.Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, waiting)).AssertStatus(202);
        return (eventId, holderId, holder, waiting, registrationId, paymentId);
    }

    private Task PublishAsync<T>(T message)
        where T : class, IIntegrationEvent => PublishAsync(fx, message);

    private Task<JsonNode> MineAsync(string eventId, string token) => MineAsync(fx, eventId, token);

    internal static async Task PublishAsync<T>(EventsFixture fx, T message)
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

    internal static async Task<JsonNode> MineAsync(EventsFixture fx, string eventId, string token) =>
        await (await fx.Client.Get($"/api/v1/events/{eventId}/registrations/me", token)).AssertStatus(200);
}

/// <summary>
/// A refund racing another promotion of its event, with the sweeper idle (it would otherwise give any seat left free
/// to the waiting list within a moment).
/// </summary>
public sealed class RefundPromotionRaceTests(IdleSweeperFixture fx) : IClassFixture<IdleSweeperFixture>
{
    [Fact]
    public async Task A_seat_a_refund_frees_while_another_promotion_holds_the_list_still_goes_to_the_waiting_list()
    {
        var (eventId, holderId, _, waiting, registrationId, paymentId) =
            await RefundedRegistrationTests.TicketWithOneWaitingAsync(fx);

        // The refund's transaction stops at its commit until the gate opens (a deferred trigger on the ticket's row).
        var gate = Random.Shared.Next(1_000_000, 2_000_000);
        var trigger = "refund_gate_" + registrationId.ToString("N");
        await fx.ExecuteAsync(
            $"""
            CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_lock({gate}); PERFORM pg_advisory_unlock({gate}); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER {trigger} AFTER UPDATE ON registrations DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW WHEN (NEW.id = '{registrationId}') EXECUTE FUNCTION {trigger}();
            """
        );
        try
        {
            await using var gateHolder = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
            await gateHolder.OpenAsync();
            await ExecuteAsync(gateHolder, null, $"SELECT pg_advisory_lock({gate})");
            // Another promotion of the event under way (the sweeper's, say): it holds the event's promotion lock
            // (SeatBook.PromotionLocks, 14001), and will read the seats again once it lets go.
            await using var promoter = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
            await promoter.OpenAsync();
            var promoting = await promoter.BeginTransactionAsync();
            await ExecuteAsync(promoter, promoting, $"SELECT pg_advisory_xact_lock(14001, hashtext('{eventId}'))");

            await RefundedRegistrationTests.PublishAsync(
                fx,
                RefundedRegistrationTests.FullRefund(fx, paymentId, holderId, registrationId)
            );
            await Eventually.TrueAsync(
                async () =>
                    await fx.ScalarAsync<long>(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event = 'advisory' AND query ILIKE 'commit%'
                        """
                    ) == 1,
                "the refund never reached its commit"
            );
            // The other promotion ends, reading the seats as committed: the refunded seat is not free yet.
            await promoting.CommitAsync();
            // Then the refund commits.
            await ExecuteAsync(gateHolder, null, $"SELECT pg_advisory_unlock({gate})");

            await Eventually.TrueAsync(
                async () =>
                    (await RefundedRegistrationTests.MineAsync(fx, eventId, waiting))["status"]!.GetValue<string>()
                    == "held",
                "the freed seat was left for the other promotion, which had already looked"
            );
        }
        finally
        {
            await fx.ExecuteAsync($"DROP TRIGGER {trigger} ON registrations; DROP FUNCTION {trigger}();");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }
}
