using Community.Contracts.Identity;
using Community.Messaging.Notifications;
using Microsoft.Extensions.Options;

namespace Community.Messaging.Tests;

/// <summary>
/// A message sent while one of its recipients' accounts is erased: the send is held at its file's claim, after its
/// statement decided whom it tells and wrote their notifications, while the UserDeleted is handled and its erasure
/// commits (it waits for nothing of the send's); then the send commits. Its notification of the erased account, not yet
/// committed when the erasure deleted the rest, goes with the erasure's follow-up once due, and nobody else's does.
/// </summary>
public sealed class ErasureRaceTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    private ErasureFollowUpSweep Sweep => fx.Host.Services.GetRequiredService<ErasureFollowUpSweep>();

    private TimeSpan FollowUpAfter =>
        fx.Host.Services.GetRequiredService<IOptions<ErasureOptions>>().Value.FollowUpAfter;

    private Task<long> NotificationsAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE user_id = @u", ("u", userId))!;

    private Task<long> FollowUpsAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM erasure_follow_ups WHERE user_id = @u", ("u", userId))!;

    /// <summary>
    /// The follow-ups due by now done: the clock moved past their time, then the sweep run. The service's own sweep
    /// (every FollowUpAfter of real time) may have claimed them first: done once none due is left, committed.
    /// </summary>
    private async Task FollowedUpAsync()
    {
        fx.Clock.Advance(FollowUpAfter + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(
            async () =>
            {
                while (await Sweep.SweepAsync(CancellationToken.None) > 0) { }
                return await fx.ScalarAsync<long>(
                        "SELECT count(*) FROM erasure_follow_ups WHERE due_at <= @now",
                        ("now", fx.Clock.GetUtcNow())
                    ) == 0;
            },
            "the follow-ups due were not done"
        );
    }

    /// <summary>
    /// <paramref name="sender"/>'s message with a file in <paramref name="conversation"/>, held at the file's claim
    /// while <paramref name="erasedId"/>'s account is erased (the erasure committed), then let go.
    /// </summary>
    private async Task SentWhileErasedAsync(string sender, string conversation, Guid erasedId)
    {
        var file = (
            await (await fx.UploadAsync(sender, conversation, Images.Png(), "p.png", "image/png")).AssertStatus(201)
        )["id"]!.GetValue<string>();
        var claim = await fx.HoldAsync("SELECT 1 FROM attachments WHERE id = @f FOR UPDATE", ("f", Guid.Parse(file)));
        Task<HttpResponseMessage> send;
        await using (claim)
        {
            send = fx.Client.PostJson(
                $"/api/v1/conversations/{conversation}/messages",
                new
                {
                    text = "Still there?",
                    attachments = new[] { file },
                    client_txn_id = Guid.NewGuid().ToString("N"),
                },
                sender
            );
            await fx.WaitingOnALockAsync("%attachments%", 1, "the send never reached its file's claim");
            // Handled (committed) while the send holds its writes: the erasure takes none of the send's locks.
            await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), erasedId));
            Assert.False(send.IsCompleted);
        }
        using var sent = await send;
        await sent.AssertStatus(201);
    }

    [Fact]
    public async Task A_thread_message_sent_while_a_member_is_erased_leaves_them_no_notification()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (erasedId, _) = await fx.RegisteredAsync();
        var (keptId, _) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Runners", erasedId, keptId);
        var thread = await fx.ThreadAsync(owner, groupId, "Sunday", "Who runs?");
        Assert.Equal(1L, await NotificationsAsync(erasedId));

        await SentWhileErasedAsync(owner, thread, erasedId);
        // The race itself: the send's notification outlived the erasure's delete.
        Assert.Equal(1L, await NotificationsAsync(erasedId));

        await FollowedUpAsync();
        Assert.Equal(0L, await NotificationsAsync(erasedId));
        Assert.Equal(0L, await FollowUpsAsync(erasedId));
        // The other member keeps both, the raced message's too.
        Assert.Equal(2L, await NotificationsAsync(keptId));
    }

    [Fact]
    public async Task A_direct_message_sent_while_its_recipient_is_erased_leaves_them_no_notification()
    {
        var (_, sender, erasedId, _, conversation) = await fx.PairAsync();
        await fx.SendAsync(sender, conversation, "Hello");
        Assert.Equal(1L, await NotificationsAsync(erasedId));

        await SentWhileErasedAsync(sender, conversation, erasedId);
        Assert.Equal(1L, await NotificationsAsync(erasedId));

        await FollowedUpAsync();
        Assert.Equal(0L, await NotificationsAsync(erasedId));
        Assert.Equal(0L, await FollowUpsAsync(erasedId));
    }

    /// <summary>
    /// Without a race: the erasure leaves nothing at once, its follow-up waits for its time and then goes, and what the
    /// account told others stays with them.
    /// </summary>
    [Fact]
    public async Task An_erasure_without_a_race_leaves_nothing_and_its_follow_up_goes_when_due()
    {
        var (otherId, other, erasedId, erased, conversation) = await fx.PairAsync();
        await fx.SendAsync(other, conversation, "Hello");
        await fx.SendAsync(erased, conversation, "Hi");
        Assert.Equal(1L, await NotificationsAsync(erasedId));
        var others = await NotificationsAsync(otherId);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), erasedId));
        Assert.Equal(0L, await NotificationsAsync(erasedId));
        Assert.Equal(1L, await FollowUpsAsync(erasedId));

        // Not due yet: kept.
        while (await Sweep.SweepAsync(CancellationToken.None) > 0) { }
        Assert.Equal(1L, await FollowUpsAsync(erasedId));

        await FollowedUpAsync();
        Assert.Equal(0L, await NotificationsAsync(erasedId));
        Assert.Equal(0L, await FollowUpsAsync(erasedId));
        Assert.Equal(others, await NotificationsAsync(otherId));
    }
}
