using Community.Messaging.Notifications;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Community.Messaging.Tests;

/// <summary>
/// Notifications past the retention go, read or not, by the sweep run directly; later ones stay, and so do the
/// conversation's unread counts, which no notification holds. A row a request holds is passed over, and taken later.
/// </summary>
public sealed class NotificationRetentionTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    private NotificationRetention Sweep => fx.Host.Services.GetRequiredService<NotificationRetention>();

    private TimeSpan Retention =>
        fx.Host.Services.GetRequiredService<IOptions<NotificationRetentionOptions>>().Value.Retention;

    /// <summary>The messages <paramref name="userId"/> holds a notification of, read or not.</summary>
    private async Task<HashSet<string>> NotifiedOfAsync(Guid userId)
    {
        await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT data ->> 'message_id' FROM notifications WHERE user_id = @u",
            connection
        );
        command.Parameters.AddWithValue("u", userId);
        var messages = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            messages.Add(reader.GetString(0));
        return messages;
    }

    private async Task<string> SentAsync(Guid senderId, string conversation, string text) =>
        (await fx.SendAsync(fx.TokenFor(senderId), conversation, text))["id"]!.GetValue<string>();

    [Fact]
    public async Task Notifications_past_the_retention_go_read_or_unread_and_later_ones_stay()
    {
        var (aId, _, bId, _, conversation) = await fx.PairAsync();
        var oldRead = await SentAsync(aId, conversation, "Lunch?");
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/notifications/read",
                new { all = true },
                fx.TokenFor(bId)
            )
        ).AssertStatus(200);
        var oldUnread = await SentAsync(aId, conversation, "Tomorrow then?");
        Assert.Equivalent(new[] { oldRead, oldUnread }, await NotifiedOfAsync(bId), strict: true);

        fx.Clock.Advance(Retention + TimeSpan.FromDays(1));
        var recent = await SentAsync(aId, conversation, "Back from holiday");
        await Sweep.SweepAsync(CancellationToken.None);

        Assert.Equivalent(new[] { recent }, await NotifiedOfAsync(bId), strict: true);
        // The conversation still counts all three unread: its read position says so, not the notifications.
        var unread = await (await fx.Client.Get("/api/v1/messages/unread-count", fx.TokenFor(bId))).AssertStatus(200);
        Assert.Equal(3, unread["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_sweep_passes_over_a_notification_a_request_holds_and_takes_it_on_a_later_round()
    {
        var (aId, _, bId, _, conversation) = await fx.PairAsync();
        var held = await SentAsync(aId, conversation, "Call me");
        var free = await SentAsync(aId, conversation, "Or text");
        fx.Clock.Advance(Retention + TimeSpan.FromDays(1));

        // A request's transaction holding one of them, as marking it read does.
        await using (
            var request = await fx.HoldAsync(
                "SELECT 1 FROM notifications WHERE user_id = @u AND data ->> 'message_id' = @m FOR UPDATE",
                ("u", bId),
                ("m", held)
            )
        )
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await Sweep.SweepAsync(patience.Token);

            var left = await NotifiedOfAsync(bId);
            Assert.Contains(held, left);
            Assert.DoesNotContain(free, left);
        }

        await Sweep.SweepAsync(CancellationToken.None);

        Assert.Empty(await NotifiedOfAsync(bId));
    }
}
