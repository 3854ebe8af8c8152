using Community.Contracts;
using Microsoft.Extensions.Caching.Memory;

namespace Community.Messaging.Conversations;

/// <summary>
/// What never changes about a conversation (its kind, a direct one's pair, a thread's group, an event chat's event),
/// as this instance has read it, so a send can go straight to its statement, which checks whether the sender may send
/// itself (<see cref="MessageInsert"/>). Nothing here decides who may do anything. Bounded: past its capacity
/// (<see cref="Capacity"/> conversations unless told) the conversations least recently sent to are forgotten, a
/// tenth at a time, and the busy ones stay.
/// </summary>
public sealed class ConversationShapes(int capacity = ConversationShapes.Capacity)
{
    public const int Capacity = 100_000;

    private readonly MemoryCache _shapes = new(
        new MemoryCacheOptions { SizeLimit = capacity, CompactionPercentage = 0.1 }
    );

    private static readonly MemoryCacheEntryOptions One = new() { Size = 1 };

    private sealed record Shape(string Kind, Guid? DirectLow, Guid? DirectHigh, Guid? GroupId, Guid? EventId);

    /// <summary>How many conversations are remembered now.</summary>
    public int Count => _shapes.Count;

    /// <summary>
    /// Keeps <paramref name="conversation"/>'s shape. When full, it is not kept this time, and room is made by
    /// forgetting the least recently used (in the background).
    /// </summary>
    public void Remember(Conversation conversation)
    {
        if (_shapes.TryGetValue(conversation.Id, out _))
            return;
        _shapes.Set(
            conversation.Id,
            new Shape(
                conversation.Kind,
                conversation.DirectLow,
                conversation.DirectHigh,
                conversation.GroupId,
                conversation.EventId
            ),
            One
        );
    }

    /// <summary>
    /// The conversation as far as its shape goes (a new object each time), when this instance has read it and
    /// <paramref name="senderId"/> could send in it: for a direct conversation, only one of its pair.
    /// </summary>
    public Conversation? Find(Guid conversationId, Guid senderId) =>
        _shapes.TryGetValue(conversationId, out Shape? shape)
        && (shape!.Kind != ConversationKinds.Direct || shape.DirectLow == senderId || shape.DirectHigh == senderId)
            ? new Conversation
            {
                Id = conversationId,
                Kind = shape.Kind,
                DirectLow = shape.DirectLow,
                DirectHigh = shape.DirectHigh,
                GroupId = shape.GroupId,
                EventId = shape.EventId,
            }
            : null;
}
