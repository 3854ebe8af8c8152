using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Messaging.Tests;

/// <summary>
/// What a resolved report (social's ReportResolved) does here: remove_content deletes a reported message as a
/// moderator's delete does, once; warn tells the reported party, whoever owns what was reported.
/// </summary>
public sealed class ReportResolutionTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    private ReportResolved Resolution(Guid reporterId, string targetType, Guid targetId, string action) =>
        new(
            Guid.NewGuid(),
            fx.Tick(),
            Guid.NewGuid(),
            reporterId,
            targetType,
            targetId,
            "harassment",
            action,
            "Keep it civil.",
            Guid.NewGuid()
        );

    private Task<long> CountAsync(Guid userId, string kind) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE user_id = @u AND kind = @k",
            ("u", userId),
            ("k", kind)
        )!;

    [Fact]
    public async Task A_message_removed_after_a_report_is_a_tombstone_once_and_the_members_hear_of_it()
    {
        var (_, a, bId, b, c) = await fx.PairAsync();
        var image = await (await fx.UploadAsync(a, c, Images.Png(), "photo.png", "image/png")).AssertStatus(201);
        var sent = await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "You are worthless",
                    attachments = new[] { image["id"]!.GetValue<string>() },
                    client_txn_id = Guid.NewGuid().ToString("N"),
                },
                a
            )
        ).AssertStatus(201);
        var messageId = sent["id"]!.GetValue<Guid>();
        await using var bobHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, b);
        await bobHub.Connection.InvokeAsync<JsonElement>("JoinConversation", c, null);

        // The admin who resolved it is no member of the conversation: the removal asks nobody's membership.
        var removal = Resolution(bId, ReportTargets.Message, messageId, ReportActions.RemoveContent);
        await fx.DeliverAsync(removal, "ReportedMessageRemover");

        var pushed = await bobHub.WaitForAsync(LiveEvents.MessageDeleted, m => m.Str("id") == messageId.ToString());
        Assert.Null(pushed.Str("text"));
        var history = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", b)).AssertStatus(200);
        var tombstone = history["items"]!.AsArray().Single(m => m!["id"]!.GetValue<Guid>() == messageId)!;
        Assert.Null(tombstone["text"]);
        Assert.NotNull(tombstone["deleted_at"]);
        Assert.Empty(tombstone["attachments"]!.AsArray());
        Assert.Equal("", await fx.ScalarAsync<string>("SELECT text FROM messages WHERE id = @id", ("id", messageId)));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM attachments WHERE message_id = @id", ("id", messageId))
        );
        var deletedAt = await fx.ScalarAsync<string>(
            "SELECT deleted_at::text FROM messages WHERE id = @id",
            ("id", messageId)
        );
        Assert.NotNull(deletedAt);

        // Delivered again, and another report's removal of the same message: nothing changes, nobody hears more.
        await fx.PublishAsync(removal);
        await fx.ConsumedAsync(removal.MessageId, "ReportedMessageRemover", 2);
        await fx.DeliverAsync(
            Resolution(bId, ReportTargets.Message, messageId, ReportActions.RemoveContent),
            "ReportedMessageRemover"
        );
        await Task.Delay(Quiet);
        Assert.Single(bobHub.ReceivedOf(LiveEvents.MessageDeleted));
        Assert.Equal(
            deletedAt,
            await fx.ScalarAsync<string>("SELECT deleted_at::text FROM messages WHERE id = @id", ("id", messageId))
        );
    }

    [Fact]
    public async Task A_removed_message_leaves_the_screen_of_whoever_blocked_its_author_in_a_direct_conversation()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        var messageId = (await fx.SendAsync(b, c, "You are worthless"))["id"]!.GetValue<Guid>();
        await using var aliceHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, a);
        await aliceHub.Connection.InvokeAsync<JsonElement>("JoinConversation", c, null);
        await using var bobHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, b);
        await bobHub.Connection.InvokeAsync<JsonElement>("JoinConversation", c, null);
        // The blocker keeps the history whole, the reported message on screen with it; the author no longer sees it.
        await fx.BlockAsync(aId, bId);
        var history = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", a)).AssertStatus(200);
        var kept = history["items"]!.AsArray().Single(m => m!["id"]!.GetValue<Guid>() == messageId)!;
        Assert.Equal("You are worthless", kept["text"]!.GetValue<string>());

        await fx.DeliverAsync(
            Resolution(aId, ReportTargets.Message, messageId, ReportActions.RemoveContent),
            "ReportedMessageRemover"
        );

        var pushed = await aliceHub.WaitForAsync(LiveEvents.MessageDeleted, m => m.Str("id") == messageId.ToString());
        Assert.Null(pushed.Str("text"));
        Assert.NotNull(pushed.Str("deleted_at"));
        Assert.False(pushed.Arguments[0].GetProperty("hidden").GetBoolean());
        await Task.Delay(Quiet);
        Assert.Empty(bobHub.ReceivedOf(LiveEvents.MessageDeleted));
    }

    [Fact]
    public async Task A_warning_tells_the_reported_person_the_author_the_group_owner_or_the_organizer_once()
    {
        var (authorId, author, reporterId, _, c) = await fx.PairAsync();
        var (userId, _) = await fx.RegisteredAsync();
        var (ownerId, _) = await fx.RegisteredAsync();
        var (organizerId, _) = await fx.RegisteredAsync();
        var messageId = (await fx.SendAsync(author, c, "Buy my course"))["id"]!.GetValue<Guid>();
        var groupId = await fx.GroupAsync(ownerId, "Hype squad");
        var eventId = await fx.EventAsync(organizerId, "Pyramid pitch night");

        // Social names a user's and a group's owner; this one comes as from a publisher before that (no owner named).
        var warnings = new[]
        {
            Resolution(reporterId, ReportTargets.Message, messageId, ReportActions.Warn),
            Resolution(reporterId, ReportTargets.User, userId, ReportActions.Warn),
            Resolution(reporterId, ReportTargets.Group, groupId, ReportActions.Warn),
            Resolution(reporterId, ReportTargets.Event, eventId, ReportActions.Warn),
        };
        foreach (var warning in warnings)
            await fx.DeliverAsync(warning, "ReportWarningNotifier");
        await fx.PublishAsync(warnings[0]);
        await fx.ConsumedAsync(warnings[0].MessageId, "ReportWarningNotifier", 2);

        foreach (var warnedId in new[] { authorId, userId, ownerId, organizerId })
            Assert.Equal(1L, await CountAsync(warnedId, "report_warning"));
        // The reporter hears the outcome only; a removal or a dismissal warns nobody.
        Assert.Equal(0L, await CountAsync(reporterId, "report_warning"));
        await fx.DeliverAsync(
            Resolution(reporterId, ReportTargets.User, userId, ReportActions.Dismiss),
            "ReportWarningNotifier"
        );
        Assert.Equal(1L, await CountAsync(userId, "report_warning"));

        var item = (await (await fx.Client.Get("/api/v1/notifications", author)).AssertStatus(200))["items"]!
            .AsArray()
            .Single(i => i!["kind"]!.GetValue<string>() == "report_warning")!;
        Assert.Equal("report", item["subject_type"]!.GetValue<string>());
        Assert.Equal(warnings[0].ReportId, item["subject_id"]!.GetValue<Guid>());
        Assert.Equal("message", item["data"]!["target_type"]!.GetValue<string>());
        Assert.Equal(messageId, item["data"]!["target_id"]!.GetValue<Guid>());
        Assert.Equal("harassment", item["data"]!["category"]!.GetValue<string>());
        Assert.Equal("Keep it civil.", item["data"]!["note"]!.GetValue<string>());
        Assert.Contains("harassment", item["summary"]!.GetValue<string>());
        // A warning is no removal: the message stays.
        Assert.Equal(
            "Buy my course",
            await fx.ScalarAsync<string>("SELECT text FROM messages WHERE id = @id", ("id", messageId))
        );
    }
}
