using Community.ServiceDefaults.Messaging;

namespace Community.Social.Tests;

/// <summary>
/// Migration 0028 announces again every block standing when events began keeping blocks: in a database of its own
/// (it announces every block there), run again on one block, its row is a UserBlocked the outbox can publish.
/// </summary>
public sealed class StandingBlocksAnnouncementTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_standing_block_is_announced_again_as_a_UserBlocked_of_when_it_was_made()
    {
        var (blocker, blocked) = (Guid.NewGuid(), Guid.NewGuid());
        var madeAt = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        await fx.ExecuteAsync(
            "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (@a, @b, @at)",
            ("a", blocker),
            ("b", blocked),
            ("at", madeAt)
        );
        var assembly = typeof(Program).Assembly;
        var name = assembly
            .GetManifestResourceNames()
            .Single(n => n.EndsWith(".0028_announce_standing_blocks.sql", StringComparison.Ordinal));
        using (var reader = new StreamReader(assembly.GetManifestResourceStream(name)!))
            await fx.ExecuteAsync(await reader.ReadToEndAsync());

        const string row = "FROM outbox_messages WHERE payload->>'blockerUserId' = @a";
        var id = await fx.ScalarAsync<Guid>($"SELECT id {row}", ("a", blocker.ToString()));
        var type = await fx.ScalarAsync<string>($"SELECT type {row}", ("a", blocker.ToString()));
        var payload = await fx.ScalarAsync<string>($"SELECT payload::text {row}", ("a", blocker.ToString()));
        var (message, _) = OutboxMessage.Deserialize(type!, payload!);

        var announced = Assert.IsType<UserBlocked>(message);
        Assert.Equal(new UserBlocked(id, madeAt, blocker, blocked), announced);
        Assert.Equal(
            madeAt.UtcDateTime,
            await fx.ScalarAsync<DateTime>($"SELECT occurred_at {row}", ("a", blocker.ToString()))
        );
    }
}
