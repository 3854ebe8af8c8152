using Community.Messaging.Conversations;
using Community.Messaging.Data;

namespace Community.Messaging.Tests;

/// <summary>
/// The shapes a send may skip its check with are bounded: past the capacity the conversations least recently sent to
/// are forgotten, never the busy ones, and never more than the capacity are held.
/// </summary>
public sealed class ConversationShapesTests
{
    private static Conversation EventChat() => new() { Id = Guid.NewGuid(), Kind = ConversationKinds.EventChat };

    [Fact]
    public async Task Past_its_capacity_it_forgets_the_least_recently_used_and_keeps_the_busy_ones()
    {
        var shapes = new ConversationShapes(capacity: 100);
        var sender = Guid.NewGuid();
        var quiet = Enumerable.Range(0, 50).Select(_ => EventChat()).ToList();
        var busy = Enumerable.Range(0, 50).Select(_ => EventChat()).ToList();
        quiet.ForEach(shapes.Remember);
        busy.ForEach(shapes.Remember);
        Assert.Equal(100, shapes.Count);
        await Task.Delay(50);
        Assert.All(busy, c => Assert.NotNull(shapes.Find(c.Id, sender)));

        // Newcomers while full: each is kept once room is made (a send remembers its conversation every time it
        // checks, so a newcomer that was not kept is remembered at its next send).
        var newcomers = Enumerable.Range(0, 20).Select(_ => EventChat()).ToList();
        await Eventually.TrueAsync(
            () =>
            {
                newcomers.ForEach(shapes.Remember);
                return Task.FromResult(newcomers.All(c => shapes.Find(c.Id, sender) is not null));
            },
            "the newcomers were never kept"
        );

        Assert.True(shapes.Count <= 100, $"{shapes.Count} held");
        Assert.All(busy, c => Assert.NotNull(shapes.Find(c.Id, sender)));
        Assert.InRange(quiet.Count(c => shapes.Find(c.Id, sender) is not null), 1, 49);
    }

    [Fact]
    public void A_direct_conversation_is_found_only_for_one_of_its_pair()
    {
        var shapes = new ConversationShapes();
        var (low, high) = (Guid.NewGuid(), Guid.NewGuid());
        var direct = new Conversation
        {
            Id = Guid.NewGuid(),
            Kind = ConversationKinds.Direct,
            DirectLow = low,
            DirectHigh = high,
        };
        shapes.Remember(direct);

        Assert.Equal(high, shapes.Find(direct.Id, low)!.DirectHigh);
        Assert.Equal(low, shapes.Find(direct.Id, high)!.DirectLow);
        Assert.Null(shapes.Find(direct.Id, Guid.NewGuid()));
        Assert.Null(shapes.Find(Guid.NewGuid(), low));
    }
}
