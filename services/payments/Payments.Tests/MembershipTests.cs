using Community.Contracts.Identity;
using Community.Payments.Subscriptions;

namespace Community.Payments.Tests;

/// <summary>
/// The tier identity hears of is the best of every source: a paid subscription and referral rewards.
/// A three-month referral elite ends on its own; a lapsing subscription leaves a lifetime referral
/// elite alone. The clock moves by months here, so this class has its own fixture.
/// </summary>
public sealed class MembershipTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task A_tier_change_is_announced_as_newer_than_the_change_before_it_whatever_the_clock_says()
    {
        // The last change was stamped later than this instance's clock reads now (another instance's clock, or a
        // change this one waited for): the next announcement must still come after it, or the services keeping the
        // newest tier drop it.
        var (referrerId, _) = fx.User();
        var before = fx.Clock.GetUtcNow().AddMinutes(5);
        await fx.ExecuteAsync(
            "INSERT INTO memberships (user_id, tier, source, updated_at) VALUES (@u, 'free', 'none', @at)",
            ("u", referrerId),
            ("at", before)
        );

        await ConvertAsync(referrerId, 5);

        var announced = await fx.ScalarAsync<DateTime>(
            """
            SELECT (payload->>'occurredAt')::timestamptz FROM outbox_messages
            WHERE type LIKE '%.SubscriptionChanged,%' AND payload->>'userId' = @u AND payload->>'tier' = 'elite'
            """,
            ("u", referrerId.ToString())
        );
        Assert.True(
            announced > before.UtcDateTime,
            $"announced at {announced:O}, not after the change before it ({before:O})"
        );
    }

    [Fact]
    public async Task Three_months_of_referral_elite_end_by_themselves()
    {
        var (referrerId, _) = fx.User();
        await ConvertAsync(referrerId, 5);
        var me = await MeAsync(referrerId);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal("referral", me["tier_source"]!.GetValue<string>());
        Assert.Equal("none", me["status"]!.GetValue<string>());
        var until = me["tier_until"]!.GetValue<DateTimeOffset>();

        await SweepAsync();
        Assert.Equal("elite", (await MeAsync(referrerId))["tier"]!.GetValue<string>());

        fx.Clock.Advance(until - fx.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        await SweepAsync();
        me = await MeAsync(referrerId);
        Assert.Equal("free", me["tier"]!.GetValue<string>());
        Assert.Equal("none", me["tier_source"]!.GetValue<string>());
        var change = await LastChangeAsync(referrerId);
        Assert.Equal("free", change["tier"]!.GetValue<string>());
        Assert.Null(change["currentPeriodEnd"]);
        Assert.Null(
            await fx.ScalarAsync<DateTime?>("SELECT review_at FROM memberships WHERE user_id = @u", ("u", referrerId))
        );

        // Reviewed once: sweeping again publishes nothing more.
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        var reviewed = fx.Clock.GetUtcNow();
        await SweepAsync();
        Assert.Equal(0L, await ChangesAsync(referrerId, reviewed));
    }

    [Fact]
    public async Task A_paid_subscription_takes_over_when_the_referral_elite_ends()
    {
        var (referrerId, _) = fx.User();
        await ConvertAsync(referrerId, 5);
        var referralUntil = (await MeAsync(referrerId))["tier_until"]!.GetValue<DateTimeOffset>();

        // Premium bought while elite from referrals: elite stays, nothing to tell identity.
        fx.Clock.Advance(referralUntil - fx.Clock.GetUtcNow() - TimeSpan.FromDays(2));
        var subscribed = fx.Clock.GetUtcNow();
        await SubscribeAsync(referrerId, "premium");
        Assert.Equal(0L, await ChangesAsync(referrerId, subscribed));
        var me = await MeAsync(referrerId);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal("premium", me["plan"]!.GetValue<string>());
        var premiumUntil = me["current_period_end"]!.GetValue<DateTimeOffset>();

        fx.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        await SweepAsync();
        me = await MeAsync(referrerId);
        Assert.Equal("premium", me["tier"]!.GetValue<string>());
        Assert.Equal("subscription", me["tier_source"]!.GetValue<string>());
        Assert.Equal(premiumUntil, me["tier_until"]!.GetValue<DateTimeOffset>());
        var change = await LastChangeAsync(referrerId);
        Assert.Equal("premium", change["tier"]!.GetValue<string>());
        Assert.Equal(premiumUntil, change["currentPeriodEnd"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task A_lapsing_subscription_leaves_a_lifetime_referral_elite_alone()
    {
        var (referrerId, _) = fx.User();
        await ConvertAsync(referrerId, 10);
        var me = await MeAsync(referrerId);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Null(me["tier_until"]);

        await SubscribeAsync(referrerId, "premium");
        var token = fx.TokenFor(referrerId);
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertStatus(200);
        var periodEnd = (await MeAsync(referrerId))["current_period_end"]!.GetValue<DateTimeOffset>();
        var subscribed = fx.Clock.GetUtcNow();

        fx.Clock.Advance(periodEnd - fx.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        await SweepAsync();
        me = await MeAsync(referrerId);
        Assert.Equal("canceled", me["status"]!.GetValue<string>());
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal("referral", me["tier_source"]!.GetValue<string>());
        // The lifetime elite was told once, before the subscription; nothing since.
        Assert.Equal(0L, await ChangesAsync(referrerId, subscribed));
    }

    [Fact]
    public async Task Referrals_converted_after_the_referrers_account_was_deleted_bring_back_no_elite()
    {
        var (referrerId, _) = fx.User();
        await ConvertAsync(referrerId, 5);
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId));
        var deleted = fx.Clock.GetUtcNow();

        // Enough more for both milestones (the revoked one at 5, a new one at 10), arriving after the deletion.
        var referred = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            referred.Add(Guid.NewGuid());
            await fx.DeliverAsync(
                new ReferralConverted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId, referred[i], Guid.NewGuid())
            );
        }

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM referral_rewards WHERE referrer_user_id = @u AND revoked_at IS NULL",
                ("u", referrerId)
            )
        );
        Assert.Equal(0L, await ChangesAsync(referrerId, deleted, "elite"));
        Assert.Equal(
            "free",
            await fx.ScalarAsync<string>("SELECT tier FROM memberships WHERE user_id = @u", ("u", referrerId))
        );
        // The deleted referrer is granted no credits; the referred, still there, earn theirs.
        Assert.Equal(
            5L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM credit_transactions WHERE user_id = @u AND kind = 'grant'",
                ("u", referrerId)
            )
        );
        foreach (var userId in referred)
            Assert.Equal(
                1L,
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM credit_transactions WHERE user_id = @u AND kind = 'grant'",
                    ("u", userId)
                )
            );
    }

    // ---- helpers ----

    /// <summary>
    /// Announces <paramref name="count"/> conversions, as identity would, and waits until they count.
    /// </summary>
    private async Task ConvertAsync(Guid referrerId, int count)
    {
        var bus = fx.Host.Services.GetRequiredService<IBus>();
        for (var i = 0; i < count; i++)
        {
            var converted = new ReferralConverted(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                referrerId,
                Guid.NewGuid(),
                Guid.NewGuid()
            );
            await bus.Publish(converted, context => context.MessageId = converted.MessageId);
        }
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM referral_conversions WHERE referrer_user_id = @u",
                    ("u", referrerId)
                ) == count,
            "the conversions were never counted"
        );
        await Eventually.TrueAsync(
            async () => (await MeAsync(referrerId))["tier"]!.GetValue<string>() == "elite",
            "no referral elite"
        );
    }

    private async Task SubscribeAsync(Guid userId, string tier)
    {
        var token = fx.TokenFor(userId);
        var checkout = await (
            await fx.Client.PostJson(
                "/api/v1/subscriptions/checkout",
                new
                {
                    tier,
                    success_url = "https://app.example/paid",
                    cancel_url = "https://app.example/cancelled",
                },
                token
            )
        ).AssertStatus(200);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        await Eventually.TrueAsync(
            async () => (await MeAsync(userId))["plan"]?.GetValue<string>() == tier,
            $"the {tier} subscription never started"
        );
    }

    private Task SweepAsync() =>
        fx.Host.Services.GetRequiredService<SubscriptionExpiry>().SweepOnceAsync(CancellationToken.None);

    private async Task<JsonNode> MeAsync(Guid userId) =>
        await (await fx.Client.Get("/api/v1/subscriptions/me", fx.TokenFor(userId))).AssertStatus(200);

    /// <summary>
    /// SubscriptionChanged published for the user at or after <paramref name="since"/>: with the clock
    /// months on, the dispatcher deletes rows published long ago, so earlier counts would shrink.
    /// </summary>
    private Task<long> ChangesAsync(Guid userId, DateTimeOffset since, string? tier = null) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND "
                + "payload->>'userId' = @u "
                + "AND (@t = '' OR payload->>'tier' = @t) AND occurred_at >= @since",
            ("u", userId.ToString()),
            ("t", tier ?? ""),
            ("since", since)
        );

    private async Task<JsonNode> LastChangeAsync(Guid userId) =>
        JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND "
                        + "payload->>'userId' = @u ORDER BY sequence DESC LIMIT 1",
                    ("u", userId.ToString())
                )
            )!
        )!;
}
