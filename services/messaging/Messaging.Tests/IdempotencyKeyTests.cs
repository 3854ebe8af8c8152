using Community.Contracts.Social;

namespace Community.Messaging.Tests;

public sealed class IdempotencyKeyTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    [Fact]
    public void Every_signed_in_create_honours_the_key() =>
        Assert.Empty(CreateEndpoints.NotHonouringIdempotencyKey(fx.Host.Services));

    [Fact]
    public async Task Starting_a_thread_twice_with_one_key_creates_one_thread_and_replays_the_answer()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "public"));
        var body = new { group_id = groupId, title = "Once", text = "First message", tags = Array.Empty<string>() };

        var first = await fx.Client.PostJsonWithKey("/api/v1/threads", body, owner, "thread-once");
        var again = await fx.Client.PostJsonWithKey("/api/v1/threads", body, owner, "thread-once");

        var created = await first.AssertStatus(201);
        Assert.Equal(created.ToJsonString(), (await again.AssertStatus(201)).ToJsonString());
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM threads WHERE group_id = @id", ("id", groupId)));
    }
}
