using System.Text;

namespace Community.AiCompanion.Conversation.Safety;

/// <summary>
/// Screens a streamed reply as it arrives: text before the earliest point where a listed phrase (or the risk marker)
/// could still be starting is released at once, the rest waits for the next delta; a hit stops the stream for good.
/// </summary>
public sealed class StreamScreen(PhraseList phrases, string marker, Func<string, SafetyVerdict> verdictFor)
    : IStreamScreen
{
    private readonly StringBuilder received = new();
    private int released;
    private SafetyVerdict? stopped;

    public StreamStep Push(string delta)
    {
        if (stopped is not null)
            return new StreamStep("", stopped);
        received.Append(delta);
        return Screen(finished: false);
    }

    public StreamStep Complete() => stopped is not null ? new StreamStep("", stopped) : Screen(finished: true);

    private StreamStep Screen(bool finished)
    {
        var text = received.ToString();
        if (text.Contains(marker, StringComparison.OrdinalIgnoreCase))
            return Stop(SafetyCategories.SelfHarmFlaggedByModel);

        var tokens = SafetyText.Tokenize(text);
        // The last word may still grow unless the stream ended or a separator follows it.
        var lastOpen = !finished && tokens.Count > 0 && tokens[^1].End == text.Length;
        if (phrases.FindFirst(tokens, lastOpen) is { } hit)
            return Stop(hit.Category);

        var safeUpTo = text.Length;
        if (!finished)
        {
            if (phrases.EarliestPossibleStart(tokens, lastOpen) is { } start)
                safeUpTo = tokens[start].Start;
            safeUpTo = Math.Min(safeUpTo, MarkerCouldStartAt(text));
            // Half a surrogate pair waits for its other half (it cannot be encoded alone).
            if (safeUpTo == text.Length && safeUpTo > 0 && char.IsHighSurrogate(text[^1]))
                safeUpTo--;
        }
        // Never behind what was already sent (a phrase under way always starts in the part still held).
        safeUpTo = Math.Max(safeUpTo, released);
        var release = text[released..safeUpTo];
        released = safeUpTo;
        return new StreamStep(release, null);
    }

    private StreamStep Stop(string category)
    {
        stopped = verdictFor(category);
        return new StreamStep("", stopped);
    }

    /// <summary>
    /// The start of the longest end of <paramref name="text"/> that begins the marker (the text's length when none
    /// does).
    /// </summary>
    private int MarkerCouldStartAt(string text)
    {
        for (var length = Math.Min(marker.Length - 1, text.Length); length > 0; length--)
            if (text.AsSpan(text.Length - length).Equals(marker.AsSpan(0, length), StringComparison.OrdinalIgnoreCase))
                return text.Length - length;
        return text.Length;
    }
}
