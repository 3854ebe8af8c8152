using Community.Contracts;
using Community.Contracts.Events;

namespace Community.Social.Feed;

/// <summary>
/// What the feed and search keep of an event, as an <see cref="EventUpdated"/> says it is after the change.
/// </summary>
internal static class EventStateRules
{
    /// <summary>
    /// Its title and whether it is public, null where the message does not say. The catalogue sends both with every
    /// change it announces (whatever changed; the only changes the feed and search consume), so a row may be written
    /// from it alone; a visibility change that does not say the new one (an older publisher) is taken as private, the
    /// safe guess.
    /// </summary>
    public static (string? Title, bool? IsPublic) After(EventUpdated m) =>
        (
            m.Title,
            m.Visibility is { } visibility ? visibility == EventVisibility.Public
            : m.ChangedFields.Contains("visibility") ? false
            : null
        );
}
