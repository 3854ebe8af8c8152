using Community.Contracts;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.Events.Tests;

/// <summary>
/// Stats count revenue net of refunds and only arrivals still confirmed; attendee lists carry names projected from
/// identity's events.
/// </summary>
public sealed class EventStatsTests(EventsFixture fx) : IClassFixture<EventsFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Revenue_is_net_of_partial_and_full_refunds_and_the_latest_refund_total_wins()
    {
        var (eventId, organizer) = await TicketedEventAsync();
        var paid = new List<(Guid Registration, Guid Payment, Guid User)>();
        for (var i = 0; i < 3; i++)
        {
            var (registrationId, paymentId, userId, _) = await PaidTicketAsync(eventId, 2000, "EUR");
            paid.Add((registrationId, paymentId, userId));
        }
        var stats = await StatsAsync(eventId, organizer);
        Assert.Equal(6000, stats["revenue_cents"]!.GetValue<long>());
        Assert.Equal(0, stats["refunded_cents"]!.GetValue<long>());

        var (partial, full) = (paid[0], paid[1]);
        var refundedAt = fx.Clock.GetUtcNow();
        await PublishAsync(
            new PaymentRefunded(
                Guid.NewGuid(),
                refundedAt,
                partial.Payment,
                partial.User,
                partial.Registration,
                500,
                500,
                "EUR"
            )
        );
        await PublishAsync(
            new PaymentRefunded(
                Guid.NewGuid(),
                refundedAt,
                full.Payment,
                full.User,
                full.Registration,
                2000,
                2000,
                "EUR"
            )
        );
        await StatusBecomesAsync(full.Registration, "refunded");
        await RefundedBecomesAsync(partial.Registration, 500);
        stats = await StatsAsync(eventId, organizer);
        Assert.Equal(6000 - 500 - 2000, stats["revenue_cents"]!.GetValue<long>());
        Assert.Equal(2500, stats["refunded_cents"]!.GetValue<long>());
        // a partial refund leaves the ticket valid
        Assert.Equal(2, stats["registrations"]!["confirmed"]!.GetValue<int>());
        // The organizer's list carries each ticket's payment, to refund it from there, and what was refunded of it.
        var attendees = await AttendeesAsync(eventId, organizer);
        foreach (var (_, payment, user) in paid)
            Assert.Equal(payment.ToString(), Single(attendees, user)["payment_id"]!.GetValue<string>());
        Assert.Equal(500, Single(attendees, partial.User)["refunded_cents"]!.GetValue<long>());
        Assert.Equal(2000, Single(attendees, full.User)["refunded_cents"]!.GetValue<long>());
        Assert.Equal(0, Single(attendees, paid[2].User)["refunded_cents"]!.GetValue<long>());

        // An older total arriving late changes nothing; a newer lower one (a refund that failed after it counted) wins.
        var stale = new PaymentRefunded(
            Guid.NewGuid(),
            refundedAt.AddMinutes(-5),
            partial.Payment,
            partial.User,
            partial.Registration,
            200,
            200,
            "EUR"
        );
        await PublishAsync(stale);
        await fx.HandledAsync(stale.MessageId, "PaymentRefundedConsumer");
        Assert.Equal(500L, await RefundedCentsAsync(partial.Registration));
        await PublishAsync(
            new PaymentRefunded(
                Guid.NewGuid(),
                refundedAt.AddMinutes(5),
                partial.Payment,
                partial.User,
                partial.Registration,
                300,
                300,
                "EUR"
            )
        );
        await RefundedBecomesAsync(partial.Registration, 300);

        // A refund of some other payment for the same registration is not this ticket's money.
        var other = new PaymentRefunded(
            Guid.NewGuid(),
            refundedAt.AddMinutes(6),
            Guid.NewGuid(),
            paid[2].User,
            paid[2].Registration,
            700,
            700,
            "EUR"
        );
        await PublishAsync(other);
        await fx.HandledAsync(other.MessageId, "PaymentRefundedConsumer");
        stats = await StatsAsync(eventId, organizer);
        Assert.Equal(6000 - 300 - 2000, stats["revenue_cents"]!.GetValue<long>());
        Assert.Equal(2300, stats["refunded_cents"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_partial_refund_handled_before_its_payment_confirmed_the_ticket_is_net_of_the_revenue()
    {
        var (eventId, organizer) = await TicketedEventAsync();
        var (registrationId, userId, _) = await HeldSeatAsync(eventId);
        var paymentId = Guid.NewGuid();
        var refundedAt = fx.Clock.GetUtcNow();
        // Each consumer has its own queue: an admin's partial refund reaches events while the seat is still held.
        PaymentRefunded Refund(DateTimeOffset at, long total) =>
            new(Guid.NewGuid(), at, paymentId, userId, registrationId, total, total, "EUR");
        var early = Refund(refundedAt, 500);
        await PublishAsync(early);
        await fx.HandledAsync(early.MessageId, "PaymentRefundedConsumer");
        // An older total arriving after it lowers nothing.
        var stale = Refund(refundedAt.AddMinutes(-5), 200);
        await PublishAsync(stale);
        await fx.HandledAsync(stale.MessageId, "PaymentRefundedConsumer");
        Assert.Equal("held", await StatusAsync(registrationId));
        Assert.Equal(0L, await RefundedCentsAsync(registrationId));

        await PublishAsync(
            new PaymentSucceeded(
                Guid.NewGuid(),
                refundedAt.AddMinutes(-10),
                paymentId,
                userId,
                PaymentPurposes.EventRegistration,
                registrationId,
                2000,
                "EUR"
            )
        );
        await StatusBecomesAsync(registrationId, "confirmed");
        Assert.Equal(500L, await RefundedCentsAsync(registrationId));
        var stats = await StatsAsync(eventId, organizer);
        Assert.Equal(1500, stats["revenue_cents"]!.GetValue<long>());
        Assert.Equal(500, stats["refunded_cents"]!.GetValue<long>());
        Assert.Equal(500, Single(await AttendeesAsync(eventId, organizer), userId)["refunded_cents"]!.GetValue<long>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM early_ticket_refunds WHERE registration_id = @id",
                ("id", registrationId)
            )
        );

        // The next refund of the payment, now confirmed, is recorded on the ticket as before.
        await PublishAsync(Refund(refundedAt.AddMinutes(5), 800));
        await RefundedBecomesAsync(registrationId, 800);
    }

    [Fact]
    public async Task Arrivals_count_only_registrations_still_confirmed()
    {
        var (_, organizer) = fx.Organizer();
        var eventId = await StartingSoonAsync(organizer, 0);
        var tokens = new[] { fx.Member().Token, fx.Member().Token };
        foreach (var token in tokens)
        {
            await (await Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token)).AssertStatus(201);
            await CheckInAsync(eventId, token);
        }
        Assert.Equal(2, (await StatsAsync(eventId, organizer))["arrivals"]!.GetValue<int>());

        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, tokens[1])
        ).AssertStatus(200);

        var stats = await StatsAsync(eventId, organizer);
        Assert.Equal(1, stats["arrivals"]!.GetValue<int>());
        Assert.Equal(1, stats["registrations"]!["cancelled"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_ended_events_takings_and_arrivals_outlive_the_accounts_deleted_since()
    {
        var (organizerId, eventId, tickets) = await TwoPaidArrivalsAsync();
        fx.Clock.Advance(TimeSpan.FromHours(4));
        var organizer = fx.TokenFor(organizerId, Roles.Organizer);

        // One of them deletes their account after the event: their registration goes, what it counted stays.
        var gone = tickets[0];
        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), gone.User);
        await PublishAsync(deleted);
        await fx.HandledAsync(deleted.MessageId, "UserDeletedConsumer");
        Assert.Null(await StatusAsync(gone.Registration));
        var stats = await StatsAsync(eventId, organizer);
        Assert.Equal(
            "4000|0|EUR|2",
            $"{stats["revenue_cents"]}|{stats["refunded_cents"]}|{stats["currency"]}|{stats["arrivals"]}"
        );

        // The organizer refunds part of that ticket later: counted as on a registration, the latest total winning.
        var refundedAt = fx.Clock.GetUtcNow();
        var older = new PaymentRefunded(
            Guid.NewGuid(),
            refundedAt.AddSeconds(-1),
            gone.Payment,
            gone.User,
            gone.Registration,
            300,
            300,
            "EUR"
        );
        var refund = older with { MessageId = Guid.NewGuid(), OccurredAt = refundedAt, TotalRefundedCents = 500 };
        await PublishAsync(refund);
        await fx.HandledAsync(refund.MessageId, "PaymentRefundedConsumer");
        await PublishAsync(older);
        await fx.HandledAsync(older.MessageId, "PaymentRefundedConsumer");
        stats = await StatsAsync(eventId, organizer);
        Assert.Equal("3500|500|2", $"{stats["revenue_cents"]}|{stats["refunded_cents"]}|{stats["arrivals"]}");
    }

    [Fact]
    public async Task An_arrival_whose_account_is_deleted_while_the_event_is_under_way_still_counts()
    {
        var (organizerId, eventId, tickets) = await TwoPaidArrivalsAsync();

        // An hour in, one who arrived deletes their account: their live ticket is cancelled and goes.
        fx.Clock.Advance(TimeSpan.FromHours(1));
        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), tickets[0].User);
        await PublishAsync(deleted);
        await fx.HandledAsync(deleted.MessageId, "UserDeletedConsumer");
        Assert.Null(await StatusAsync(tickets[0].Registration));

        fx.Clock.Advance(TimeSpan.FromHours(3));
        var stats = await StatsAsync(eventId, fx.TokenFor(organizerId, Roles.Organizer));
        Assert.Equal("4000|2", $"{stats["revenue_cents"]}|{stats["arrivals"]}");
    }

    [Fact]
    public async Task Attendees_show_the_names_identity_announced_newest_first_and_none_after_deletion()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(organizer);
        var eventId = e["id"]!.GetValue<string>();
        var (amiraId, amira) = fx.Member();
        var (unknownId, unknown) = fx.Member();
        var registered = new UserRegistered(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            amiraId,
            "amira",
            "amira@example.com",
            null,
            "Amira K",
            Roles.Member,
            "K7M2P9QX4T",
            null
        );
        await PublishAsync(registered);
        await PublishAsync(registered); // redelivered
        await fx.ConsumedAsync(registered.MessageId, "UserRegisteredConsumer", times: 2);
        await (await Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, amira)).AssertStatus(201);
        await (await Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, unknown)).AssertStatus(201);

        var attendees = await AttendeesAsync(eventId, organizer);
        var first = Single(attendees, amiraId);
        Assert.Equal("amira", first["username"]!.GetValue<string>());
        Assert.Equal("Amira K", first["full_name"]!.GetValue<string>());
        Assert.Null(first["profile_image_url"]); // a registration has no picture
        // A free registration has no payment to refund.
        Assert.Null(first["payment_id"]);
        Assert.Equal(0, first["refunded_cents"]!.GetValue<long>());
        // Nobody announced this user yet: the id alone, names null.
        var nameless = Single(attendees, unknownId);
        Assert.Null(nameless["username"]);
        Assert.Null(nameless["full_name"]);

        var picture = $"/api/v1/users/{amiraId}/picture";
        var renamed = Updated(amiraId, "amira_k", "Amira Khalil", fx.Clock.GetUtcNow().AddMinutes(2), picture);
        var older = Updated(amiraId, "amira_old", "Old Name", fx.Clock.GetUtcNow().AddMinutes(1));
        await PublishAsync(renamed);
        await fx.HandledAsync(renamed.MessageId, "UserProfileUpdatedConsumer");
        await PublishAsync(older); // arrives after the newer one: ignored
        await fx.HandledAsync(older.MessageId, "UserProfileUpdatedConsumer");
        // a registration of the same time as her profile (identity announcing her again) changes nothing: not her
        // names (other ones here, to tell), nor her picture, which a registration does not carry
        var again = registered with
        {
            MessageId = Guid.NewGuid(),
            OccurredAt = renamed.OccurredAt,
            Username = "amira_registered",
            FullName = "Registered Name",
        };
        await PublishAsync(again);
        await fx.HandledAsync(again.MessageId, "UserRegisteredConsumer");
        first = Single(await AttendeesAsync(eventId, organizer), amiraId);
        Assert.Equal("amira_k", first["username"]!.GetValue<string>());
        Assert.Equal("Amira Khalil", first["full_name"]!.GetValue<string>());
        Assert.Equal(picture, first["profile_image_url"]!.GetValue<string>());
        // the other order: the user nobody had announced, registration first, then the profile of the same time
        var at = fx.Clock.GetUtcNow().AddMinutes(2);
        var theirs = $"/api/v1/users/{unknownId}/picture";
        var announced = registered with
        {
            MessageId = Guid.NewGuid(),
            OccurredAt = at,
            UserId = unknownId,
            Username = "chen",
        };
        await PublishAsync(announced);
        await fx.HandledAsync(announced.MessageId, "UserRegisteredConsumer");
        var profile = Updated(unknownId, "chen", "Chen Li", at, theirs);
        await PublishAsync(profile);
        await fx.HandledAsync(profile.MessageId, "UserProfileUpdatedConsumer");
        Assert.Equal(
            theirs,
            Single(await AttendeesAsync(eventId, organizer), unknownId)["profile_image_url"]!.GetValue<string>()
        );

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow().AddMinutes(3), amiraId);
        await PublishAsync(deleted);
        await fx.HandledAsync(deleted.MessageId, "UserDeletedConsumer");
        var late = Updated(amiraId, "amira_back", "Back Again", fx.Clock.GetUtcNow().AddMinutes(4));
        await PublishAsync(late);
        await fx.HandledAsync(late.MessageId, "UserProfileUpdatedConsumer");

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM user_profiles WHERE user_id = @u AND (username IS NOT NULL OR full_name IS NOT "
                    + "NULL OR profile_image_url IS NOT NULL)",
                ("u", amiraId)
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM user_profiles WHERE user_id = @u AND deleted_at IS NOT NULL",
                ("u", amiraId)
            )
        );
        attendees = await AttendeesAsync(eventId, organizer);
        Assert.DoesNotContain(attendees, a => a!["user_id"]!.GetValue<string>() == amiraId.ToString());
    }

    [Fact]
    public async Task Stats_and_the_attendee_list_add_up_in_every_read_while_members_register()
    {
        var (_, organizer) = fx.Organizer();
        var eventId = (await fx.CreateEventAsync(organizer, b => b["capacity"] = 500))["id"]!.GetValue<string>();
        var lockStep = new ReadsAmongWrites();
        var registering = Task.Run(async () =>
        {
            for (var i = 0; i < 90; i++)
            {
                // Every ten registrations, wait for a read that starts now: it falls between two, whatever the load.
                if (i > 0 && i % 10 == 0)
                    await lockStep.AwaitReadAsync();
                var (_, member) = fx.Member();
                await (await Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, member)).AssertStatus(
                    201
                );
            }
        });
        var seats = new HashSet<int>();
        var listed = new HashSet<int>();
        await lockStep.ReadUntilAsync(
            registering,
            async () =>
            {
                // Each answer is one moment: its seat count is its registrations', its total its list's.
                var stats = await StatsAsync(eventId, organizer);
                var counts = stats["registrations"]!;
                Assert.Equal(
                    stats["seats_taken"]!.GetValue<int>(),
                    counts["held"]!.GetValue<int>() + counts["confirmed"]!.GetValue<int>()
                );
                seats.Add(stats["seats_taken"]!.GetValue<int>());
                var attendees = await (
                    await Client.Get($"/api/v1/events/{eventId}/attendees?limit=100", organizer)
                ).AssertStatus(200);
                Assert.Equal(attendees["total"]!.GetValue<int>(), attendees["items"]!.AsArray().Count);
                listed.Add(attendees["total"]!.GetValue<int>());
            }
        );
        // The reads the registrations waited for saw every tenth seat taken and listed.
        var waitedFor = Enumerable.Range(1, 8).Select(n => 10 * n).ToHashSet();
        Assert.Superset(waitedFor, seats);
        Assert.Superset(waitedFor, listed);
        Assert.Equal(90, (await StatsAsync(eventId, organizer))["seats_taken"]!.GetValue<int>());
    }

    private static UserProfileUpdated Updated(
        Guid userId,
        string username,
        string fullName,
        DateTimeOffset at,
        string? picture = null
    ) =>
        new(
            Guid.NewGuid(),
            at,
            userId,
            username,
            fullName,
            null,
            null,
            null,
            [],
            [],
            picture,
            ["username", "full_name"]
        );

    /// <summary>A new member's seat at <paramref name="eventId"/>, held (402) and paid (PaymentSucceeded).</summary>
    private async Task<(Guid Registration, Guid Payment, Guid User, string Token)> PaidTicketAsync(
        string eventId,
        long amountCents,
        string currency
    )
    {
        var (registrationId, userId, token) = await HeldSeatAsync(eventId);
        var paymentId = Guid.NewGuid();
        await PublishAsync(
            new PaymentSucceeded(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                paymentId,
                userId,
                PaymentPurposes.EventRegistration,
                registrationId,
                amountCents,
                currency
            )
        );
        await StatusBecomesAsync(registrationId, "confirmed");
        return (registrationId, paymentId, userId, token);
    }

    private static JsonNode Single(JsonArray attendees, Guid userId) =>
        Assert.Single(attendees, a => a!["user_id"]!.GetValue<string>() == userId.ToString())!;

    [Fact]
    public async Task Takings_stay_in_the_currency_tickets_were_paid_in_whatever_the_price_becomes()
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
        var (registrationId, paymentId, userId, token) = await PaidTicketAsync(eventId, 2000, "EUR");
        // The attendee cancels: the seat is free again, so the price may change, but the ticket was paid in euros.
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/events/{eventId}/registrations/me", null, token)
        ).AssertStatus(200);

        var patch = (object body) => Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{eventId}", body, organizer);
        var refused = await (await patch(new { price_cents = 3000, currency = "JPY" })).AssertProblem(400);
        Assert.Contains("EUR", refused["errors"]!["currency"]![0]!.GetValue<string>());
        await (await patch(new { price_cents = 0 })).AssertStatus(200);
        await (await patch(new { price_cents = 500, currency = "USD" })).AssertProblem(400);
        await (await patch(new { price_cents = 3000, currency = "EUR" })).AssertStatus(200);

        var stats = await StatsAsync(eventId, organizer);
        Assert.Equal(2000, stats["revenue_cents"]!.GetValue<long>());
        Assert.Equal("EUR", stats["currency"]!.GetValue<string>());
        // Made free again, its takings are still labelled with the euros they were paid in.
        await (await patch(new { price_cents = 0 })).AssertStatus(200);
        Assert.Equal("EUR", (await StatsAsync(eventId, organizer))["currency"]!.GetValue<string>());

        // Once every euro went back, nothing is kept in it: the organizer may price the event in another currency.
        await PublishAsync(
            new PaymentRefunded(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                paymentId,
                userId,
                registrationId,
                2000,
                2000,
                "EUR"
            )
        );
        await RefundedBecomesAsync(registrationId, 2000);
        await (await patch(new { price_cents = 3000, currency = "JPY" })).AssertStatus(200);

        // Takings in yen now, fewer than the euros that came and went: the stats count the money the event holds.
        await (await patch(new { price_cents = 1000 })).AssertStatus(200);
        await PaidTicketAsync(eventId, 1000, "JPY");
        stats = await StatsAsync(eventId, organizer);
        Assert.Equal("JPY", stats["currency"]!.GetValue<string>());
        Assert.Equal(1000, stats["revenue_cents"]!.GetValue<long>());
        Assert.Equal(0, stats["refunded_cents"]!.GetValue<long>());
    }

    /// <summary>An event starting in 30 minutes (check-in open), for 3 hours, free or at a price in EUR.</summary>
    private async Task<string> StartingSoonAsync(string organizer, long priceCents)
    {
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["starts_at"] = fx.Clock.GetUtcNow().AddMinutes(30).ToString("O");
                b["ends_at"] = fx.Clock.GetUtcNow().AddHours(3).ToString("O");
                if (priceCents > 0)
                {
                    b["price_cents"] = priceCents;
                    b["currency"] = "EUR";
                }
            }
        );
        return e["id"]!.GetValue<string>();
    }

    /// <summary>An organizer's event starting soon at 2000 EUR, and two paid tickets to it checked in.</summary>
    private async Task<(
        Guid OrganizerId,
        string EventId,
        (Guid Registration, Guid Payment, Guid User, string Token)[] Tickets
    )> TwoPaidArrivalsAsync()
    {
        var (organizerId, organizer) = fx.Organizer();
        var eventId = await StartingSoonAsync(organizer, 2000);
        var tickets = new[]
        {
            await PaidTicketAsync(eventId, 2000, "EUR"),
            await PaidTicketAsync(eventId, 2000, "EUR"),
        };
        foreach (var ticket in tickets)
            await CheckInAsync(eventId, ticket.Token);
        return (organizerId, eventId, tickets);
    }

    private async Task CheckInAsync(string eventId, string token) =>
        await (
            await Client.PostJson(
                $"/api/v1/events/{eventId}/check-in",
                new { latitude = 52.5219, longitude = 13.4132 },
                token
            )
        ).AssertStatus(200);

    /// <summary>A new member's seat at <paramref name="eventId"/>, held until paid (402).</summary>
    private async Task<(Guid Registration, Guid User, string Token)> HeldSeatAsync(string eventId)
    {
        var (userId, token) = fx.Member();
        var hold = await (
            await Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, token)
        ).AssertProblem(402);
        return (Guid.Parse(hold["registration_id"]!.GetValue<string>()), userId, token);
    }

    /// <summary>A new organizer's event of 5 seats at 20 EUR.</summary>
    private async Task<(string EventId, string Organizer)> TicketedEventAsync()
    {
        var (_, organizer) = fx.Organizer();
        var e = await fx.CreateEventAsync(
            organizer,
            b =>
            {
                b["capacity"] = 5;
                b["price_cents"] = 2000;
                b["currency"] = "EUR";
            }
        );
        return (e["id"]!.GetValue<string>(), organizer);
    }

    private async Task<JsonArray> AttendeesAsync(string eventId, string organizer) =>
        (await (await Client.Get($"/api/v1/events/{eventId}/attendees", organizer)).AssertStatus(200))[
            "items"
        ]!.AsArray();

    private async Task<JsonNode> StatsAsync(string eventId, string organizer) =>
        await (await Client.Get($"/api/v1/events/{eventId}/stats", organizer)).AssertStatus(200);

    private Task StatusBecomesAsync(Guid registrationId, string status) =>
        Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", registrationId))
                == status,
            $"registration {registrationId} never became {status}"
        );

    private Task<string?> StatusAsync(Guid registrationId) =>
        fx.ScalarAsync<string>("SELECT status FROM registrations WHERE id = @id", ("id", registrationId));

    private Task<long> RefundedCentsAsync(Guid registrationId) =>
        fx.ScalarAsync<long>("SELECT refunded_cents FROM registrations WHERE id = @id", ("id", registrationId));

    private Task RefundedBecomesAsync(Guid registrationId, long cents) =>
        Eventually.TrueAsync(
            async () => await RefundedCentsAsync(registrationId) == cents,
            $"registration {registrationId} never recorded {cents} refunded"
        );

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
}
