using System.Collections.Frozen;

namespace Community.AiCompanion.Conversation.Safety;

/// <summary>A country's crisis line and emergency number, as the crisis message names them.</summary>
public sealed record CrisisLine(string Service, string Contact, string Emergency);

/// <summary>
/// The crisis message: fixed, kind, the same every time, with the help available in the user's country (ISO 3166
/// alpha-2 from the profile; unknown or missing: local emergency services and findahelpline.com). Keep entries
/// to free national lines that answer 24/7; check them when editing.
/// </summary>
public static class CrisisResources
{
    public static readonly FrozenDictionary<string, CrisisLine> Lines = new Dictionary<string, CrisisLine>(
        StringComparer.OrdinalIgnoreCase
    )
    {
        ["US"] = new("the 988 Suicide & Crisis Lifeline", "call or text 988", "911"),
        ["CA"] = new("9-8-8 Suicide Crisis Helpline", "call or text 988", "911"),
        ["GB"] = new("Samaritans", "call 116 123 (free, any time)", "999"),
        ["IE"] = new("Samaritans", "call 116 123 (free, any time) or text 50808", "112 or 999"),
        ["AU"] = new("Lifeline", "call 13 11 14 or text 0477 13 11 14", "000"),
        ["NZ"] = new("Need to Talk?", "call or text 1737", "111"),
        ["DE"] = new("TelefonSeelsorge", "call 0800 111 0 111 or 0800 111 0 222 (free, any time)", "112"),
        ["AT"] = new("TelefonSeelsorge", "call 142", "112"),
        ["FR"] = new("3114, the national suicide prevention line", "call 3114 (free, any time)", "112"),
        ["ES"] = new("the Línea 024", "call 024", "112"),
        ["NL"] = new("113 Zelfmoordpreventie", "call 113 or 0800 0113", "112"),
        ["IN"] = new("Tele-MANAS", "call 14416", "112"),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The line for <paramref name="country"/> (alpha-2; "UK" is GB); null when the table has none.</summary>
    public static CrisisLine? LineFor(string? country)
    {
        var code = country?.Trim();
        if (string.Equals(code, "UK", StringComparison.OrdinalIgnoreCase))
            code = "GB";
        return code is not null && Lines.TryGetValue(code, out var line) ? line : null;
    }

    public static string MessageFor(string? country)
    {
        const string Opening =
            "I'm really sorry you're feeling this way, and I'm glad you said something. I'm an AI, not a person, and "
            + "I can't give you the help you deserve right now, but people can, at any hour.";
        const string Closing = "You don't have to go through this alone.";
        return LineFor(country) is { } line
            ? $"{Opening} Please reach out to {line.Service}: {line.Contact}. If you are in immediate danger, call "
                + $"{line.Emergency}. {Closing}"
            : $"{Opening} Please call your local emergency number if you are in immediate danger, or find a free, "
                + $"confidential helpline in your country at https://findahelpline.com. {Closing}";
    }
}
