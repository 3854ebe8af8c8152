using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Community.AiCompanion.Conversation.Safety;

/// <summary>
/// A word of a text, folded (lower case, no diacritics, no apostrophes), and where it sits in the original text.
/// </summary>
public readonly record struct SafetyToken(string Text, int Start, int End, bool IsNumber);

/// <summary>
/// Splits a text into folded words ("200mg" is "200" "mg", "don't" is "dont"; accents and invisible characters are
/// dropped, anything else only separates words), so phrases match whole words whatever the case, accents, spacing or
/// punctuation between them.
/// </summary>
public static class SafetyText
{
    public static List<SafetyToken> Tokenize(string text)
    {
        var tokens = new List<SafetyToken>();
        var word = new StringBuilder();
        int start = -1,
            end = -1;
        var isNumber = false;

        void Flush()
        {
            if (word.Length > 0)
                tokens.Add(new SafetyToken(word.ToString(), start, end, isNumber));
            word.Clear();
            start = -1;
        }

        for (var i = 0; i < text.Length; i++)
        {
            // By code point, so letters outside the basic plane (the "fancy font" letters) fold like any other.
            if (!Rune.TryGetRuneAt(text, i, out var rune))
                rune = Rune.ReplacementChar;
            var last = i + rune.Utf16SequenceLength - 1;
            var category = Rune.GetUnicodeCategory(rune);
            if (
                category
                    is UnicodeCategory.NonSpacingMark
                        or UnicodeCategory.SpacingCombiningMark
                        or UnicodeCategory.EnclosingMark
                        or UnicodeCategory.Format
                || (rune.IsBmp && IsApostrophe((char)rune.Value) && word.Length > 0)
            )
            {
                // An accent, an invisible character (soft hyphen, zero-width space) or an apostrophe belongs to the
                // word it is in and adds no letter.
                if (word.Length > 0)
                    end = last + 1;
                i = last;
                continue;
            }
            if (!Rune.IsLetterOrDigit(rune))
            {
                Flush();
                i = last;
                continue;
            }
            var digit = Rune.IsDigit(rune);
            if (word.Length > 0 && digit != isNumber)
                Flush();
            if (word.Length == 0)
            {
                start = i;
                isNumber = digit;
            }
            Fold(rune, word);
            end = last + 1;
            i = last;
        }
        Flush();
        return tokens;
    }

    /// <summary>
    /// One word of a phrase list folded as <see cref="Tokenize"/> folds text; null unless it is exactly one word.
    /// </summary>
    public static string? FoldWord(string word) => Tokenize(word) is [var only] ? only.Text : null;

    private static bool IsApostrophe(char c) => c is '\'' or '\u2019' or '\u2018' or '\u02BC' or '`' or '\u00B4';

    private static void Fold(Rune rune, StringBuilder into)
    {
        if (rune.IsAscii)
        {
            into.Append(char.ToLowerInvariant((char)rune.Value));
            return;
        }
        foreach (var d in rune.ToString().Normalize(NormalizationForm.FormKD))
            if (char.IsLetterOrDigit(d))
                into.Append(char.ToLowerInvariant(d));
    }
}

/// <summary>
/// One listed phrase: a sequence of word patterns. A pattern is a word ("die"), a word prefix ("suicid*"), alternatives
/// ("mg|milligrams"), or "#" for a number. Written in plain words; folded like the text it is matched against.
/// </summary>
public sealed class Phrase
{
    private Phrase(string category, string source, WordPattern[] words) =>
        (Category, Source, Words) = (category, source, words);

    public string Category { get; }
    public string Source { get; }
    internal WordPattern[] Words { get; }

    public static Phrase Parse(string category, string source)
    {
        var words = source
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => WordPattern.Parse(w, source))
            .ToArray();
        if (words.Length == 0)
            throw new ArgumentException("An empty phrase.", nameof(source));
        return new Phrase(category, source, words);
    }

    public override string ToString() => $"{Category}: {Source}";
}

internal sealed class WordPattern
{
    private readonly string[] exact;
    private readonly string[] prefixes;
    private readonly bool number;

    private WordPattern(string[] exact, string[] prefixes, bool number) =>
        (this.exact, this.prefixes, this.number) = (exact, prefixes, number);

    public IReadOnlyList<string> Exact => exact;
    public bool IsPlainWords => prefixes.Length == 0 && !number;

    public static WordPattern Parse(string pattern, string phrase)
    {
        if (pattern == "#")
            return new WordPattern([], [], true);
        List<string> exact = [],
            prefixes = [];
        foreach (var alternative in pattern.Split('|'))
        {
            var isPrefix = alternative.EndsWith('*');
            var folded =
                SafetyText.FoldWord(isPrefix ? alternative[..^1] : alternative)
                ?? throw new ArgumentException(
                    $"'{alternative}' in the phrase '{phrase}' is not one word (write separate words with spaces)."
                );
            (isPrefix ? prefixes : exact).Add(folded);
        }
        return new WordPattern([.. exact], [.. prefixes], false);
    }

    public bool Matches(SafetyToken token)
    {
        if (number)
            return token.IsNumber;
        foreach (var e in exact)
            if (token.Text == e)
                return true;
        foreach (var p in prefixes)
            if (token.Text.StartsWith(p, StringComparison.Ordinal))
                return true;
        return false;
    }

    /// <summary>
    /// Whether the unfinished word <paramref name="partial"/> (the text may still add letters to it) could end up
    /// matching.
    /// </summary>
    public bool CouldBecome(SafetyToken partial)
    {
        if (number)
            return partial.IsNumber;
        if (partial.IsNumber)
            return false;
        foreach (var e in exact)
            if (e.StartsWith(partial.Text, StringComparison.Ordinal))
                return true;
        foreach (var p in prefixes)
            if (
                p.StartsWith(partial.Text, StringComparison.Ordinal)
                || partial.Text.StartsWith(p, StringComparison.Ordinal)
            )
                return true;
        return false;
    }
}

/// <summary>A set of phrases matched word by word; phrases that start with a plain word are looked up by it.</summary>
public sealed class PhraseList
{
    // Indexes into all, ascending, so the first match within a list is the earliest phrase.
    private readonly FrozenDictionary<string, int[]> byFirstWord;
    private readonly int[] others;
    private readonly Phrase[] all;

    public PhraseList(IEnumerable<Phrase> phrases)
    {
        all = [.. phrases];
        var indexes = Enumerable.Range(0, all.Length).ToArray();
        byFirstWord = indexes
            .Where(i => all[i].Words[0].IsPlainWords)
            .SelectMany(i => all[i].Words[0].Exact.Select(word => (word, i)))
            .GroupBy(x => x.word, x => x.i)
            .ToFrozenDictionary(g => g.Key, g => g.Distinct().Order().ToArray());
        others = [.. indexes.Where(i => !all[i].Words[0].IsPlainWords)];
        LongestPhrase = all.Length == 0 ? 0 : all.Max(p => p.Words.Length);
    }

    public int LongestPhrase { get; }
    public IReadOnlyList<Phrase> Phrases => all;

    /// <summary>
    /// The phrase found in <paramref name="tokens"/> that comes first in the list (so a list that starts with the
    /// crisis phrases gives the crisis hit whatever else the text holds). With <paramref name="lastOpen"/> the last
    /// word may still grow, so a phrase ending on it is not a hit yet.
    /// </summary>
    public Phrase? FindFirst(IReadOnlyList<SafetyToken> tokens, bool lastOpen)
    {
        var complete = lastOpen ? tokens.Count - 1 : tokens.Count;
        var best = -1;
        for (var s = 0; s < complete; s++)
        {
            if (byFirstWord.TryGetValue(tokens[s].Text, out var candidates))
                foreach (var i in candidates)
                    if ((best < 0 || i < best) && MatchesAt(all[i], tokens, s, complete))
                        best = i;
            foreach (var i in others)
                if ((best < 0 || i < best) && MatchesAt(all[i], tokens, s, complete))
                    best = i;
            if (best == 0)
                break;
        }
        return best < 0 ? null : all[best];
    }

    /// <summary>
    /// The index of the earliest word from which some phrase could still be under way (every word so far matches and
    /// the phrase needs more, or its last word is unfinished); null when none could.
    /// </summary>
    public int? EarliestPossibleStart(IReadOnlyList<SafetyToken> tokens, bool lastOpen)
    {
        var n = tokens.Count;
        for (var s = Math.Max(0, n - LongestPhrase); s < n; s++)
            foreach (var phrase in all)
                if (CouldBeUnderWay(phrase, tokens, s, lastOpen))
                    return s;
        return null;
    }

    private static bool MatchesAt(Phrase phrase, IReadOnlyList<SafetyToken> tokens, int start, int complete)
    {
        if (start + phrase.Words.Length > complete)
            return false;
        for (var k = 0; k < phrase.Words.Length; k++)
            if (!phrase.Words[k].Matches(tokens[start + k]))
                return false;
        return true;
    }

    private static bool CouldBeUnderWay(Phrase phrase, IReadOnlyList<SafetyToken> tokens, int start, bool lastOpen)
    {
        var present = tokens.Count - start;
        if (present > phrase.Words.Length || (present == phrase.Words.Length && !lastOpen))
            return false;
        for (var k = 0; k < present; k++)
        {
            var token = tokens[start + k];
            var last = start + k == tokens.Count - 1;
            if (last && lastOpen ? !phrase.Words[k].CouldBecome(token) : !phrase.Words[k].Matches(token))
                return false;
        }
        return true;
    }
}
