using Community.Contracts.Messaging;

namespace Community.Messaging.Tests;

/// <summary>The messaging service with its outbox poll an hour long: only a send's own signal publishes its
/// event.</summary>
public sealed class OutboxWakeFixture : MessagingFixture
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Messaging:OutboxPollInterval"] = "01:00:00" };
}

/// <summary>
/// Each way a message is written wakes the outbox dispatcher itself, so its MessageSent reaches the broker without
/// waiting for the poll: the plain send (its statement alone, the dispatcher woken once the push is on its way), a send
/// with files (its own transaction) and a new thread's first message (the thread's transaction).
/// </summary>
public sealed class OutboxWakeTests(OutboxWakeFixture fx) : IClassFixture<OutboxWakeFixture>
{
    [Fact]
    public async Task A_plain_message_is_published_without_waiting_for_the_poll()
    {
        var (_, a, _, _, c) = await fx.PairAsync();
        var sent = await fx.SendAsync(a, c, "Hello!");
        await PublishedAsync(sent);
        // The second one goes the way a conversation the instance knows goes (straight to the statement).
        await PublishedAsync(await fx.SendAsync(a, c, "Again"));
    }

    [Fact]
    public async Task A_message_with_files_is_published_without_waiting_for_the_poll()
    {
        var (_, a, _, _, c) = await fx.PairAsync();
        var file = (await (await fx.UploadAsync(a, c, Images.Png(), "p.png", "image/png")).AssertStatus(201))["id"]!;
        var sent = await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new
                {
                    text = "",
                    attachments = new[] { file.GetValue<string>() },
                    client_txn_id = "files",
                },
                a
            )
        ).AssertStatus(201);
        await PublishedAsync(sent);
    }

    [Fact]
    public async Task A_new_threads_first_message_is_published_without_waiting_for_the_poll()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Runners");
        var thread = await fx.ThreadAsync(owner, groupId, "Sunday", "Who is in?");
        var first = await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages", owner)).AssertStatus(200);
        await PublishedAsync(Assert.Single(first["items"]!.AsArray())!);
    }

    private Task PublishedAsync(JsonNode message) =>
        Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<bool>(
                    $"SELECT published_at IS NOT NULL FROM outbox_messages WHERE type LIKE '%.{nameof(MessageSent)},%' "
                        + "AND payload->>'chatMessageId' = @id",
                    ("id", message["id"]!.GetValue<string>())
                ),
            $"The MessageSent of {message["id"]} was not published before the poll."
        );
}
