using System.Collections.Concurrent;

namespace Community.Messaging.Conversations;

/// <summary>
/// What never changes about a conversation (its kind, a direct one's pair, a thread's group), as this instance has
/// read it, so a send can go straight to its statement, which checks whether the sender may send itself
/// (<see cref="MessageInsert"/>). Nothing here decides who may do anything. Bounded: past
/// <see cref="Capacity"/> conversations it starts again empty.
/// </summary>
public sealed class ConversationShapes
{
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<Guid, Shape> _shapes = new();

    private sealed record Shape(string Kind, Guid? DirectLow, Guid? DirectHigh, Guid? GroupId);

    /// <summary>Keeps <paramref name="conversation"/>'s shape.</summary>
    public void Remember(Conversation conversation)
    {
        if (_shapes.ContainsKey(conversation.Id))
            return;
        if (_shapes.Count >= Capacity)
            _shapes.Clear();
        _shapes[conversation.Id] = new(
            conversation.Kind,
            conversation.DirectLow,
            conversation.DirectHigh,
            conversation.GroupId
        );
    }

    /// <summary>
    /// The conversation as far as its shape goes (a new object each time), when this instance has read it and
    /// <paramref name="senderId"/> could send in it: for a direct conversation, only one of its pair.
    /// </summary>
    public Conversation? Find(Guid conversationId, Guid senderId) =>
        _shapes.TryGetValue(conversationId, out var shape)
        && (shape.Kind != ConversationKinds.Direct || shape.DirectLow == senderId || shape.DirectHigh == senderId)
            ? new Conversation
            {
                Id = conversationId,
                Kind = shape.Kind,
                DirectLow = shape.DirectLow,
                DirectHigh = shape.DirectHigh,
                GroupId = shape.GroupId,
            }
            : null;
}
