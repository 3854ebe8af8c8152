using Community.Contracts.Payments;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Identity.Tests;

public sealed class SubscriptionTierTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task A_tier_change_reaches_the_next_token_and_an_older_change_arriving_late_is_ignored()
    {
        var registered = await fx.RegisterAsync();
        var userId = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        var refresh = registered["refresh_token"]!.GetValue<string>();
        Assert.Equal(
            "free",
            TestTokens.Payload(registered["access_token"]!.GetValue<string>())["tier"]!.GetValue<string>()
        );

        var now = fx.Clock.GetUtcNow();
        var upgraded = new SubscriptionChanged(Guid.NewGuid(), now, userId, "elite", now.AddDays(30));
        await DeliverAsync(upgraded);
        var (access, next) = await RefreshAsync(refresh);
        Assert.Equal("elite", TestTokens.Payload(access)["tier"]!.GetValue<string>());
        Assert.Equal(
            "elite",
            (await (await fx.Client.Get("/api/v1/auth/me", access)).AssertStatus(200))["tier"]!.GetValue<string>()
        );

        // A downgrade that happened before the upgrade, delivered after it: it changes nothing.
        await DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), now.AddMinutes(-5), userId, "free", null));
        (access, next) = await RefreshAsync(next);
        Assert.Equal("elite", TestTokens.Payload(access)["tier"]!.GetValue<string>());

        // The same change delivered again is handled once; a newer change wins.
        await DeliverAsync(upgraded);
        await DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), now.AddMinutes(5), userId, "free", null));
        (access, _) = await RefreshAsync(next);
        Assert.Equal("free", TestTokens.Payload(access)["tier"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                ("id", upgraded.MessageId)
            )
        );
    }

    [Fact]
    public async Task Login_after_a_tier_change_carries_the_new_tier()
    {
        var username = "u_" + Guid.NewGuid().ToString("N")[..12];
        var registered = await fx.RegisterAsync(username);
        var userId = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());

        await DeliverAsync(
            new SubscriptionChanged(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                userId,
                "premium",
                fx.Clock.GetUtcNow().AddDays(30)
            )
        );

        var token = await fx.LoginAsync(username, "correct-horse-9");
        Assert.Equal("premium", TestTokens.Payload(token)["tier"]!.GetValue<string>());
    }

    /// <summary>
    /// Publishes on identity's bus as payments' outbox would (message id = event id) and waits until identity handled
    /// it.
    /// </summary>
    private async Task DeliverAsync(SubscriptionChanged message)
    {
        var bus = fx.Host.Services.GetRequiredService<IBus>();
        var consumer = typeof(Users.SubscriptionChangedConsumer).FullName!;
        var publishedAt = DateTime.MinValue;
        await Eventually.TrueAsync(
            async () =>
            {
                // Until the consumer's queue is bound, a publish reaches nobody: publish again now and then (the inbox
                // drops repeats).
                if (DateTime.UtcNow - publishedAt > TimeSpan.FromSeconds(3))
                {
                    await bus.Publish(message, context => context.MessageId = message.MessageId);
                    publishedAt = DateTime.UtcNow;
                }
                return await fx.ScalarAsync<long>(
                        "SELECT count(*) FROM inbox_messages WHERE message_id = @id AND consumer = @c",
                        ("id", message.MessageId),
                        ("c", consumer)
                    ) == 1;
            },
            $"identity did not handle SubscriptionChanged {message.MessageId}"
        );
    }

    private async Task<(string Access, string Refresh)> RefreshAsync(string refreshToken)
    {
        JsonNode pair = await (
            await fx.Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refreshToken })
        ).AssertStatus(200);
        return (pair["access_token"]!.GetValue<string>(), pair["refresh_token"]!.GetValue<string>());
    }
}
