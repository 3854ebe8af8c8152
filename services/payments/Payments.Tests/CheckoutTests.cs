using Community.Contracts.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Community.Payments.Tests;

public sealed class CheckoutTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task A_seat_held_for_an_event_cancelled_since_is_not_sold_and_other_holds_are()
    {
        var (userId, token) = fx.User();
        var eventId = Guid.NewGuid();
        var held = await fx.SeatHeldAsync(userId, 2500, eventId: eventId);
        var elsewhere = await fx.SeatHeldAsync(userId, 2500);
        var opened = await fx.CheckoutAsync(token, "event_registration", held);

        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(new EventCancelled(Guid.NewGuid(), fx.Clock.GetUtcNow(), eventId, "storm"));
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<bool>(
                    "SELECT expires_at <= @now FROM sellable_items WHERE reference_id = @r",
                    ("r", held),
                    ("now", fx.Clock.GetUtcNow())
                ),
            "the cancelled event's hold never ended"
        );

        var refused = await (await fx.StartCheckoutAsync(token, "event_registration", held)).AssertProblem(422);
        Assert.Contains("cancelled", refused["detail"]!.GetValue<string>());
        // The checkout opened before ends, and no other opens.
        Assert.Equal(
            "expired event_cancelled",
            await fx.ScalarAsync<string>(
                "SELECT string_agg(status || ' ' || failure_reason, ',') FROM payments WHERE reference_id = @r",
                ("r", held)
            )
        );
        await fx.CheckoutAsync(token, "event_registration", elsewhere);
    }

    /// <summary>
    /// A checkout asked while its event is being cancelled: the hold was priced before the cancellation committed, and
    /// its payment is written after the cancellation ended the open checkouts. It is not opened: paid, it would only be
    /// refused and refunded, Stripe's fee lost.
    /// </summary>
    [Fact]
    public async Task A_checkout_whose_event_is_cancelled_between_its_price_and_its_payment_is_not_opened()
    {
        var (userId, token) = fx.User();
        var eventId = Guid.NewGuid();
        var held = await fx.SeatHeldAsync(userId, 2500, eventId: eventId);
        // Another request's payment for the same seat, not committed yet: the checkout's own row waits on it (one open
        // checkout a buyer and thing), after its price was read.
        await using var other = await fx.HoldAsync(
            "INSERT INTO payments (id, user_id, purpose, reference_id, amount_cents, currency, status, provider, "
                + "payment_method, success_url, cancel_url, expires_at, created_at, updated_at) VALUES "
                + "(gen_random_uuid(), @u, 'event_registration', @r, 2500, 'EUR', 'pending', 'sandbox', 'card', "
                + "'https://app.example/paid', 'https://app.example/cancelled', now() + interval '1 hour', now(), "
                + "now())",
            ("u", userId),
            ("r", held)
        );
        var asked = fx.StartCheckoutAsync(token, "event_registration", held);
        await fx.WaitingOnALockAsync("%INSERT INTO%payments%", 1, "the checkout never waited for the other payment");

        await fx.DeliverAsync(new EventCancelled(Guid.NewGuid(), fx.Clock.GetUtcNow(), eventId, "storm"));
        await other.RollbackAsync();

        var refused = await (await asked).AssertProblem(422);
        Assert.Contains("cancelled", refused["detail"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", held))
        );
    }

    /// <summary>
    /// A hold told after its event's cancellation (events' message retried, or two messages crossing) is not sold:
    /// neither a seat payments knew of nor one it hears of only now.
    /// </summary>
    [Fact]
    public async Task A_hold_told_after_its_events_cancellation_stays_ended()
    {
        var (userId, token) = fx.User();
        var eventId = Guid.NewGuid();
        var known = await fx.SeatHeldAsync(userId, 2500, eventId: eventId);
        var bus = fx.Host.Services.GetRequiredService<IBus>();
        await bus.Publish(new EventCancelled(Guid.NewGuid(), fx.Clock.GetUtcNow(), eventId, "storm"));
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>("SELECT count(*) FROM cancelled_events WHERE event_id = @e", ("e", eventId))
                == 1,
            "the cancellation was never recorded"
        );

        var late = Guid.NewGuid();
        var told = new List<Guid>();
        foreach (var registration in new[] { known, late })
        {
            var messageId = Guid.NewGuid();
            told.Add(messageId);
            await bus.Publish(
                new TicketHoldCreated(
                    messageId,
                    fx.Clock.GetUtcNow(),
                    registration,
                    eventId,
                    userId,
                    2500,
                    "EUR",
                    fx.Clock.GetUtcNow().AddMinutes(15),
                    Guid.NewGuid()
                ),
                context => context.MessageId = messageId
            );
        }
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM inbox_messages WHERE message_id = ANY(@ids)",
                    ("ids", told.ToArray())
                ) == 2,
            "the holds were never told"
        );

        foreach (var registration in new[] { known, late })
        {
            Assert.True(
                await fx.ScalarAsync<bool>(
                    "SELECT expires_at <= @now FROM sellable_items WHERE reference_id = @r",
                    ("r", registration),
                    ("now", fx.Clock.GetUtcNow())
                )
            );
            await (await fx.StartCheckoutAsync(token, "event_registration", registration)).AssertProblem(422);
        }
    }

    /// <summary>
    /// The 402 -> checkout race answers 409 only for a hold payments has not heard of; a known hold of someone else
    /// stays 404.
    /// </summary>
    [Fact]
    public async Task A_checkout_for_someone_elses_hold_is_still_404()
    {
        var (owner, _) = fx.User();
        var registration = await fx.SeatHeldAsync(owner, 1200);

        var answer = await fx.StartCheckoutAsync(fx.User().Token, "event_registration", registration);

        await answer.AssertProblem(404);
    }

    [Fact]
    public async Task Paying_in_the_sandbox_goes_through_the_signed_webhook_and_settles_the_payment_once()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 2500);

        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);
        var again = await fx.CheckoutAsync(token, "event_registration", registration);
        Assert.Equal(checkout["session_id"]!.GetValue<string>(), again["session_id"]!.GetValue<string>());
        Assert.Equal(2500, checkout["amount_cents"]!.GetValue<long>());
        var pageAnswer = await fx.Client.GetAsync(new Uri(checkout["checkout_url"]!.GetValue<string>()).AbsolutePath);
        Assert.Contains("<form method=\"post\"", await pageAnswer.Content.ReadAsStringAsync());
        // nobody frames the page that takes payments, and it runs nothing but its own forms
        Assert.Equal(
            "default-src 'none'; form-action 'self' https://app.example; base-uri 'none'; frame-ancestors 'none'",
            pageAnswer.Headers.GetValues("Content-Security-Policy").Single()
        );
        Assert.Equal("DENY", pageAnswer.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(pageAnswer.Headers.CacheControl?.NoStore);

        var pressed = await fx.PressAsync(checkout);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, pressed.StatusCode);
        Assert.Equal("https://app.example/paid", pressed.Headers.Location!.ToString());

        var paymentId = checkout["payment_id"]!.GetValue<string>();
        var payment = await (await fx.Client.Get($"/api/v1/payments/{paymentId}", token)).AssertStatus(200);
        Assert.Equal("succeeded", payment["status"]!.GetValue<string>());
        Assert.Equal(1L, await fx.OutboxCountAsync("PaymentSucceeded"));
        await (await fx.Client.Get($"/api/v1/payments/{paymentId}", fx.User().Token)).AssertProblem(404);

        // Before events confirms the seat, the buyer's page still offers to pay: a second checkout is refused, not a
        // second charge.
        using var second = await fx.StartCheckoutAsync(token, "event_registration", registration);
        var refused = await second.AssertProblem(409);
        Assert.Contains("paid for already", refused["detail"]!.GetValue<string>());
        // Not "try again" (a checkout not ready yet): the payment to follow instead.
        Assert.Null(second.Headers.RetryAfter);
        Assert.Equal(paymentId, refused["paid_payment_id"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", registration))
        );

        // A payment the seller did not honour is no obstacle, even while its refund has failed.
        await fx.ExecuteAsync(
            "INSERT INTO refunds (id, payment_id, amount_cents, reason, status, created_at) "
                + "VALUES (@id, @p, 2500, 'not_honoured: the hold had expired', 'failed', now())",
            ("id", Guid.NewGuid()),
            ("p", Guid.Parse(paymentId))
        );
        var another = await fx.CheckoutAsync(token, "event_registration", registration);
        Assert.NotEqual(paymentId, another["payment_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_course_paid_for_and_not_yet_confirmed_is_not_sold_again()
    {
        var (userId, token) = fx.User();
        var enrollment = Guid.NewGuid();
        await fx.ExecuteAsync(
            "INSERT INTO sellable_items (reference_id, purpose, user_id, amount_cents, currency, seller_user_id, "
                + "created_at) VALUES (@r, 'course', @u, 1900, 'EUR', @s, now())",
            ("r", enrollment),
            ("u", userId),
            ("s", Guid.NewGuid())
        );
        var checkout = await fx.CheckoutAsync(token, "course", enrollment);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);

        using var again = await fx.StartCheckoutAsync(token, "course", enrollment);
        await again.AssertProblem(409);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", enrollment))
        );
    }
}

public sealed class ProviderSelectionTests
{
    private static WebApplicationBuilder Builder(string environment, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:payments-db"] = "Host=localhost;Database=unused",
                ["ConnectionStrings:rabbitmq"] = "amqp://guest:guest@localhost:5672/",
                ["DataProtection:KeyRingPath"] = Path.Combine(Path.GetTempPath(), "community-unused-key-ring"),
            }
        );
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        return builder;
    }

    [Fact]
    public void Production_without_a_Stripe_key_refuses_to_start_on_the_sandbox()
    {
        var problem = Assert.Throws<InvalidOperationException>(() =>
            Builder(Environments.Production).AddPaymentsServices()
        );
        Assert.Contains("Stripe:SecretKey", problem.Message);
    }

    [Fact]
    public void The_sandbox_serves_development_and_demo_deployments_that_ask_for_it()
    {
        Builder(Environments.Development).AddPaymentsServices();
        Builder(Environments.Production, ("Payments:Sandbox:AllowInProduction", "true")).AddPaymentsServices();
        Builder(Environments.Production, ("Payments:Stripe:SecretKey", "sk_test_123")).AddPaymentsServices();
    }
}
